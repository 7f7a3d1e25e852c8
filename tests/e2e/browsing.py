"""Small browsing helpers the browser tests share: where the browser is, waiting to land on a
page or for a condition, finding a visible element, typing into a field, following a link or a
button to a new page, signing in and out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
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


def replaced(old_html: WebElement):
    """A wait condition: the page that held `old_html` is gone. Like Selenium's staleness_of,
    but a probe that meets the page mid-navigation (the driver answers with another error than
    "stale element") asks again instead of failing the test."""
    def predicate(_: WebDriver) -> bool:
        try:
            old_html.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException:
            return False
    return predicate


def click_and_wait_for_new_page(drv: WebDriver, element: WebElement) -> None:
    old_html = drv.find_element(By.TAG_NAME, "html")
    element.click()
    wait(drv).until(replaced(old_html))


def until(drv: WebDriver, condition, message: str, timeout: float | None = None):
    """Wait for condition(driver) to be truthy; fail with message (and the last value seen)."""
    seen: list[object] = []

    def probe(d: WebDriver):
        value = condition(d)
        seen[:] = [value]
        return value

    try:
        return (wait(drv, timeout) if timeout else wait(drv)).until(probe)
    except Exception as exc:
        raise AssertionError(f"{message} (last seen: {seen[0] if seen else 'nothing'!r}; page {drv.current_url})") from exc


def sign_in(drv: WebDriver, base_url: str, email: str, password: str) -> None:
    if path_of(drv).rstrip("/") != "/login":
        drv.get(base_url + "/login")
    visible(drv, "form#login-form")
    fill(drv, "form#login-form #email", email)
    fill(drv, "form#login-form #password", password)
    click_and_wait_for_new_page(drv, visible(drv, "button#sign-in"))
    until(drv, lambda d: path_of(d).rstrip("/") not in ("/login", "/setup") and d.find_elements(By.ID, "logout-form"),
          f"signing in as {email} did not reach a page with form#logout-form")


def sign_out(drv: WebDriver) -> None:
    visible(drv, "form#logout-form")
    click_and_wait_for_new_page(drv, visible(drv, "form#logout-form button#sign-out"))
    wait_for_path(drv, "/login")


def switch_user(drv: WebDriver, base_url: str, email: str, password: str) -> None:
    """Sign out whoever the browser is signed in as (if anyone), then sign in as email."""
    drv.get(base_url + "/")
    until(drv, lambda d: d.find_elements(By.ID, "logout-form") or d.find_elements(By.ID, "login-form"),
          "/ showed neither form#logout-form nor form#login-form")
    if drv.find_elements(By.ID, "logout-form"):
        sign_out(drv)
    sign_in(drv, base_url, email, password)
