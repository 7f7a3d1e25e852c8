"""Real-browser tests of Clientele's web UI (headless Chromium driven by Selenium).

One `clientele serve` process on a fresh SQLite file and one browser are shared
by the whole session.  The server gets NO user: the UI's first-run page creates
the administrator.

Helpers for the tests:
    screenshot(driver, name)            full-page PNG into e2e/screenshots/<name>.png
    axe_check(driver, name)             axe-core on the current page; fails on serious/critical
                                        (it calls html_check first)
    html_check(driver, name)            the current URL fetched again with the browser's cookies: the HTML
                                        the server sent, saved as e2e/html/<name>.html; test_html_valid.py
                                        runs the Nu HTML Checker once over all of them at the session's end
    requested_urls(driver)              every URL the browser requested so far
    assert_same_origin(driver, base)    fails if any request went to another origin
    wait(driver, timeout=10)            a WebDriverWait

Shared by the modules (they run in file order, and each also runs alone):
    ADMIN                               the administrator test_day.py creates on the first-run page
    Api / api_token(base_url, ...)      a small client of /api/v1 with a bearer token
    admin_api                           fixture: an Api signed in as ADMIN (creates ADMIN if the server is fresh)

Environment:
    CLIENTELE_BIN       the binary (default .build/debug/clientele; relative to the repository)
    CHROMIUM_BIN        default /usr/bin/chromium
    CHROMEDRIVER_BIN    default /usr/bin/chromedriver
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager go online
os.environ.setdefault("SE_AVOID_STATS", "true")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "e2e" / "screenshots"
HTML_DIR = REPO_ROOT / "e2e" / "html"
HTML_FETCH_TIMEOUT = 15
WAIT_SECONDS = 10
STARTUP_TIMEOUT = 30
WINDOW = (1366, 900)
ACCEPT_LANGUAGES = "ru-RU,ru"
AXE_FAILING_IMPACTS = ("serious", "critical")
MAX_SCREENSHOT_HEIGHT = 12000

_LIVE: dict[str, Any] = {}  # the session's server and driver, for failure reports
SAVED_HTML: dict[str, tuple[Path, str]] = {}  # name -> (file, URL) of each page html_check saved in this session

# The administrator of the session's server: test_day.py creates them through the first-run page;
# a module run on its own gets them from the admin_api fixture.
ADMIN = {"name": "Ольга Смирнова", "email": "olga@example.test", "password": "Пароль-для-теста-2026"}
ADMIN_LANGUAGE = "ru"


# --------------------------------------------------------------------------
# server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary_path() -> Path:
    path = Path(os.environ.get("CLIENTELE_BIN", ".build/debug/clientele"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        pytest.fail(f"clientele binary not found at {path} (set CLIENTELE_BIN or run `swift build`)", pytrace=False)
    return path


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when pytest dies, so no server outlives the run."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Server:
    def __init__(self, database: str, log_path: Path):
        self.database = database
        self.log_path = log_path
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [str(binary_path()), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database", self.database]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, preexec_fn=_die_with_parent
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"clientele serve exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                resp = requests.get(self.base_url + "/health", timeout=2)
                if resp.status_code == 200:
                    return
                last = f"HTTP {resp.status_code}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = type(exc).__name__
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"/health not ready after {STARTUP_TIMEOUT}s ({last})\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return f"--- server log tail ({self.log_path}) ---\n" + "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("e2e-server")
    srv = Server(f"sqlite:{directory / 'clientele.sqlite'}", directory / "serve.log")
    _LIVE["server"] = srv
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.base_url


# --------------------------------------------------------------------------
# browser


@pytest.fixture(scope="session")
def driver():
    opts = Options()
    opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--disable-extensions",
                "--no-first-run", "--no-default-browser-check"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": ACCEPT_LANGUAGES})
    opts.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # Leave alerts open: a test asserts there is none, and accepts the ones it expects.
    opts.set_capability("unhandledPromptBehavior", "ignore")
    service = Service(os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    drv = webdriver.Chrome(service=service, options=opts)
    drv.set_window_size(*WINDOW)
    drv.set_script_timeout(60)
    drv.set_page_load_timeout(30)
    drv.e2e_requests = []  # type: ignore[attr-defined]  # filled by requested_urls()
    _LIVE["driver"] = drv
    yield drv
    _LIVE.pop("driver", None)
    drv.quit()


@pytest.fixture(scope="session", autouse=True)
def _screenshot_dir():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob("*.png"):
        old.unlink()
    return SCREENSHOT_DIR


@pytest.fixture(scope="session", autouse=True)
def _html_dir():
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    for old in HTML_DIR.glob("*.html"):
        old.unlink()
    SAVED_HTML.clear()
    return HTML_DIR


def wait(drv: WebDriver, timeout: float = WAIT_SECONDS) -> WebDriverWait:
    """An explicit wait that tolerates the page being replaced while it polls."""
    return WebDriverWait(drv, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


# --------------------------------------------------------------------------
# helpers


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"


def screenshot(drv: WebDriver, name: str) -> Path:
    """Save a full-page PNG of the current page as e2e/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{_safe_name(name)}.png"
    metrics = drv.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    width = max(1, int(size["width"]))
    height = max(1, min(int(size["height"]), MAX_SCREENSHOT_HEIGHT))
    shot = drv.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _accept_language(languages: str) -> str:
    """The header Chromium sends for its intl.accept_languages pref ("ru-RU,ru" -> "ru-RU,ru;q=0.9")."""
    tags = [t.strip() for t in languages.split(",") if t.strip()]
    return ",".join(t if i == 0 else f"{t};q={max(0.1, 1 - i / 10):.1f}" for i, t in enumerate(tags))


def html_check(drv: WebDriver, name: str, expect: int | tuple[int, ...] = 200) -> Path:
    """Save the HTML the server sends for the current page (not the DOM after scripts) as
    e2e/html/<name>.html, for the Nu HTML Checker that test_html_valid.py runs once at the end.

    The current URL is fetched again by GET with the browser's cookies (so as the same person),
    without following redirects: the status must be `expect` and the body HTML."""
    url = drv.current_url
    expected = (expect,) if isinstance(expect, int) else expect
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": _accept_language(ACCEPT_LANGUAGES),
        "User-Agent": drv.execute_script("return navigator.userAgent"),
    }
    resp = requests.get(url, headers=headers, cookies={c["name"]: c["value"] for c in drv.get_cookies()},
                        allow_redirects=False, timeout=HTML_FETCH_TIMEOUT)
    assert resp.status_code in expected, (
        f"html_check({name}): GET {url} with the browser's cookies gave HTTP {resp.status_code}"
        f"{' to ' + resp.headers['Location'] if resp.headers.get('Location') else ''}, expected {expected}"
    )
    content_type = resp.headers.get("Content-Type", "")
    assert content_type.split(";")[0].strip().lower() == "text/html", (
        f"html_check({name}): GET {url} answered Content-Type {content_type!r}, not text/html"
    )
    safe = _safe_name(name)
    assert safe not in SAVED_HTML or SAVED_HTML[safe][1] == url, (
        f"html_check: two pages named {safe!r} ({SAVED_HTML[safe][1]} and {url})"
    )
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    path = HTML_DIR / f"{safe}.html"
    path.write_bytes(resp.content)
    SAVED_HTML[safe] = (path, url)
    return path


_AXE_JS: str | None = None


def _axe_source() -> str:
    global _AXE_JS
    if _AXE_JS is None:
        import axe_selenium_python

        _AXE_JS = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text(
            encoding="utf-8"
        )
    return _AXE_JS


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({v.get('helpUrl')})")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            html = (node.get("html") or "").strip().replace("\n", " ")
            if html:
                lines.append(f"       {html[:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v.get("nodes", [])) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


_AUTOCOMPLETE_OFF = re.compile(r"""\bautocomplete\s*=\s*["']?off\b""", re.IGNORECASE)


def _without_known_false_positives(violation: dict[str, Any]) -> dict[str, Any] | None:
    """The axe-core bundled with axe-selenium-python (3.1.1) flags autocomplete="off" as invalid
    (axe-core issue 1109, fixed in 3.1.2); drop just those nodes."""
    if violation.get("id") != "autocomplete-valid":
        return violation
    nodes = [n for n in violation.get("nodes", []) if not _AUTOCOMPLETE_OFF.search(n.get("html") or "")]
    return {**violation, "nodes": nodes} if nodes else None


def axe_check(drv: WebDriver, name: str) -> list[dict[str, Any]]:
    """Run axe-core (bundled with axe-selenium-python, no network) on the current page.

    Fails on violations of impact serious or critical; returns all violations.  First saves the
    page's served HTML for the HTML validator (html_check), so every axe-checked page is validated."""
    html_check(drv, name)
    if not drv.execute_script("return typeof window.axe === 'object' && !!window.axe.run;"):
        drv.execute_script(_axe_source())
    result = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done({violations: r.violations}), e => done({error: String(e)}));"
    )
    assert not result.get("error"), f"axe-core failed on {name} ({drv.current_url}): {result['error']}"
    violations = [v for v in (_without_known_false_positives(v) for v in result["violations"]) if v]
    bad = [v for v in violations if v.get("impact") in AXE_FAILING_IMPACTS]
    if bad:
        pytest.fail(
            f"accessibility ({name}, {drv.current_url}): {len(bad)} serious/critical axe violation(s)\n"
            + format_violations(bad),
            pytrace=False,
        )
    return violations


def requested_urls(drv: WebDriver) -> list[str]:
    """Every URL the browser has requested in this session (from Chromium's performance log)."""
    seen: list[str] = drv.e2e_requests  # type: ignore[attr-defined]
    for entry in drv.get_log("performance"):  # returns only entries since the last call
        try:
            message = json.loads(entry["message"])["message"]
        except (KeyError, ValueError):
            continue
        method = message.get("method")
        params = message.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url")
        elif method == "Network.webSocketCreated":
            url = params.get("url")
        else:
            continue
        if url:
            seen.append(url)
    return list(seen)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return scheme, (parts.hostname or ""), port


def assert_same_origin(drv: WebDriver, base_url: str) -> list[str]:
    """Fail if the browser requested anything from an origin other than base_url's."""
    urls = requested_urls(drv)
    assert urls, "the performance log recorded no requests at all (is goog:loggingPrefs on?)"
    home = _origin(base_url)
    foreign = sorted({u for u in urls if not u.startswith(("data:", "blob:")) and _origin(u) != home})
    assert not foreign, f"requests to other origins than {base_url}:\n  " + "\n  ".join(foreign)
    return urls


# --------------------------------------------------------------------------
# the JSON API, for setting up what a step needs and checking what a step did

API_TIMEOUT = 15
_CSRF_FIELD = re.compile(r"""name=["']_csrf["'][^>]*value=["']([^"']+)["']""")


class Api:
    """/api/v1 as one user (a bearer token); every call checks the status it expects."""

    def __init__(self, base_url: str, token: str):
        self.root = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def call(self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201, 204), **kwargs: Any) -> Any:
        expected = (expect,) if isinstance(expect, int) else expect
        resp = self.http.request(method, self.root + path, timeout=API_TIMEOUT, **kwargs)
        assert resp.status_code in expected, (
            f"{method} /api/v1{path}: HTTP {resp.status_code}, expected {expected}: {resp.text[:800]}"
        )
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.call("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.call("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)


def api_token(base_url: str, email: str, password: str) -> str:
    resp = requests.post(base_url + "/api/v1/auth/token", json={"email": email, "password": password}, timeout=API_TIMEOUT)
    assert resp.status_code == 200, f"POST /api/v1/auth/token for {email}: HTTP {resp.status_code}: {resp.text[:500]}"
    return resp.json()["token"]


def ensure_admin(base_url: str) -> None:
    """Create ADMIN through the first-run form if the server has no user yet (a module run alone)."""
    http = requests.Session()
    page = http.get(base_url + "/setup", timeout=API_TIMEOUT)
    if urlsplit(page.url).path.rstrip("/") != "/setup":
        return  # redirected (to /login): the server already has its administrator
    match = _CSRF_FIELD.search(page.text)
    assert match, f"the first-run page has no _csrf field:\n{page.text[:800]}"
    resp = http.post(
        base_url + "/setup",
        data={"_csrf": match.group(1), "name": ADMIN["name"], "email": ADMIN["email"], "password": ADMIN["password"],
              "language": ADMIN_LANGUAGE},
        allow_redirects=False, timeout=API_TIMEOUT,
    )
    assert resp.status_code in (302, 303), f"POST /setup: HTTP {resp.status_code}: {resp.text[:800]}"


@pytest.fixture(scope="session")
def admin_api(base_url: str) -> Api:
    """The API as ADMIN; on a fresh server (a module run alone) the administrator is created first."""
    ensure_admin(base_url)
    return Api(base_url, api_token(base_url, ADMIN["email"], ADMIN["password"]))


# --------------------------------------------------------------------------
# ordered steps: after a failing step, the rest of its module is skipped
# (except steps marked always_run, such as the final same-origin check)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("incremental") is None or item.get_closest_marker("always_run") is not None:
        return
    failed = getattr(item.module, "_e2e_failed_step", None)
    if failed is not None:
        pytest.skip(f"an earlier step failed: {failed}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "incremental: ordered steps; a failure skips the following ones")
    config.addinivalue_line("markers", "always_run: an incremental step that runs even after a failed step")
    config.addinivalue_line("markers", "session_last: runs after every other test of the session (the HTML validator)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked session_last go to the end, whatever their file's name (a stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("session_last") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        if item.get_closest_marker("incremental") is not None and getattr(item, "module", None) is not None:
            item.module._e2e_failed_step = item.name
        drv = _LIVE.get("driver")
        # (not for the HTML validator's test: what the browser shows then has nothing to do with it)
        if isinstance(drv, WebDriver) and call.when == "call" and item.get_closest_marker("session_last") is None:
            try:
                alert = drv.switch_to.alert
                report.sections.append(("browser alert", f"an alert was open, dismissed it: {alert.text!r}"))
                alert.dismiss()
            except Exception:  # no alert open (NoAlertPresentException) or a dead browser
                pass
            try:
                shot = screenshot(drv, f"FAILED-{item.name}")
                text = drv.execute_script("return document.body ? document.body.innerText : ''") or ""
                report.sections.append(
                    ("browser", f"url: {drv.current_url}\nscreenshot: {shot}\npage text: {text[:600]!r}")
                )
            except Exception as exc:  # an open alert, a dead browser...
                report.sections.append(("browser", f"could not capture the page: {exc!r}"))
        srv = _LIVE.get("server")
        if isinstance(srv, Server):
            report.sections.append(("clientele server log", srv.log_tail()))
    return report
