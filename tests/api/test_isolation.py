"""Workspace isolation: two tenants in one database cannot see or touch each other's rows.

Workspace A makes records; workspace B (another user, another token, same
server and database) tries every way in: get, list, filters, patch, delete,
history, trash, restore and search.  Each attempt must answer 404 or an empty
result, and A's data must be unchanged afterwards.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any

import pytest

from conftest import Client, Server, Tenant, assert_problem, rand_hex


class Pair:
    def __init__(self, a: Client, b: Client, a_tenant: Tenant, b_tenant: Tenant):
        self.a, self.b = a, b
        self.a_tenant, self.b_tenant = a_tenant, b_tenant


@pytest.fixture(scope="module")
def pair(server: Server):
    ta = Tenant(server.database, "iso-a")
    tb = Tenant(server.database, "iso-b")
    result = Pair(ta.client(server), tb.client(server), ta, tb)
    yield result
    result.a.close()
    result.b.close()


@pytest.fixture(scope="module")
def a_data(pair: Pair) -> dict[str, Any]:
    """Records in workspace A, including one in A's trash."""
    a = pair.a
    marker = f"iso-{rand_hex()}"
    tail = f"{random.randint(0, 9999999):07d}"
    surname = "Секретов" + "".join(random.choice("абвгдежзиклмнопрстуфхцчшщэюя") for _ in range(6))
    company = a.create("companies", {"name": f"{marker} Тайная компания", "employees": 7})
    contact = a.create("contacts", {
        "first_name": "Алиса", "last_name": surname, "department": marker,
        "phone_mobile": f"8916{tail}", "email": f"alice.{marker}@example.test", "company_id": company["id"],
    })
    deal = a.create("deals", {"title": f"Сделка {marker}", "probability": 60, "company_id": company["id"]})
    assert a.patch(f"contacts/{contact['id']}", {"title": "Директор"}).status_code == 200
    trashed = a.create("contacts", {"first_name": "Удалённый", "last_name": surname + "ов", "department": marker})
    assert a.delete(f"contacts/{trashed['id']}").status_code == 204
    return {
        "marker": marker, "surname": surname, "phone": f"+7 (916) {tail[:3]}-{tail[3:5]}-{tail[5:]}",
        "company": company, "contact": a.fetch("contacts", contact["id"]), "deal": deal, "trashed": trashed,
        "user_id": contact["created_by"],
    }


def test_a_sees_its_own_data(pair: Pair, a_data: dict[str, Any]) -> None:
    # Sanity check: the probes below would be meaningless if A could not see its rows.
    a = pair.a
    assert a.fetch("contacts", a_data["contact"]["id"])["last_name"] == a_data["surname"]
    assert a.list_ids("contacts", {"department": a_data["marker"]}) == [a_data["contact"]["id"]]
    trash, _ = a.walk("trash", {}, limit=50)
    assert a_data["trashed"]["id"] in {e["id"] for e in trash}
    assert a.get(f"contacts/{a_data['contact']['id']}/history").json()["data"]


def test_get_is_404(pair: Pair, a_data: dict[str, Any]) -> None:
    b = pair.b
    assert_problem(b.get(f"contacts/{a_data['contact']['id']}"), 404)
    assert_problem(b.get(f"companies/{a_data['company']['id']}"), 404)
    assert_problem(b.get(f"deals/{a_data['deal']['id']}"), 404)
    assert_problem(b.get(f"contacts/{a_data['trashed']['id']}"), 404)


def test_lists_are_empty(pair: Pair, a_data: dict[str, Any]) -> None:
    b = pair.b
    for entity in ("contacts", "companies", "deals"):
        rows, _ = b.walk(entity, {}, limit=50)
        foreign = {a_data["contact"]["id"], a_data["company"]["id"], a_data["deal"]["id"], a_data["trashed"]["id"]}
        assert not foreign & {r["id"] for r in rows}, f"B's {entity} list shows A's rows"
    assert b.list_ids("contacts", {"department": a_data["marker"]}) == []
    assert b.list_ids("companies", {"name[starts]": a_data["marker"]}) == []
    assert b.list_ids("contacts", {"last_name[contains]": a_data["surname"][:8]}) == []
    assert b.list_ids("contacts", {"q": a_data["surname"]}) == []
    assert b.count("contacts", {"department": a_data["marker"]}) == 0


def test_patch_and_delete_are_404_and_change_nothing(pair: Pair, a_data: dict[str, Any]) -> None:
    a, b = pair.a, pair.b
    cid = a_data["contact"]["id"]
    before = a.fetch("contacts", cid)
    assert_problem(b.patch(f"contacts/{cid}", {"title": "Взломано"}), 404)
    assert_problem(b.patch(f"contacts/{cid}", {"title": "Взломано"}, headers={"If-Match": str(before["version"])}),
                   404)
    assert_problem(b.delete(f"contacts/{cid}"), 404)
    assert_problem(b.delete(f"companies/{a_data['company']['id']}"), 404)
    assert a.fetch("contacts", cid) == before
    assert a.fetch("companies", a_data["company"]["id"])["name"] == a_data["company"]["name"]


def test_history_is_hidden(pair: Pair, a_data: dict[str, Any]) -> None:
    b = pair.b
    cid = a_data["contact"]["id"]
    resp = b.get(f"contacts/{cid}/history")
    if resp.status_code == 200:
        assert resp.json()["data"] == [], "B must not read A's record history"
    else:
        assert_problem(resp, 404)
    rows, _ = b.walk("history", {"entity": "contacts"})
    assert cid not in json.dumps(rows)
    rows, _ = b.walk("history", {"user": a_data["user_id"]})
    assert rows == []
    rows, _ = b.walk("history", {})
    text = json.dumps(rows, ensure_ascii=False)
    for rid in (cid, a_data["company"]["id"], a_data["deal"]["id"], a_data["trashed"]["id"]):
        assert rid not in text


def test_trash_and_restore(pair: Pair, a_data: dict[str, Any]) -> None:
    a, b = pair.a, pair.b
    tid = a_data["trashed"]["id"]
    trash, _ = b.walk("trash", {}, limit=50)
    assert tid not in {e.get("id") for e in trash}
    assert_problem(b.post(f"trash/contacts/{tid}/restore"), 404)
    # Still deleted for A, and still in A's trash.
    assert_problem(a.get(f"contacts/{tid}"), 404)
    trash, _ = a.walk("trash", {}, limit=50)
    assert tid in {e.get("id") for e in trash}


def _wait_search(client: Client, q: str, wanted: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        resp = client.get("search", params={"q": q})
        assert resp.status_code == 200, resp.text
        hits = resp.json()["data"]
        if wanted in {h["id"] for h in hits} or time.monotonic() > deadline:
            return hits
        time.sleep(0.2)


def test_search_is_scoped(pair: Pair, a_data: dict[str, Any]) -> None:
    a, b = pair.a, pair.b
    cid = a_data["contact"]["id"]
    # A finds its contact by name and by phone...
    assert cid in {h["id"] for h in _wait_search(a, a_data["surname"].lower(), cid)}
    assert cid in {h["id"] for h in _wait_search(a, a_data["phone"], cid)}
    # ...B does not, and B's group counts are zero.
    for q in (a_data["surname"], a_data["surname"].lower(), a_data["phone"], a_data["marker"]):
        resp = b.get("search", params={"q": q})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        ids = {h["id"] for h in body["data"]}
        assert not ids & {cid, a_data["company"]["id"], a_data["deal"]["id"], a_data["trashed"]["id"]}, q
        assert all(n == 0 for n in body.get("groups", {}).values()), f"q={q!r}: B's groups {body['groups']!r}"


def test_b_cannot_link_to_a_records(pair: Pair, a_data: dict[str, Any]) -> None:
    """A company id from workspace A is not a valid reference inside workspace B."""
    b = pair.b
    before = b.count("contacts")
    resp = b.post("contacts", {"last_name": "Чужой", "company_id": a_data["company"]["id"]})
    assert_problem(resp, (404, 422))
    assert b.count("contacts") == before


def test_b_own_data_still_works(pair: Pair, a_data: dict[str, Any]) -> None:
    a, b = pair.a, pair.b
    mine = b.create("contacts", {"last_name": a_data["surname"], "department": a_data["marker"]})
    assert b.list_ids("contacts", {"department": a_data["marker"]}) == [mine["id"]]
    assert a.list_ids("contacts", {"department": a_data["marker"]}) == [a_data["contact"]["id"]]
    assert_problem(a.get(f"contacts/{mine['id']}"), 404)
    # Unknown ids answer exactly as foreign ones do (no existence oracle).
    r_foreign = b.get(f"contacts/{a_data['contact']['id']}")
    r_random = b.get(f"contacts/{uuid.uuid4()}")
    assert r_foreign.status_code == r_random.status_code == 404
