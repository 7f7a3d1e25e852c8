"""Shared fixtures for the black-box API tests of Clientele.

The suite drives the real `clientele` binary: it prepares a database with the
CLI (workspace, user, token), starts `clientele serve` on a free loopback port
and talks HTTP to it.  Every test runs once per storage backend:

* ``sqlite``   -- a fresh database file in a temporary directory;
* ``postgres`` -- the database named by ``CLIENTELE_TEST_POSTGRES_URL``.  All
  tests share it, so each module works inside its own freshly created
  workspace (random slug) with its own user and token.

Environment:
    CLIENTELE_BIN                 path of the binary (default .build/debug/clientele,
                                  relative paths are taken from the repository root)
    CLIENTELE_TEST_POSTGRES_URL   postgres://... URL (required: the postgres
                                  variant fails, it is never skipped)
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
API_PREFIX = "/api/v1"
HTTP_TIMEOUT = 30  # seconds for a single request
STARTUP_TIMEOUT = 30  # seconds for /health to answer
CLI_TIMEOUT = 120  # seconds for one CLI command (it migrates first)
# CLIENTELE_TEST_BACKENDS=sqlite (or postgres) runs one; scripts/test.sh runs both side by side.
BACKENDS = tuple(
    name.strip() for name in os.environ.get("CLIENTELE_TEST_BACKENDS", "sqlite,postgres").split(",") if name.strip()
)


# --------------------------------------------------------------------------
# small helpers


def rand_hex(n: int = 8) -> str:
    return uuid.uuid4().hex[:n]


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_ts(value: Any) -> _dt.datetime:
    assert isinstance(value, str), f"timestamp should be an ISO 8601 string, got {value!r}"
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError as exc:  # pragma: no cover - reported as a test failure
        raise AssertionError(f"not an ISO 8601 timestamp: {value!r}") from exc


def iso_utc(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def binary_path() -> Path:
    raw = os.environ.get("CLIENTELE_BIN", ".build/debug/clientele")
    path = Path(raw)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        pytest.fail(
            f"clientele binary not found at {path} (set CLIENTELE_BIN or run `swift build` first)",
            pytrace=False,
        )
    return path


def run_cli(args: list[str], database: str) -> str:
    """Run one `clientele` CLI command against `database`; return its stdout."""
    cmd = [str(binary_path()), *args, "--database", database]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT, cwd=REPO_ROOT
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"CLI command timed out after {CLI_TIMEOUT}s: {' '.join(args)}") from exc
    if proc.returncode != 0:
        raise AssertionError(
            f"CLI command failed (exit {proc.returncode}): clientele {' '.join(args)}\n"
            f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        )
    return proc.stdout


# --------------------------------------------------------------------------
# HTTP client


class Client:
    """A thin requests wrapper.

    Paths without a leading slash are relative to /api/v1 (``"contacts"`` ->
    ``/api/v1/contacts``); paths with a leading slash are used as they are.
    """

    def __init__(self, base_url: str, token: str | None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        if not path.startswith("/"):
            path = f"{API_PREFIX}/{path}"
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | None = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        timeout: float = HTTP_TIMEOUT,
    ) -> requests.Response:
        hdrs = {"Accept": "application/json"}
        if auth and self.token is not None:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif data is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        return self.session.request(
            method, self.url(path), data=data, params=params, headers=hdrs, timeout=timeout
        )

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("POST", path, json_body=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, json_body=body, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    # --- conveniences that assert the happy path -------------------------

    def create(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = self.post(entity, body)
        assert resp.status_code == 201, (
            f"POST {entity} -> {resp.status_code}, expected 201: {resp.text[:1000]}\nbody sent: {body!r}"
        )
        return resp.json()

    def fetch(self, entity: str, record_id: str) -> dict[str, Any]:
        resp = self.get(f"{entity}/{record_id}")
        assert resp.status_code == 200, f"GET {entity}/{record_id} -> {resp.status_code}: {resp.text[:1000]}"
        return resp.json()

    def count(self, entity: str, params: dict[str, Any] | None = None) -> int:
        query = dict(params or {})
        query.update({"count": "true", "limit": "1"})
        resp = self.get(entity, params=query)
        assert resp.status_code == 200, f"GET {entity}?count=true -> {resp.status_code}: {resp.text[:1000]}"
        body = resp.json()
        assert isinstance(body.get("total"), int), f"count=true must return an integer total: {body!r}"
        return body["total"]

    def walk(
        self, path: str, params: dict[str, Any] | None = None, *, limit: int | None = None, max_pages: int = 1000
    ) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        """Follow next_cursor until it is null; return (all rows, pages)."""
        base = dict(params or {})
        if limit is not None:
            base["limit"] = str(limit)
        rows: list[dict[str, Any]] = []
        pages: list[list[dict[str, Any]]] = []
        cursor = None
        for _ in range(max_pages):
            query = dict(base)
            if cursor is not None:
                query["cursor"] = cursor
            resp = self.get(path, params=query)
            assert resp.status_code == 200, f"GET {path} {query} -> {resp.status_code}: {resp.text[:1000]}"
            body = resp.json()
            assert isinstance(body.get("data"), list), f"list body must have a data array: {body!r}"
            pages.append(body["data"])
            rows.extend(body["data"])
            cursor = body.get("next_cursor")
            if cursor is None:
                return rows, pages
            assert isinstance(cursor, str) and cursor, f"next_cursor must be a non-empty string or null: {cursor!r}"
        raise AssertionError(f"pagination of {path} did not end after {max_pages} pages")

    def list_ids(self, entity: str, params: dict[str, Any] | None = None) -> list[str]:
        rows, _ = self.walk(entity, params, limit=50)
        return [row["id"] for row in rows]


# --------------------------------------------------------------------------
# problem+json


def assert_problem(
    resp: requests.Response,
    status: int | Iterable[int],
    *,
    fields: Iterable[str] = (),
) -> dict[str, Any]:
    """Assert an RFC 9457 problem response; return its body.

    `fields` lists field names that must appear in ``errors[].field``.
    """
    allowed = {status} if isinstance(status, int) else set(status)
    where = f"{resp.request.method} {resp.request.url}"
    assert resp.status_code in allowed, (
        f"{where} -> {resp.status_code}, expected {sorted(allowed)}: {resp.text[:1000]}"
    )
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip().lower() == "application/problem+json", (
        f"{where}: error Content-Type should be application/problem+json, got {ctype!r}"
    )
    try:
        body = resp.json()
    except ValueError as exc:
        raise AssertionError(f"{where}: problem body is not JSON: {resp.text[:500]!r}") from exc
    assert isinstance(body, dict), f"{where}: problem body must be an object: {body!r}"
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"{where}: problem body lacks {key!r}: {body!r}"
    assert body["status"] == resp.status_code, f"{where}: problem status {body['status']!r} != {resp.status_code}"
    wanted = list(fields)
    if wanted:
        errors = body.get("errors")
        assert isinstance(errors, list) and errors, f"{where}: validation problem needs an errors list: {body!r}"
        for err in errors:
            for key in ("field", "code", "message"):
                assert key in err, f"{where}: errors[] entry lacks {key!r}: {err!r}"
        named = {str(err["field"]) for err in errors}
        for field in wanted:
            assert any(n == field or n.startswith(field + ".") or n.startswith(field + "[") for n in named), (
                f"{where}: errors should name field {field!r}; named {sorted(named)}"
            )
    return body


# --------------------------------------------------------------------------
# field comparison


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def _same(sent: Any, got: Any, path: str) -> None:
    if isinstance(sent, dict):
        assert isinstance(got, dict), f"{path}: expected an object, got {_short(got)}"
        for key, value in sent.items():
            _same(value, got.get(key), f"{path}.{key}")
    elif isinstance(sent, bool) or sent is None:
        assert got is sent, f"{path}: sent {_short(sent)}, got {_short(got)}"
    elif isinstance(sent, (int, float)):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), (
            f"{path}: sent number {_short(sent)}, got {_short(got)} ({type(got).__name__})"
        )
        assert abs(float(sent) - float(got)) < 1e-9, f"{path}: sent {_short(sent)}, got {_short(got)}"
    elif path.endswith(".tags") and isinstance(sent, list):
        assert isinstance(got, list), f"{path}: expected a list, got {_short(got)}"
        assert sorted(sent) == sorted(got), f"{path}: sent {_short(sent)}, got {_short(got)}"
    else:
        assert got == sent, f"{path}: sent {_short(sent)}, got {_short(got)}"


def assert_fields(record: dict[str, Any], sent: dict[str, Any]) -> None:
    """Every field that was sent comes back with the same value."""
    _same(sent, record, "record")


def assert_standard_fields(record: dict[str, Any]) -> None:
    assert is_uuid(record.get("id")), f"id must be a uuid: {record.get('id')!r}"
    number = record.get("number")
    assert isinstance(number, str) and "-" in number and number.split("-")[-1].isdigit(), (
        f"number should look like C-000001: {number!r}"
    )
    assert is_uuid(record.get("owner_id")), f"owner_id must be a uuid: {record.get('owner_id')!r}"
    assert is_uuid(record.get("created_by")), f"created_by must be a uuid: {record.get('created_by')!r}"
    assert is_uuid(record.get("updated_by")), f"updated_by must be a uuid: {record.get('updated_by')!r}"
    assert isinstance(record.get("tags"), list), f"tags must be an array: {record.get('tags')!r}"
    parse_ts(record.get("created_at"))
    parse_ts(record.get("updated_at"))
    version = record.get("version")
    assert isinstance(version, int) and not isinstance(version, bool) and version >= 1, f"bad version {version!r}"


def etag_version(resp: requests.Response) -> str | None:
    return resp.headers.get("ETag")


# --------------------------------------------------------------------------
# server process


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL if pytest dies, so no server outlives the run."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing to do
        pass


class Server:
    """One `clientele serve` process on a free port; can be killed and restarted."""

    def __init__(self, database: str, log_dir: Path, name: str, extra_args: list[str] | None = None):
        self.database = database
        self.extra_args = list(extra_args or [])
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.port = free_port()
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts} on port {self.port} =====\n".encode())
        log.flush()
        cmd = [
            str(binary_path()), "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--database", self.database,
            *self.extra_args,
        ]
        try:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, preexec_fn=_die_with_parent
            )
        finally:
            log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"clientele serve exited with {self.proc.returncode} during start-up\n{self.log_tail()}"
                )
            try:
                resp = requests.get(self.base_url + "/health", timeout=2)
                if resp.status_code == 200:
                    body = resp.json()
                    assert body == {"status": "ok"} or body.get("status") == "ok", f"/health body: {body!r}"
                    return
                last_error = f"HTTP {resp.status_code}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_error = type(exc).__name__
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"/health not ready after {STARTUP_TIMEOUT}s ({last_error})\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL, no chance to clean up."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the server has not exited after a few seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- server log tail ({self.log_path}) ---\n{tail}"


# --------------------------------------------------------------------------
# backends and tenants


class Backend:
    def __init__(self, name: str, tmp_factory: pytest.TempPathFactory, pg_url: str | None):
        self.name = name
        self._tmp = tmp_factory
        self._pg_url = pg_url

    def fresh_database(self) -> str:
        """A database URL to use: a new SQLite file, or the shared PostgreSQL one."""
        if self.name == "sqlite":
            directory = self._tmp.mktemp("sqlite")
            return f"sqlite:{directory / 'db.sqlite'}"
        assert self._pg_url
        return self._pg_url

    def log_dir(self) -> Path:
        return self._tmp.mktemp(f"logs-{self.name}")

    def __repr__(self) -> str:
        return f"Backend({self.name})"


class Tenant:
    """A workspace with one admin user and a bearer token for it."""

    def __init__(self, database: str, label: str):
        self.slug = f"t-{rand_hex(8)}"
        self.email = f"{self.slug}-{label}@example.test".lower()
        self.password = f"pw-{rand_hex(16)}"
        self.name = f"Tester {label}"
        run_cli(["workspace", "create", "--name", f"Test {label} {self.slug}", "--slug", self.slug], database)
        run_cli(
            ["user", "create", "--email", self.email, "--password", self.password,
             "--name", self.name, "--admin", "--workspace", self.slug],
            database,
        )
        out = run_cli(["token", "create", "--user", self.email, "--workspace", self.slug], database)
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        assert lines, "token create printed nothing"
        self.token = lines[-1]
        assert " " not in self.token, f"token create's last line should be the bare token: {self.token!r}"

    def client(self, server: Server) -> Client:
        return Client(server.base_url, self.token)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    name = request.param
    pg_url = None
    if name == "postgres":
        pg_url = os.environ.get("CLIENTELE_TEST_POSTGRES_URL", "").strip()
        if not pg_url:
            pytest.fail(
                "CLIENTELE_TEST_POSTGRES_URL is not set: the PostgreSQL variant of the API tests "
                "cannot run (scripts/test.sh starts a throwaway PostgreSQL and sets it)",
                pytrace=False,
            )
    binary_path()  # fail early and clearly when the binary is missing
    return Backend(name, tmp_path_factory, pg_url)


@pytest.fixture(scope="session")
def server(backend: Backend):
    """One running server per backend for the whole session."""
    database = backend.fresh_database()
    # Make sure the database is migrated before the server and the tests' CLI calls race.
    run_cli(["workspace", "create", "--name", "Warm-up", "--slug", f"w-{rand_hex(8)}"], database)
    srv = Server(database, backend.log_dir(), f"serve-{backend.name}")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tenant(server: Server) -> Tenant:
    return Tenant(server.database, "main")


@pytest.fixture(scope="module")
def api(server: Server, tenant: Tenant):
    client = tenant.client(server)
    yield client
    client.close()


@pytest.fixture
def anon(server: Server):
    client = Client(server.base_url, None)
    yield client
    client.close()


# --------------------------------------------------------------------------
# SIGTERM (e.g. a CI timeout) ends the run like Ctrl-C, so fixtures stop their servers


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_sessionstart(session: pytest.Session) -> None:
    signal.signal(signal.SIGTERM, _interrupt)


# --------------------------------------------------------------------------
# attach the server log to failing tests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {}) or {}
        seen = set()
        for value in funcargs.values():
            candidates = [value]
            if isinstance(value, dict):
                candidates = list(value.values())
            for candidate in candidates:
                if isinstance(candidate, Server) and id(candidate) not in seen:
                    seen.add(id(candidate))
                    report.sections.append(("clientele server log", candidate.log_tail()))
    return report
