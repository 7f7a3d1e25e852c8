"""Small browsing helpers the browser tests share: where the browser is, waiting to land on a
page, finding a visible element, typing into a field."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC

from conftest import wait


def path_of(drv: WebDriver) -> str:
    return urlsplit(drv.current_url).path


def wait_for_path(drv: WebDriver, expected: str | re.Pattern[str]) -> str:
    def matches(d: WebDriver) -> str | bool:
        p = path_of(d)
        ok = expected.match(p) if isinstance(expected, re.Pattern) else p.rstrip("/") == expected.rstrip("/")
        return p if ok else False

    try:
        return wait(drv).until(matches)
    except Exception as exc:
        raise AssertionError(f"expected to land on {getattr(expected, 'pattern', expected)}, "
                             f"but the browser is on {drv.current_url}") from exc


def visible(drv: WebDriver, css: str) -> WebElement:
    try:
        return wait(drv).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))
    except Exception as exc:
        raise AssertionError(f"no visible {css!r} on {drv.current_url}") from exc


def fill(drv: WebDriver, css: str, value: str) -> None:
    field = visible(drv, css)
    field.clear()
    field.send_keys(value)
