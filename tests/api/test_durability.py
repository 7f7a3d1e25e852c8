"""Crash durability: acknowledged writes survive SIGKILL, and nothing is half-written.

Writer threads stream POST /contacts at a dedicated server.  While they run the
server gets SIGKILL (no clean shutdown).  It is restarted on the same database
and then:

* every create that was acknowledged with 201 is readable, with exactly the
  fields the client sent;
* every contact that exists is one the client tried to create and has all of
  its fields (a write that was in flight is either fully there or absent);
* nothing was stored twice, numbers are unique, each record has one "create"
  history entry, and the restarted server accepts new writes.

This runs twice per backend (two kill/restart rounds on the same database).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest
import requests

from conftest import Backend, Client, Server, Tenant, assert_fields, rand_hex

WRITERS = 3
ACKS_BEFORE_KILL = 40
ROUNDS = 2
SOURCES = ["web_form", "call", "email", "import", "referral", "cold_call", "advertising", "exhibition", "partner",
           "other"]


@pytest.fixture
def durable(backend: Backend):
    database = backend.fresh_database()
    tenant = Tenant(database, "durability")
    srv = Server(database, backend.log_dir(), f"durability-{backend.name}")
    srv.start()
    yield srv, tenant
    srv.stop()


def make_body(round_no: int, writer: int, seq: int) -> dict[str, Any]:
    rnd = random.Random(f"{round_no}-{writer}-{seq}")
    tag = rand_hex(6)
    return {
        "first_name": rnd.choice(["Анна", "Борис", "Вера", "Глеб", "Dana", "Eric"]),
        "last_name": f"Durable-{round_no}-{writer}-{seq}-{tag}",
        "middle_name": "Тестович",
        "title": f"Title {seq}",
        "department": f"dur-{round_no}",
        "email": f"d{round_no}.{writer}.{seq}.{tag}@example.test",
        "phone_mobile": f"+7916{rnd.randint(0, 9999999):07d}",
        "birthday": f"19{rnd.randint(50, 99)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
        "source": rnd.choice(SOURCES),
        "do_not_mail": rnd.random() < 0.5,
        "address": {"city": "Казань", "street": f"ул. Баумана, {seq}", "postal_code": "420111", "country": "RU"},
        "description": "Ж" * rnd.randint(0, 3000) + f" end-{tag}",
        "tags": [f"round{round_no}", f"w{writer}"],
    }


class Stream:
    """Writer threads that POST contacts until the server goes away."""

    def __init__(self, server: Server, token: str, round_no: int):
        self.server, self.token, self.round_no = server, token, round_no
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.attempted: dict[str, dict[str, Any]] = {}  # last_name -> body
        self.acked: dict[str, dict[str, Any]] = {}  # id -> body
        self.unexpected: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(w,), daemon=True) for w in range(WRITERS)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def _run(self, writer: int) -> None:
        client = Client(self.server.base_url, self.token)
        try:
            self._write(client, writer)
        finally:
            client.close()

    def _write(self, client: Client, writer: int) -> None:
        seq = 0
        while not self.stop.is_set():
            body = make_body(self.round_no, writer, seq)
            seq += 1
            with self.lock:
                self.attempted[body["last_name"]] = body
            try:
                resp = client.post("contacts", body, timeout=15)
            except requests.RequestException:
                return  # the server is gone; this write may or may not have landed
            if resp.status_code != 201:
                with self.lock:
                    self.unexpected.append(f"{resp.status_code}: {resp.text[:300]}")
                return
            record = resp.json()
            with self.lock:
                self.acked[record["id"]] = body

    def acked_count(self) -> int:
        with self.lock:
            return len(self.acked)

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
            assert not t.is_alive(), "a writer thread hung after the server was killed"


def test_acknowledged_creates_survive_sigkill(durable) -> None:
    srv, tenant = durable
    attempted: dict[str, dict[str, Any]] = {}
    acked: dict[str, dict[str, Any]] = {}

    for round_no in range(1, ROUNDS + 1):
        stream = Stream(srv, tenant.token, round_no)
        stream.start()
        deadline = time.monotonic() + 120
        while stream.acked_count() < ACKS_BEFORE_KILL and not stream.unexpected:
            assert time.monotonic() < deadline, f"only {stream.acked_count()} creates acknowledged in 120 s"
            assert srv.proc is not None and srv.proc.poll() is None, "server died on its own\n" + srv.log_tail()
            time.sleep(0.01)
        assert not stream.unexpected, f"creates failed before the kill: {stream.unexpected[:3]}"
        time.sleep(random.uniform(0.0, 0.2))  # land the kill at an arbitrary point of the stream
        srv.kill()
        stream.join()
        assert not stream.unexpected, f"unexpected answers while streaming: {stream.unexpected[:3]}"
        attempted.update(stream.attempted)
        acked.update(stream.acked)

        srv.start()
        client = Client(srv.base_url, tenant.token)
        try:
            verify(client, attempted, acked, round_no)
        finally:
            client.close()


def verify(api: Client, attempted: dict[str, dict[str, Any]], acked: dict[str, dict[str, Any]], round_no: int) -> None:
    # 1. Every acknowledged create is there, exactly as sent.
    for rid, body in acked.items():
        resp = api.get(f"contacts/{rid}")
        assert resp.status_code == 200, (
            f"round {round_no}: acknowledged contact {rid} ({body['last_name']}) lost after SIGKILL: "
            f"{resp.status_code} {resp.text[:300]}"
        )
        assert_fields(resp.json(), body)

    # 2. Everything that exists is complete and was really sent, once.
    rows, _ = api.walk("contacts", {}, limit=50)
    seen_names: set[str] = set()
    for row in rows:
        name = row.get("last_name")
        assert name in attempted, f"round {round_no}: unexpected or mangled contact {row!r}"[:1000]
        assert name not in seen_names, f"round {round_no}: {name} stored twice"
        seen_names.add(name)
        assert_fields(row, attempted[name])
    listed = {row["id"] for row in rows}
    missing = set(acked) - listed
    assert not missing, f"round {round_no}: {len(missing)} acknowledged contacts are missing from the list"
    assert api.count("contacts") == len(rows)
    numbers = [row["number"] for row in rows]
    assert len(numbers) == len(set(numbers)), f"round {round_no}: duplicate record numbers"
    in_flight_landed = len(rows) - len(acked)
    assert 0 <= in_flight_landed <= len(attempted) - len(acked)
    print(f"round {round_no}: {len(attempted)} creates sent, {len(acked)} acknowledged, "
          f"{in_flight_landed} unacknowledged ones landed")

    # 3. Record and audit trail were written together.
    for row in rows:
        resp = api.get(f"contacts/{row['id']}/history")
        assert resp.status_code == 200, resp.text
        actions = [e["action"] for e in resp.json()["data"]]
        assert actions == ["create"], f"round {round_no}: history of {row['last_name']} is {actions}"

    # 4. The restarted server takes writes again.
    probe = {"last_name": f"After-restart-{round_no}-{rand_hex()}", "department": "probe"}
    resp = api.post("contacts", probe)
    assert resp.status_code == 201, resp.text
    attempted[probe["last_name"]] = probe
    acked[resp.json()["id"]] = probe
