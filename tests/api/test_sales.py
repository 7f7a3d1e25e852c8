"""The sales core, black box: leads and their conversion, pipelines and deals, activities and
repeat series, the timeline, links, counters, duplicates and merges (with undo), follows and
notifications, the priority rule and the funnel.

Most tests share the module's workspace (``tenant``/``api``) and measure what they change
against counts taken at their start.  The end-to-end session gets a workspace of its own, so
that its funnel numbers are exact.  ``member`` is a second, non-admin user of the module's
workspace; ``stranger`` is the admin of another workspace in the same database.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest

from conftest import (
    Client,
    Server,
    Tenant,
    assert_problem,
    is_uuid,
    parse_ts,
    rand_hex,
    run_cli,
)

DEFAULT_STAGES = [
    ("open", "open", 10),
    ("qualification", "open", 20),
    ("proposal", "open", 40),
    ("negotiation", "open", 60),
    ("documents", "open", 80),
    ("won", "won", 100),
    ("lost", "lost", 0),
]


# --------------------------------------------------------------------------
# helpers


def money(amount: str | int, currency: str = "RUB") -> dict[str, Any]:
    return {"amount": str(amount), "currency": currency}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def same_instant(a: Any, b: dt.datetime | str) -> bool:
    other = parse_ts(b) if isinstance(b, str) else b
    return abs((parse_ts(a) - other).total_seconds()) < 0.001


def next_weekday(weekday: int, at_least_days: int = 3) -> dt.datetime:
    """09:00 UTC on the first given weekday (0 = Monday) at least `at_least_days` from now."""
    day = (utc_now() + dt.timedelta(days=at_least_days)).replace(hour=9, minute=0, second=0, microsecond=0)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def ok(resp, status: int = 200) -> dict[str, Any]:
    where = f"{resp.request.method} {resp.request.url}"
    assert resp.status_code == status, f"{where} -> {resp.status_code}, expected {status}: {resp.text[:1500]}"
    return resp.json() if resp.content else {}


def refused(resp, status: int, *, field: str | None = None, code: str | None = None) -> dict[str, Any]:
    """A problem response with `status`; with `field`/`code`, an error naming them (422) or a
    problem type ending in the code (409 and other non-validation problems)."""
    body = assert_problem(resp, status, fields=[field] if field else ())
    if code is None:
        return body
    errors = body.get("errors") or []
    if errors:
        matching = [
            e for e in errors
            if e.get("code") == code and (field is None or e.get("field") == field or str(e.get("field")).startswith(field + "."))
        ]
        assert matching, f"expected an error with code {code!r} (field {field!r}), got {errors!r}"
    else:
        assert str(body.get("type", "")).endswith(":" + code), f"expected problem type ...:{code}, got {body!r}"
    return body


def create(client: Client, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST and expect 201 (likely duplicates are announced in headers, not in the record)."""
    record = client.create(entity, body)
    assert "duplicates" not in record, "the created record's body is the record itself"
    return record


def counts(api: Client, *entities: str) -> dict[str, int]:
    return {entity: api.count(entity) for entity in entities}


def default_pipeline(api: Client) -> dict[str, Any]:
    pipelines = ok(api.get("pipelines"))["data"]
    defaults = [p for p in pipelines if p.get("is_default")]
    assert len(defaults) == 1, f"exactly one default pipeline expected: {pipelines!r}"
    return defaults[0]


def timeline(api: Client, entity: str, record_id: str, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
    """Every timeline item, following next_cursor; returns (items, pages)."""
    items: list[dict[str, Any]] = []
    cursor = None
    for pages in range(1, 500):
        params = {"limit": str(limit)}
        if cursor is not None:
            params["before"] = cursor
        body = ok(api.get(f"{entity}/{record_id}/timeline", params=params))
        assert isinstance(body.get("data"), list) and "next_cursor" in body, f"timeline page shape: {body!r}"
        assert len(body["data"]) <= limit, f"page of {len(body['data'])} items for limit {limit}"
        items.extend(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert body["data"], "a page with a next_cursor must not be empty"
    raise AssertionError("timeline paging did not end")


def item_for(items: list[dict[str, Any]], record_id: str) -> dict[str, Any] | None:
    found = [i for i in items if i.get("record_id") == record_id and i.get("kind") in ("task", "call", "meeting", "note", "comment")]
    assert len(found) <= 1, f"record {record_id} appears {len(found)} times on the timeline"
    return found[0] if found else None


def history(api: Client, entity: str, record_id: str) -> list[dict[str, Any]]:
    return ok(api.get(f"{entity}/{record_id}/history", params={"limit": "500"}))["data"]


def notifications(client: Client) -> dict[str, Any]:
    return ok(client.get("notifications", params={"limit": "200"}))


def relation_ids(api: Client, path: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in ok(api.get(path))["data"]}


class Member:
    """A second, non-admin user of a workspace, with a token."""

    def __init__(self, database: str, tenant: Tenant, label: str):
        self.email = f"{tenant.slug}-{label}@example.test".lower()
        run_cli(
            ["user", "create", "--email", self.email, "--password", f"pw-{rand_hex(16)}", "--name", f"Member {label}",
             "--workspace", tenant.slug],
            database,
        )
        out = run_cli(["token", "create", "--user", self.email, "--workspace", tenant.slug], database)
        self.token = [line.strip() for line in out.splitlines() if line.strip()][-1]


# --------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def member(server: Server, tenant: Tenant, api: Client):
    m = Member(server.database, tenant, "member")
    client = Client(server.base_url, m.token)
    me = ok(client.get("me"))
    assert me["is_admin"] is False
    client.user_id = me["id"]  # type: ignore[attr-defined]
    yield client
    client.close()


@pytest.fixture(scope="module")
def me(api: Client) -> dict[str, Any]:
    return ok(api.get("me"))


@pytest.fixture(scope="module")
def stranger(server: Server):
    other = Tenant(server.database, "sales-other")
    client = other.client(server)
    yield client
    client.close()


@pytest.fixture
def fresh(server: Server):
    """A client in a workspace of its own (nothing else in it)."""
    own = Tenant(server.database, "sales-e2e")
    client = own.client(server)
    yield client
    client.close()


# --------------------------------------------------------------------------
# 1. the acceptance session


def test_end_to_end_sales_session(fresh: Client) -> None:
    api = fresh
    pipeline = default_pipeline(api)
    assert [(s["key"], s["kind"], s["probability"]) for s in pipeline["stages"]] == DEFAULT_STAGES

    # A lead arrives from the web form and is qualified.
    lead_body = {
        "first_name": "Иван", "last_name": "Петров", "company_name": "ООО Северный ветер",
        "title": "Коммерческий директор", "phone": "+7 (912) 345-67-89",
        "email": "ivan.petrov@north-wind.test", "source": "web_form", "industry": "manufacturing",
        "description": "Заявка с сайта: нужен расчёт поставки",
    }
    lead = create(api, "leads", lead_body)
    assert lead["status"] == "new" and lead["number"].startswith("L-")
    assert lead["converted_at"] is None
    assert ok(api.patch(f"leads/{lead['id']}", {"status": "in_progress"}))["status"] == "in_progress"
    assert ok(api.patch(f"leads/{lead['id']}", {"status": "qualified"}))["status"] == "qualified"

    # Conversion into a contact, a new company and a deal.
    result = ok(api.post(f"leads/{lead['id']}/convert", {
        "contact": True,
        "company": {"inn": "7707083893"},
        "deal": {"amount": money(150000), "expected_close_date": "2031-03-31"},
    }))
    converted, contact, company, deal = result["lead"], result["contact"], result["company"], result["deal"]
    assert result["company_created"] is True
    assert converted["status"] == "converted"
    assert converted["converted_contact_id"] == contact["id"]
    assert converted["converted_company_id"] == company["id"]
    assert converted["converted_deal_id"] == deal["id"]
    assert abs((parse_ts(converted["converted_at"]) - utc_now()).total_seconds()) < 300
    for part in (contact, company, deal):
        assert part["lead_id"] == lead["id"]
    assert (contact["first_name"], contact["last_name"]) == ("Иван", "Петров")
    assert contact["title"] == lead_body["title"]
    assert contact["phone_work"] == lead_body["phone"]
    assert contact["email"] == lead["email"]
    assert contact["source"] == "web_form"
    assert contact["company_id"] == company["id"]
    assert company["name"] == "ООО Северный ветер" and company["inn"] == "7707083893"
    assert company["industry"] == "manufacturing"
    assert deal["company_id"] == company["id"] and deal["contact_id"] == contact["id"]
    assert deal["source"] == "web_form"
    assert deal["amount"] == {"amount": 150000, "currency": "RUB"}
    assert deal["pipeline_id"] == pipeline["id"]
    assert (deal["stage"], deal["probability"], deal["closed_on"]) == ("open", 10, None)
    # What the conversion answered is what was stored.
    assert api.fetch("leads", lead["id"]) == converted
    assert api.fetch("contacts", contact["id"]) == contact
    assert api.fetch("companies", company["id"]) == company
    assert api.fetch("deals", deal["id"]) == deal
    # The parts are linked to each other.
    assert contact["id"] in relation_ids(api, f"companies/{company['id']}/contacts")
    assert company["id"] in relation_ids(api, f"contacts/{contact['id']}/companies")
    assert relation_ids(api, f"deals/{deal['id']}/contacts")[contact["id"]]["role"] == "decision_maker"
    lead_items, _ = timeline(api, "leads", lead["id"])
    assert [i["kind"] for i in lead_items] == ["convert", "field_change", "field_change", "create"]
    assert lead_items[0]["actor_id"] == lead["created_by"]

    # The deal goes through every stage to won.
    moved_at = [parse_ts(deal["stage_entered_at"])]
    for key, kind, probability in DEFAULT_STAGES[1:6]:
        updated = ok(api.patch(f"deals/{deal['id']}", {"stage": key}))
        assert updated["stage"] == key
        assert updated["probability"] == probability, f"probability in {key}"
        moved_at.append(parse_ts(updated["stage_entered_at"]))
        if kind == "won":
            assert updated["closed_on"] == updated["updated_at"][:10]
        else:
            assert updated["closed_on"] is None
    assert moved_at == sorted(moved_at)
    won_deal = api.fetch("deals", deal["id"])
    assert (won_deal["stage"], won_deal["probability"]) == ("won", 100)
    stays = ok(api.get(f"deals/{deal['id']}/stages"))["data"]
    assert [s["stage"] for s in stays] == [key for key, _, _ in DEFAULT_STAGES[:6]]
    for earlier, later in zip(stays, stays[1:]):
        assert earlier["left_at"] is not None and same_instant(earlier["left_at"], later["entered_at"])
        assert isinstance(earlier["seconds_in_stage"], int) and earlier["seconds_in_stage"] >= 0
        assert parse_ts(earlier["entered_at"]) <= parse_ts(later["entered_at"])
    assert stays[-1]["left_at"] is None
    assert same_instant(stays[-1]["entered_at"], won_deal["stage_entered_at"])

    # Two more deals for the funnel: one lost after skipping a stage, one still in qualification.
    lost = create(api, "deals", {"title": "Доп. поставка", "amount": money(50000), "company_id": company["id"]})
    assert (lost["stage"], lost["probability"]) == ("open", 10)
    assert ok(api.patch(f"deals/{lost['id']}", {"stage": "proposal"}))["probability"] == 40
    lost = ok(api.patch(f"deals/{lost['id']}", {"stage": "lost", "loss_reason": "price"}))
    assert (lost["probability"], lost["loss_reason"]) == (0, "price")
    assert lost["closed_on"] == lost["updated_at"][:10]
    waiting = create(api, "deals", {"title": "Сервис", "amount": money(20000), "stage": "qualification"})
    assert waiting["probability"] == 20

    # A call, a meeting, a task and a note.
    call = create(api, "activities", {
        "type": "call", "subject": "Обсудили условия", "direction": "outbound", "duration_seconds": 300,
        "parent_type": "deal", "parent_id": deal["id"],
    })
    assert call["status"] == "completed" and call["completed_at"] is not None
    start = (utc_now() + dt.timedelta(days=1)).replace(microsecond=0)
    meeting = create(api, "activities", {
        "type": "meeting", "subject": "Встреча в офисе", "start_at": stamp(start),
        "end_at": stamp(start + dt.timedelta(hours=1)), "parent_type": "contact", "parent_id": contact["id"],
    })
    assert meeting["status"] == "planned" and meeting["completed_at"] is None
    task = create(api, "activities", {
        "type": "task", "subject": "Подготовить договор", "due_at": stamp(start + dt.timedelta(days=1)),
        "parent_type": "company", "parent_id": company["id"],
    })
    note = create(api, "notes", {"body": "Клиент просит скидку 5%", "parent_type": "deal", "parent_id": deal["id"]})

    deal_items, _ = timeline(api, "deals", deal["id"])
    contact_items, _ = timeline(api, "contacts", contact["id"])
    company_items, _ = timeline(api, "companies", company["id"])
    for items in (deal_items, contact_items, company_items):
        ids = [i["id"] for i in items]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), "newest first, each item once"
        times = [parse_ts(i["at"]) for i in items]
        assert times == sorted(times, reverse=True)
    # The deal: its call and note, its stage changes and its conversion; not the others' items.
    assert item_for(deal_items, call["id"])["kind"] == "call"
    assert item_for(deal_items, note["id"])["kind"] == "note"
    assert item_for(deal_items, meeting["id"]) is None and item_for(deal_items, task["id"]) is None
    assert [i["title"] for i in deal_items if i["kind"] == "stage_change"] == [
        key for key, _, _ in reversed(DEFAULT_STAGES[:6])]
    assert any(i["kind"] == "convert" and i["record_id"] == deal["id"] for i in deal_items)
    assert all(i["related"] is False for i in deal_items)
    # The contact: its meeting, and its deal's call and note (related).
    assert item_for(contact_items, meeting["id"])["related"] is False
    assert item_for(contact_items, meeting["id"])["kind"] == "meeting"
    assert item_for(contact_items, call["id"])["related"] is True
    assert item_for(contact_items, note["id"])["related"] is True
    assert item_for(contact_items, task["id"]) is None
    # The company: its task, its contact's meeting and its deals' call and note.
    assert item_for(company_items, task["id"])["related"] is False
    assert item_for(company_items, task["id"])["kind"] == "task"
    for child in (meeting, call, note):
        assert item_for(company_items, child["id"])["related"] is True
    assert item_for(company_items, call["id"])["record"]["id"] == call["id"]
    assert item_for(company_items, call["id"])["parent_id"] == deal["id"]
    lost_changes = [i for i in company_items if i["kind"] == "stage_change" and i["record_id"] == lost["id"]]
    assert [i["title"] for i in lost_changes] == ["lost", "proposal", "open"]

    # The funnel of the pipeline.
    funnel = ok(api.get("reports/funnel", params={"pipeline": pipeline["id"]}))
    assert funnel["deals"] == 3
    by_key = {s["key"]: s for s in funnel["stages"]}
    assert list(by_key) == ["open", "qualification", "proposal", "negotiation", "documents"]
    expected = {
        # key: (reached, amount reached, current)
        "open": (3, 220000, 0),
        "qualification": (3, 220000, 1),
        "proposal": (2, 200000, 0),
        "negotiation": (1, 150000, 0),
        "documents": (1, 150000, 0),
    }
    for key, (reached, amount, current) in expected.items():
        stage = by_key[key]
        assert (stage["reached"], stage["amount"], stage["current"]) == (reached, {"RUB": amount}, current), key
    assert by_key["open"]["conversion_from_previous"] is None
    assert by_key["qualification"]["conversion_from_previous"] == 100
    assert abs(by_key["proposal"]["conversion_from_previous"] - 66.67) < 0.01
    assert by_key["negotiation"]["conversion_from_previous"] == 50
    assert by_key["documents"]["conversion_from_previous"] == 100
    assert funnel["won"]["count"] == 1 and funnel["won"]["amount"] == {"RUB": 150000}
    assert funnel["lost"]["count"] == 1 and funnel["lost"]["amount"] == {"RUB": 50000}
    assert [(r["reason"], r["count"]) for r in funnel["lost"]["reasons"]] == [("price", 1)]
    first_day, last_day = deal["created_at"][:10], waiting["created_at"][:10]
    assert ok(api.get("reports/funnel", params={"period": f"{first_day}..{last_day}"}))["deals"] == 3
    assert ok(api.get("reports/funnel", params={"from": first_day, "to": last_day, "owner": deal["owner_id"]}))["deals"] == 3
    past = ok(api.get("reports/funnel", params={"from": "2001-01-01", "to": "2001-12-31"}))
    assert past["deals"] == 0 and all(s["reached"] == 0 for s in past["stages"]) and past["won"]["count"] == 0
    assert ok(api.get("reports/funnel", params={"owner": str(uuid.uuid4())}))["deals"] == 0

    # A duplicate of the contact, its phone written differently: found on create and on demand.
    twin_body = {
        "first_name": "Ivan", "last_name": "Petrov", "phone_mobile": "89123456789",
        "title": "Director", "department": "Закупки",
    }
    before = api.count("contacts")
    conflict = refused(api.post("contacts", twin_body, params={"on_duplicate": "refuse"}), 409, code="duplicates")
    assert contact["id"] in {d["id"] for d in conflict["duplicates"]}
    assert api.count("contacts") == before, "on_duplicate=refuse must write nothing"
    resp = api.post("contacts", twin_body)
    twin = ok(resp, 201)
    assert resp.headers.get("Clientele-Duplicates") == "1", dict(resp.headers)
    link = resp.headers.get("Link", "")
    assert f"/api/v1/contacts/{twin['id']}/duplicates" in link and 'rel="duplicates"' in link, link
    on_demand = {d["id"]: d for d in ok(api.get(f"contacts/{twin['id']}/duplicates"))["data"]}
    assert set(on_demand) == {contact["id"]}
    assert {"phone", "name"} <= set(on_demand[contact["id"]]["reasons"])
    assert on_demand[contact["id"]]["record"]["id"] == contact["id"]
    by_phone = {d["id"]: d for d in ok(api.get("contacts/duplicates", params={"phone": "8 (912) 345 67 89"}))["data"]}
    assert set(by_phone) == {contact["id"], twin["id"]}
    assert all("phone" in d["reasons"] for d in by_phone.values())

    # The duplicate has history and things attached; merge it into the converted contact.
    ok(api.patch(f"contacts/{twin['id']}", {"telegram": "@ivan_petrov"}))
    twin_note = create(api, "notes", {"body": "Звонил с мобильного", "parent_type": "contact", "parent_id": twin["id"]})
    ok(api.patch(f"deals/{waiting['id']}", {"contact_id": twin["id"]}))
    twin_history = history(api, "contacts", twin["id"])
    assert {e["action"] for e in twin_history} >= {"create", "update"}
    merged = ok(api.post("contacts/merge", {
        "survivor_id": contact["id"], "merged_ids": [twin["id"]], "pick": {"title": twin["id"]},
    }))
    survivor = merged["survivor"]
    assert merged["merge"]["survivor_id"] == contact["id"] and merged["merge"]["merged_ids"] == [twin["id"]]
    assert survivor["id"] == contact["id"]
    assert survivor["title"] == "Director"  # picked
    assert survivor["first_name"] == "Иван"  # the survivor's own value stays
    assert survivor["phone_work"] == contact["phone_work"]
    assert survivor["phone_mobile"] == "89123456789" and survivor["department"] == "Закупки"  # filled
    assert survivor["telegram"] == "@ivan_petrov"
    assert api.fetch("contacts", contact["id"]) == survivor
    refused(api.get(f"contacts/{twin['id']}"), 404)
    trash = ok(api.get("trash", params={"entity": "contacts"}))["data"]
    assert twin["id"] in {t["id"] for t in trash}
    assert api.fetch("notes", twin_note["id"])["parent_id"] == contact["id"]
    assert api.fetch("deals", waiting["id"])["contact_id"] == contact["id"]
    survivor_history = history(api, "contacts", contact["id"])
    mine = {e["id"] for e in survivor_history}
    assert {e["id"] for e in twin_history} <= mine, "the merged contact's history must show under the survivor"
    assert any(e["record_id"] == contact["id"] and e["action"] == "merge" for e in survivor_history)
    assert item_for(timeline(api, "contacts", contact["id"])[0], twin_note["id"])["related"] is False
    assert ok(api.get(f"contacts/{contact['id']}/duplicates"))["data"] == []


# --------------------------------------------------------------------------
# 2. refusals


def test_junk_lead_needs_a_reason(api: Client) -> None:
    before = api.count("leads")
    refused(api.post("leads", {"last_name": "Мусоров", "status": "junk"}), 422, field="junk_reason", code="required")
    assert api.count("leads") == before
    lead = create(api, "leads", {"last_name": "Мусоров", "phone": "+7 900 000-00-01"})
    refused(api.patch(f"leads/{lead['id']}", {"status": "junk"}), 422, field="junk_reason", code="required")
    assert api.fetch("leads", lead["id"]) == lead
    junk = ok(api.patch(f"leads/{lead['id']}", {"status": "junk", "junk_reason": "spam"}))
    assert (junk["status"], junk["junk_reason"]) == ("junk", "spam")
    refused(api.patch(f"leads/{lead['id']}", {"junk_reason": None}), 422, field="junk_reason", code="required")
    assert api.fetch("leads", lead["id"]) == junk


def test_converted_status_only_through_convert(api: Client) -> None:
    before = api.count("leads")
    refused(api.post("leads", {"last_name": "Быстров", "status": "converted"}), 422, field="status", code="use_convert")
    assert api.count("leads") == before
    lead = create(api, "leads", {"last_name": "Быстров", "status": "qualified"})
    refused(api.patch(f"leads/{lead['id']}", {"status": "converted"}), 422, field="status", code="use_convert")
    assert api.fetch("leads", lead["id"]) == lead


def test_converting_twice_is_409_and_a_converted_lead_is_read_only(api: Client) -> None:
    lead = create(api, "leads", {"first_name": "Ольга", "last_name": "Дважды", "company_name": f"Двойка {rand_hex()}"})
    ok(api.post(f"leads/{lead['id']}/convert", {"contact": True, "company": {}, "deal": {}}))
    converted = api.fetch("leads", lead["id"])
    before = counts(api, "contacts", "companies", "deals", "leads")
    refused(api.post(f"leads/{lead['id']}/convert", {"contact": True, "company": {}, "deal": {}}), 409, code="lead_converted")
    refused(api.post(f"leads/{lead['id']}/convert", {"contact": True}), 409, code="lead_converted")
    assert counts(api, "contacts", "companies", "deals", "leads") == before
    for change in ({"title": "Другая"}, {"status": "new"}, {"status": "junk", "junk_reason": "spam"}):
        refused(api.patch(f"leads/{lead['id']}", change), 409, code="lead_converted")
    assert api.fetch("leads", lead["id"]) == converted


def test_converting_a_junk_lead_is_409(api: Client) -> None:
    lead = create(api, "leads", {"last_name": "Спамов", "status": "junk", "junk_reason": "spam"})
    before = counts(api, "contacts", "companies", "deals")
    refused(api.post(f"leads/{lead['id']}/convert", {"contact": True, "company": {}, "deal": {}}), 409, code="lead_junk")
    assert counts(api, "contacts", "companies", "deals") == before
    assert api.fetch("leads", lead["id"]) == lead


def test_conversion_with_an_invalid_deal_writes_nothing(api: Client) -> None:
    lead = create(api, "leads", {
        "first_name": "Анна", "last_name": "Неудачина", "company_name": f"Атомарность {rand_hex()}",
        "phone": "+7 901 111-22-33", "status": "qualified",
    })
    before = counts(api, "contacts", "companies", "deals", "notes", "activities")
    cases = [
        ({"contact": True, "company": {}, "deal": {"stage": "no_such_stage"}}, "deal.stage", "stage_pipeline"),
        ({"contact": True, "company": {}, "deal": {"pipeline_id": str(uuid.uuid4())}}, "deal.pipeline_id", "unknown_pipeline"),
        ({"contact": True, "company": {}, "deal": {"stage": "lost"}}, "deal.loss_reason", "required"),
        ({"contact": True, "company": {"id": str(uuid.uuid4())}, "deal": {}}, "company.id", "reference"),
    ]
    for body, field, code in cases:
        refused(api.post(f"leads/{lead['id']}/convert", body), 422, field=field, code=code)
        assert counts(api, "contacts", "companies", "deals", "notes", "activities") == before, f"{body!r} wrote something"
        assert api.fetch("leads", lead["id"]) == lead, f"{body!r} changed the lead"
    assert api.list_ids("contacts", {"lead_id": lead["id"]}) == []
    assert api.list_ids("deals", {"lead_id": lead["id"]}) == []
    # The same lead converts fine afterwards.
    result = ok(api.post(f"leads/{lead['id']}/convert", {"contact": True, "company": {}, "deal": {"stage": "proposal"}}))
    assert result["deal"]["stage"] == "proposal" and result["deal"]["probability"] == 40
    after = counts(api, "contacts", "companies", "deals")
    assert after == {k: before[k] + 1 for k in after}


def test_pipeline_validation(api: Client, member: Client) -> None:
    before = len(ok(api.get("pipelines"))["data"])
    tag = rand_hex(6)

    def stages(*kinds: str) -> list[dict[str, Any]]:
        return [{"key": f"p{tag}_{i}", "name": f"Этап {i}", "probability": 50, "kind": kind} for i, kind in enumerate(kinds)]

    refused(api.post("pipelines", {"name": "Без выигрыша", "stages": stages("open", "open", "lost")}), 422,
            field="stages", code="outcomes")
    refused(api.post("pipelines", {"name": "Без проигрыша", "stages": stages("open", "won", "open")}), 422,
            field="stages", code="outcomes")
    refused(api.post("pipelines", {"name": "Два выигрыша", "stages": stages("open", "won", "won", "lost")}), 422,
            field="stages", code="outcomes")
    refused(api.post("pipelines", {"name": "Одни исходы", "stages": stages("won", "lost", "won")}), 422,
            field="stages", code="outcomes")
    refused(api.post("pipelines", {"name": "Коротко", "stages": stages("open", "won")}), 422, field="stages", code="invalid")
    refused(api.post("pipelines", {"name": "Плохой ключ", "stages": [{"key": "Bad Key", "name": "X"}] + stages("won", "lost")}),
            422, field="stages[0].key", code="format")
    refused(api.post("pipelines", {"name": "Вероятность", "stages": [
        {"key": f"p{tag}_o", "name": "O", "probability": 150}] + stages("won", "lost")}), 422,
            field="stages[0].probability", code="out_of_range")
    taken = stages("open", "won", "lost")
    taken[0]["key"] = "proposal"  # a stage of the default pipeline
    refused(api.post("pipelines", {"name": "Чужой ключ", "stages": taken}), 422, field="stages[0].key", code="taken")
    refused(api.post("pipelines", {"stages": stages("open", "won", "lost")}), 422, field="name", code="required")
    refused(member.post("pipelines", {"name": "Не админ", "stages": stages("open", "won", "lost")}), 403)
    assert len(ok(api.get("pipelines"))["data"]) == before


def test_pipeline_deletion_refusals(api: Client, member: Client) -> None:
    pipeline = default_pipeline(api)
    refused(api.delete(f"pipelines/{pipeline['id']}"), 409, code="default_pipeline")
    tag = rand_hex(6)
    custom = ok(api.post("pipelines", {"name": f"Занятая {tag}", "stages": [
        {"key": f"d{tag}_a", "name": "A"}, {"key": f"d{tag}_w", "name": "W", "kind": "won"},
        {"key": f"d{tag}_l", "name": "L", "kind": "lost"}]}), 201)
    deal = create(api, "deals", {"title": "Держит воронку", "pipeline_id": custom["id"]})
    refused(member.delete(f"pipelines/{custom['id']}"), 403)
    refused(member.patch(f"pipelines/{custom['id']}", {"name": "Переименовал не админ"}), 403)
    refused(api.delete(f"pipelines/{custom['id']}"), 409, code="pipeline_in_use")
    assert ok(api.get(f"pipelines/{custom['id']}")) == custom
    assert api.fetch("deals", deal["id"])["pipeline_id"] == custom["id"]
    assert ok(api.get(f"pipelines/{pipeline['id']}"))["is_default"] is True


def test_deal_stage_refusals(api: Client) -> None:
    tag = rand_hex(6)
    other = ok(api.post("pipelines", {"name": f"Другая {tag}", "stages": [
        {"key": f"o{tag}_start", "name": "Start", "probability": 5}, {"key": f"o{tag}_won", "name": "Won", "kind": "won"},
        {"key": f"o{tag}_lost", "name": "Lost", "kind": "lost"}]}), 201)
    before = api.count("deals")
    refused(api.post("deals", {"title": "Чужая стадия", "stage": f"o{tag}_start"}), 422, field="stage", code="stage_pipeline")
    refused(api.post("deals", {"title": "Чужая стадия", "pipeline_id": other["id"], "stage": "proposal"}), 422,
            field="stage", code="stage_pipeline")
    refused(api.post("deals", {"title": "Нет воронки", "pipeline_id": str(uuid.uuid4())}), 422,
            field="pipeline_id", code="unknown_pipeline")
    refused(api.post("deals", {"title": "Проиграна молча", "stage": "lost"}), 422, field="loss_reason", code="required")
    refused(api.post("deals", {"title": "Причина не к месту", "stage": "proposal", "loss_reason": "price"}), 422,
            field="loss_reason", code="not_lost")
    assert api.count("deals") == before

    deal = create(api, "deals", {"title": "Живая сделка", "stage": "negotiation", "amount": money(1000)})
    assert deal["probability"] == 60
    for change, field, code in [
        ({"stage": "lost"}, "loss_reason", "required"),
        ({"stage": f"o{tag}_won"}, "stage", "stage_pipeline"),
        ({"pipeline_id": str(uuid.uuid4())}, "pipeline_id", "unknown_pipeline"),
        ({"loss_reason": "price"}, "loss_reason", "not_lost"),
    ]:
        refused(api.patch(f"deals/{deal['id']}", change), 422, field=field, code=code)
    refused(api.patch(f"deals/{deal['id']}", {"probability": 150}), 422, field="probability")
    assert api.fetch("deals", deal["id"]) == deal
    assert [s["stage"] for s in ok(api.get(f"deals/{deal['id']}/stages"))["data"]] == ["negotiation"]
    lost = ok(api.patch(f"deals/{deal['id']}", {"stage": "lost", "loss_reason": "competitor"}))
    refused(api.patch(f"deals/{deal['id']}", {"loss_reason": None}), 422, field="loss_reason", code="required")
    assert api.fetch("deals", deal["id"]) == lost


def test_activity_refusals(api: Client) -> None:
    before = api.count("activities")
    start = utc_now().replace(microsecond=0) + dt.timedelta(days=2)
    cases = [
        ({"type": "meeting", "subject": "Без начала"}, "start_at", "required"),
        ({"type": "meeting", "subject": "Наоборот", "start_at": stamp(start), "end_at": stamp(start - dt.timedelta(hours=1))},
         "end_at", "before_start"),
        ({"type": "task", "subject": "Бесконечно", "due_at": stamp(start), "repeat": {"frequency": "weekly"}},
         "repeat", "repeat_end_required"),
        ({"type": "meeting", "subject": "Бесконечно", "start_at": stamp(start), "repeat": {"frequency": "daily", "interval": 2}},
         "repeat", "repeat_end_required"),
        ({"type": "call", "subject": "Повторный звонок", "repeat": {"frequency": "daily", "count": 3}}, "repeat", "not_repeatable"),
        ({"type": "task", "subject": "Два конца", "due_at": stamp(start),
          "repeat": {"frequency": "daily", "count": 3, "until": "2040-01-01"}}, "repeat", "repeat_end_conflict"),
        ({"type": "task", "subject": "Повтор без срока", "repeat": {"frequency": "daily", "count": 3}}, "due_at", "required"),
        ({"type": "task", "subject": "Сирота", "parent_type": "deal", "parent_id": str(uuid.uuid4())}, "parent_id", "reference"),
        ({"type": "task", "subject": "Полродителя", "parent_type": "deal"}, "parent_id", "required"),
    ]
    for body, field, code in cases:
        refused(api.post("activities", body), 422, field=field, code=code)
    assert api.count("activities") == before
    meeting = create(api, "activities", {"type": "meeting", "subject": "Нормальная", "start_at": stamp(start),
                                        "end_at": stamp(start + dt.timedelta(hours=1))})
    refused(api.patch(f"activities/{meeting['id']}", {"end_at": stamp(start - dt.timedelta(minutes=5))}), 422,
            field="end_at", code="before_start")
    refused(api.patch(f"activities/{meeting['id']}", {"start_at": None}), 422, field="start_at", code="required")
    assert api.fetch("activities", meeting["id"]) == meeting


def test_deal_contact_role_must_be_known(api: Client) -> None:
    deal = create(api, "deals", {"title": "Роли"})
    contact = create(api, "contacts", {"last_name": "Ролевой"})
    refused(api.post(f"deals/{deal['id']}/contacts", {"id": contact["id"], "role": "boss"}), 422, field="role", code="choice")
    refused(api.post(f"contacts/{contact['id']}/companies", {"id": str(uuid.uuid4())}), 422, field="id", code="reference")
    refused(api.post(f"contacts/{contact['id']}/companies", {"id": deal["id"]}), 422, field="id", code="reference")
    assert ok(api.get(f"deals/{deal['id']}/contacts"))["data"] == []
    assert ok(api.get(f"contacts/{contact['id']}/deals"))["data"] == []
    assert ok(api.get(f"contacts/{contact['id']}/companies"))["data"] == []


def test_counters_of_others_follow_the_read_scope(api: Client, member: Client, me: dict[str, Any]) -> None:
    """The member has the default profile (everything, everyone's): they see everyone's work, as an
    administrator does. Narrower scopes: test_accounts.test_counters_count_only_what_the_caller_reads."""
    own = ok(member.get("counters"))
    assert own["user_id"] == member.user_id  # type: ignore[attr-defined]
    for client in (api, member):
        team = ok(client.get("counters", params={"team": "true"}))["data"]
        assert {me["id"], member.user_id} <= {row["user_id"] for row in team}  # type: ignore[attr-defined]
    assert ok(api.get("counters", params={"user_id": member.user_id}))["user_id"] == member.user_id  # type: ignore[attr-defined]
    assert ok(member.get("counters", params={"user_id": me["id"]}))["user_id"] == me["id"]


def test_merge_refusals(api: Client, stranger: Client) -> None:
    keep = create(api, "contacts", {"first_name": "Остап", "last_name": "Остающийся", "email": f"ostap.{rand_hex()}@example.test"})
    other = create(api, "contacts", {"first_name": "Остап", "last_name": "Остающийся"})
    company = create(api, "companies", {"name": f"Не контакт {rand_hex()}"})
    foreign = create(stranger, "contacts", {"first_name": "Остап", "last_name": "Чужой"})
    before = counts(api, "contacts", "companies")
    trash_before = ok(api.get("trash"))["data"]
    cases = [
        ({"survivor_id": keep["id"], "merged_ids": [company["id"]]}, "merged_ids", "not_found"),
        ({"survivor_id": company["id"], "merged_ids": [other["id"]]}, "survivor_id", "not_found"),
        ({"survivor_id": keep["id"], "merged_ids": [foreign["id"]]}, "merged_ids", "not_found"),
        ({"survivor_id": foreign["id"], "merged_ids": [other["id"]]}, "survivor_id", "not_found"),
        ({"survivor_id": keep["id"], "merged_ids": [keep["id"]]}, "merged_ids", "survivor_included"),
        ({"survivor_id": keep["id"], "merged_ids": [other["id"], keep["id"]]}, "merged_ids", "survivor_included"),
        ({"survivor_id": keep["id"], "merged_ids": []}, "merged_ids", "required"),
        ({"survivor_id": keep["id"], "merged_ids": [other["id"]], "pick": {"email": company["id"]}}, "pick.email", "not_merged"),
    ]
    for body, field, code in cases:
        refused(api.post("contacts/merge", body), 422, field=field, code=code)
    assert counts(api, "contacts", "companies") == before
    assert ok(api.get("trash"))["data"] == trash_before
    assert api.fetch("contacts", keep["id"]) == keep
    assert api.fetch("contacts", other["id"]) == other
    assert stranger.fetch("contacts", foreign["id"]) == foreign
    # The stranger cannot merge our records either.
    refused(stranger.post("contacts/merge", {"survivor_id": foreign["id"], "merged_ids": [other["id"]]}), 422,
            field="merged_ids", code="not_found")
    assert api.fetch("contacts", other["id"]) == other


def test_funnel_of_an_unknown_pipeline_is_422(api: Client) -> None:
    refused(api.get("reports/funnel", params={"pipeline": str(uuid.uuid4())}), 422, field="pipeline", code="unknown_pipeline")
    refused(api.get("reports/funnel", params={"pipeline": "nope"}), 422, field="pipeline", code="unknown_pipeline")
    refused(api.get("reports/funnel", params={"period": "2024-01-01"}), 422, field="period")
    refused(api.get("reports/funnel", params={"from": "yesterday"}), 422, field="from")


def test_settings_need_an_admin(api: Client, member: Client) -> None:
    before = ok(api.get("settings/sales"))
    refused(member.patch("settings/sales", {"deal_priority_threshold": {"RUB": 1}}), 403)
    refused(api.patch("settings/sales", {"deal_priority_threshold": {"rub": 1}}), 422, field="deal_priority_threshold.rub")
    refused(api.patch("settings/sales", {"deal_priority_threshold": {"RUB": -5}}), 422, field="deal_priority_threshold.RUB")
    assert ok(api.get("settings/sales")) == before


def test_convert_into_an_existing_company(api: Client) -> None:
    company = create(api, "companies", {"name": f"Существующая {rand_hex()}", "industry": "retail"})
    lead = create(api, "leads", {
        "first_name": "Глеб", "last_name": "Переходов", "company_name": "Не та компания", "email": f"gleb.{rand_hex()}@example.test",
        "source": "referral", "status": "qualified",
    })
    before = counts(api, "contacts", "companies", "deals")
    result = ok(api.post(f"leads/{lead['id']}/convert", {
        "contact": {"first_name": "Глеб Иванович", "title": "Закупщик"},
        "company": {"id": company["id"]},
        "deal": {"title": "Поставка для существующей", "amount": money("4200.10", "EUR"), "stage": "negotiation"},
    }))
    assert result["company_created"] is False
    assert result["company"]["id"] == company["id"]
    assert api.fetch("companies", company["id"]) == company, "linking an existing company must not change it"
    contact, deal = result["contact"], result["deal"]
    assert (contact["first_name"], contact["last_name"], contact["title"]) == ("Глеб Иванович", "Переходов", "Закупщик")
    assert contact["company_id"] == company["id"] and contact["source"] == "referral" and contact["lead_id"] == lead["id"]
    assert (deal["title"], deal["stage"], deal["probability"]) == ("Поставка для существующей", "negotiation", 60)
    assert deal["amount"] == {"amount": 4200.1, "currency": "EUR"}
    assert (deal["company_id"], deal["contact_id"], deal["source"]) == (company["id"], contact["id"], "referral")
    assert result["lead"]["converted_company_id"] == company["id"]
    after = counts(api, "contacts", "companies", "deals")
    assert after == {"contacts": before["contacts"] + 1, "companies": before["companies"], "deals": before["deals"] + 1}
    assert contact["id"] in relation_ids(api, f"companies/{company['id']}/contacts")
    # A conversion that creates only a contact leaves the other links empty.
    solo = create(api, "leads", {"first_name": "Одна", "last_name": "Контактова"})
    only = ok(api.post(f"leads/{solo['id']}/convert", {"contact": True}))
    assert only["company"] is None and only["deal"] is None and only["company_created"] is False
    assert only["contact"]["company_id"] is None
    assert (only["lead"]["converted_contact_id"], only["lead"]["converted_deal_id"]) == (only["contact"]["id"], None)


def test_duplicate_matching_rules(api: Client, stranger: Client) -> None:
    digits = "9" + "".join(random.choice("0123456789") for _ in range(9))
    tag = rand_hex()
    person = create(api, "contacts", {
        "first_name": "Анна", "last_name": f"Дубль{tag}", "phone_work": f"+7 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        "email": f"Anna.Dubl.{tag}@Example.test",
    })

    def matches(entity: str, **query: str) -> dict[str, list[str]]:
        return {d["id"]: d["reasons"] for d in ok(api.get(f"{entity}/duplicates", params=query))["data"]}

    for phone in (f"8{digits}", f"8 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}", f"+7{digits}",
                  f"7-{digits[:3]}-{digits[3:]}"):
        assert "phone" in matches("contacts", phone=phone).get(person["id"], []), phone
    other_digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert person["id"] not in matches("contacts", phone=f"8{other_digits}")
    assert matches("contacts", email=f"anna.dubl.{tag}@EXAMPLE.TEST").get(person["id"]) == ["email"]
    assert person["id"] not in matches("contacts", email=f"anna.dubl.{tag}x@example.test")
    # Another workspace never sees them, even with its own record of the same phone.
    theirs = create(stranger, "contacts", {"last_name": "Чужой", "phone_mobile": f"8{digits}"})
    assert ok(stranger.get("contacts/duplicates", params={"phone": f"8{digits}"}))["data"][0]["id"] == theirs["id"]
    assert len(ok(stranger.get("contacts/duplicates", params={"phone": f"8{digits}"}))["data"]) == 1
    assert theirs["id"] not in matches("contacts", phone=f"8{digits}")
    refused(stranger.get(f"contacts/{person['id']}/duplicates"), 404)
    refused(api.get("contacts/duplicates"), 422)
    refused(api.get("contacts/duplicates", params={"no_such_field": "1"}), 422, field="no_such_field")

    # Names across Cyrillic and Latin.
    table = {"б": "b", "в": "v", "д": "d", "к": "k", "л": "l", "м": "m", "н": "n", "п": "p", "р": "r", "с": "s", "т": "t"}
    letters = [random.choice(list(table)) + random.choice("ао") for _ in range(3)]
    cyrillic = "".join(letters).capitalize() + "ов"
    latin = "".join(table[p[0]] + {"а": "a", "о": "o"}[p[1]] for p in letters).capitalize() + "ov"
    named = create(api, "contacts", {"first_name": "Зинаида", "last_name": cyrillic})
    found = matches("contacts", name=f"Zinaida {latin}")
    assert "name" in found.get(named["id"], []), f"{cyrillic} ~ {latin}: {found}"
    assert named["id"] not in matches("contacts", name="Zinaida Abramovich-Kowalski")

    # Companies by INN, however it is written; leads by phone.
    inn = "77" + "".join(random.choice("0123456789") for _ in range(8))
    firm = create(api, "companies", {"name": f"ИНН-тест {tag}", "inn": inn})
    assert matches("companies", inn=inn).get(firm["id"]) == ["inn"]
    before = api.count("companies")
    conflict = refused(api.post("companies", {"name": f"Другое имя {tag}", "inn": inn}, params={"on_duplicate": "refuse"}),
                       409, code="duplicates")
    assert firm["id"] in {d["id"] for d in conflict["duplicates"]}
    assert api.count("companies") == before
    refused(api.post("companies", {"name": f"Другое имя {tag}", "inn": inn}, params={"on_duplicate": "maybe"}), 422,
            field="on_duplicate")
    assert api.count("companies") == before
    resp = api.post("companies", {"name": f"Другое имя {tag}", "inn": inn}, params={"on_duplicate": "allow"})
    twin = ok(resp, 201)
    assert resp.headers.get("Clientele-Duplicates") == "1"
    assert set(d["id"] for d in ok(api.get(f"companies/{twin['id']}/duplicates"))["data"]) == {firm["id"]}
    unique = api.post("companies", {"name": f"Совсем другая {rand_hex()}", "inn": "12" + inn[2:][::-1]})
    ok(unique, 201)
    assert "Clientele-Duplicates" not in unique.headers

    lead = create(api, "leads", {"first_name": "Анна", "last_name": f"Лидова{tag}", "mobile": f"8{digits}"})
    assert "phone" in matches("leads", phone=f"+7 {digits}").get(lead["id"], [])
    assert person["id"] not in matches("leads", phone=f"+7 {digits}"), "lead duplicates are leads"

    # The keys follow the record: after a change of phone only the new number finds it; in the
    # trash it is no candidate; restored, it is one again.
    new_digits = digits[:-1] + str((int(digits[-1]) + 5) % 10)
    assert api.patch(f"contacts/{person['id']}", {"phone_work": f"8{new_digits}"}).status_code == 200
    assert "phone" in matches("contacts", phone=f"+7{new_digits}").get(person["id"], [])
    assert person["id"] not in matches("contacts", phone=f"+7{digits}")
    assert matches("contacts", email=f"anna.dubl.{tag}@example.test").get(person["id"]) == ["email"]
    assert api.delete(f"contacts/{person['id']}").status_code in (200, 204)
    assert person["id"] not in matches("contacts", phone=f"+7{new_digits}")
    assert person["id"] not in matches("contacts", email=f"anna.dubl.{tag}@example.test")
    assert api.post(f"trash/contacts/{person['id']}/restore").status_code == 200
    assert "phone" in matches("contacts", phone=f"+7{new_digits}").get(person["id"], [])


# --------------------------------------------------------------------------
# 3. features


def test_merge_undo_by_endpoint_brings_everything_back(api: Client) -> None:
    tag = rand_hex()
    keep = create(api, "companies", {"name": f"Альфа {tag}", "phone": "+7 495 100-00-00"})
    gone = create(api, "companies", {"name": f"Alfa Ltd {tag}", "website": "https://alfa.example.test", "inn": "7707083893",
                                    "phone": "+7 495 100-00-00", "tags": ["merged-tag"]})
    worker = create(api, "contacts", {"last_name": "Сотрудник", "company_id": gone["id"]})
    deal = create(api, "deals", {"title": f"Сделка {tag}", "company_id": gone["id"]})
    task = create(api, "activities", {"type": "task", "subject": "Позвонить", "parent_type": "company", "parent_id": gone["id"]})
    note = create(api, "notes", {"body": "Заметка", "parent_type": "company", "parent_id": gone["id"]})
    gone = api.fetch("companies", gone["id"])
    assert worker["id"] in relation_ids(api, f"companies/{gone['id']}/contacts")
    keep_history = {e["id"] for e in history(api, "companies", keep["id"])}

    result = ok(api.post("companies/merge", {"survivor_id": keep["id"], "merged_ids": [gone["id"]], "pick": {"name": gone["id"]}}))
    merge = result["merge"]
    survivor = result["survivor"]
    assert survivor["name"] == gone["name"]
    assert survivor["website"] == gone["website"] and survivor["inn"] == "7707083893"
    assert "merged-tag" in survivor["tags"]
    assert api.fetch("contacts", worker["id"])["company_id"] == keep["id"]
    assert api.fetch("deals", deal["id"])["company_id"] == keep["id"]
    assert api.fetch("activities", task["id"])["parent_id"] == keep["id"]
    assert api.fetch("notes", note["id"])["parent_id"] == keep["id"]
    assert worker["id"] in relation_ids(api, f"companies/{keep['id']}/contacts")
    refused(api.get(f"companies/{gone['id']}"), 404)

    undone = ok(api.post(f"merges/{merge['id']}/undo"))
    assert undone["id"] == merge["id"] and undone["undone_at"] is not None
    back = api.fetch("companies", gone["id"])
    for field in ("name", "website", "inn", "phone", "tags", "number"):
        assert back[field] == gone[field], field
    restored = api.fetch("companies", keep["id"])
    assert restored["name"] == keep["name"]
    assert restored["website"] is None and restored["inn"] is None
    assert restored["tags"] == keep["tags"]
    assert api.fetch("contacts", worker["id"])["company_id"] == gone["id"]
    assert api.fetch("deals", deal["id"])["company_id"] == gone["id"]
    assert api.fetch("activities", task["id"])["parent_id"] == gone["id"]
    assert api.fetch("notes", note["id"])["parent_id"] == gone["id"]
    assert worker["id"] in relation_ids(api, f"companies/{gone['id']}/contacts")
    assert gone["id"] not in {t["id"] for t in ok(api.get("trash", params={"entity": "companies"}))["data"]}
    # The history of the merged company is its own again.
    keep_ids = {e["record_id"] for e in history(api, "companies", keep["id"])}
    assert keep_ids == {keep["id"]}
    assert keep_history <= {e["id"] for e in history(api, "companies", keep["id"])}

    refused(api.post(f"merges/{merge['id']}/undo"), 409, code="merge_undone")
    refused(api.post(f"merges/{uuid.uuid4()}/undo"), 404)


def test_merge_undo_unlinks_contacts_from_the_survivor(api: Client) -> None:
    tag = rand_hex()
    keep = create(api, "companies", {"name": f"Остаётся {tag}"})
    gone = create(api, "companies", {"name": f"Уходит {tag}"})
    worker = create(api, "contacts", {"last_name": f"Работник{tag}", "company_id": gone["id"]})
    assert set(relation_ids(api, f"contacts/{worker['id']}/companies")) == {gone["id"]}
    assert relation_ids(api, f"companies/{keep['id']}/contacts") == {}
    merge = ok(api.post("companies/merge", {"survivor_id": keep["id"], "merged_ids": [gone["id"]]}))["merge"]
    assert set(relation_ids(api, f"companies/{keep['id']}/contacts")) == {worker["id"]}
    ok(api.post(f"merges/{merge['id']}/undo"))
    assert api.fetch("contacts", worker["id"])["company_id"] == gone["id"]
    assert set(relation_ids(api, f"contacts/{worker['id']}/companies")) == {gone["id"]}
    assert relation_ids(api, f"companies/{keep['id']}/contacts") == {}


def test_survivor_history_includes_every_entry_of_the_merged_record(api: Client) -> None:
    tag = rand_hex()
    keep = create(api, "contacts", {"first_name": "История", "last_name": f"Живая{tag}"})
    gone = create(api, "contacts", {"first_name": "История", "last_name": f"Слитая{tag}"})
    ok(api.patch(f"contacts/{gone['id']}", {"title": "Бывший"}))
    ok(api.post("contacts/merge", {"survivor_id": keep["id"], "merged_ids": [gone["id"]]}))
    gone_entries = history(api, "contacts", gone["id"])
    assert [e["action"] for e in gone_entries] == ["merge", "update", "create"]
    survivor_ids = {e["id"] for e in history(api, "contacts", keep["id"])}
    missing = [(e["action"], e["record_id"]) for e in gone_entries if e["id"] not in survivor_ids]
    assert missing == [], f"entries of the merged record missing from the survivor's history: {missing}"


def test_a_restored_deal_never_points_at_a_deleted_pipeline(api: Client) -> None:
    tag = rand_hex(6)
    pipeline = ok(api.post("pipelines", {"name": f"Временная {tag}", "stages": [
        {"key": f"t{tag}_a", "name": "A"}, {"key": f"t{tag}_w", "name": "W", "kind": "won"},
        {"key": f"t{tag}_l", "name": "L", "kind": "lost"}]}), 201)
    deal = create(api, "deals", {"title": "В корзине", "pipeline_id": pipeline["id"]})
    assert api.delete(f"deals/{deal['id']}").status_code == 204
    deleted = api.delete(f"pipelines/{pipeline['id']}")
    assert deleted.status_code in (204, 409), deleted.text
    ok(api.post(f"trash/deals/{deal['id']}/restore"))
    pipelines = {p["id"]: p for p in ok(api.get("pipelines"))["data"]}
    restored = api.fetch("deals", deal["id"])
    assert restored["pipeline_id"] in pipelines, "the restored deal points at a pipeline that does not exist"
    assert restored["stage"] in [s["key"] for s in pipelines[restored["pipeline_id"]]["stages"]]
    ok(api.patch(f"deals/{deal['id']}", {"description": "после восстановления"}))


def test_merge_undo_by_restoring_from_trash(api: Client) -> None:
    tag = rand_hex()
    keep = create(api, "contacts", {"first_name": "Пётр", "last_name": f"Сливкин{tag}", "email": f"petr.{tag}@example.test"})
    gone = create(api, "contacts", {"first_name": "Petr", "last_name": f"Slivkin{tag}", "email": f"slivkin.{tag}@example.test",
                                   "phone_mobile": "+7 903 555-44-33"})
    third = create(api, "contacts", {"first_name": "Пётр", "last_name": f"Сливкин{tag}", "telegram": "@slivkin"})
    deal = create(api, "deals", {"title": f"Через корзину {tag}", "contact_id": gone["id"]})
    call = create(api, "activities", {"type": "call", "subject": "Звонок", "parent_type": "contact", "parent_id": gone["id"]})
    note = create(api, "notes", {"body": "Третий", "parent_type": "contact", "parent_id": third["id"]})
    ok(api.post(f"deals/{deal['id']}/contacts", {"id": gone["id"], "role": "influencer"}), 201)
    before = api.count("contacts")

    result = ok(api.post("contacts/merge", {"survivor_id": keep["id"], "merged_ids": [gone["id"], third["id"]],
                                            "pick": {"email": gone["id"]}}))
    assert result["survivor"]["telegram"] == "@slivkin"
    assert api.count("contacts") == before - 2
    assert api.fetch("notes", note["id"])["parent_id"] == keep["id"]
    assert result["survivor"]["email"] == gone["email"]
    assert result["survivor"]["phone_mobile"] == gone["phone_mobile"]
    assert api.fetch("deals", deal["id"])["contact_id"] == keep["id"]
    assert api.fetch("activities", call["id"])["parent_id"] == keep["id"]
    assert keep["id"] in relation_ids(api, f"deals/{deal['id']}/contacts")

    restored = ok(api.post(f"trash/contacts/{gone['id']}/restore"))
    assert restored["id"] == gone["id"]
    # Restoring one merged record undoes the whole merge: the other one is back too.
    assert api.count("contacts") == before
    back = api.fetch("contacts", third["id"])
    assert {k: v for k, v in back.items() if k not in ("version", "updated_at")} == {
        k: v for k, v in third.items() if k not in ("version", "updated_at")}
    assert api.fetch("notes", note["id"])["parent_id"] == third["id"]
    assert api.fetch("contacts", gone["id"])["email"] == gone["email"]
    survivor = api.fetch("contacts", keep["id"])
    assert survivor["email"] == keep["email"] and survivor["phone_mobile"] is None and survivor["telegram"] is None
    assert api.fetch("deals", deal["id"])["contact_id"] == gone["id"]
    assert api.fetch("activities", call["id"])["parent_id"] == gone["id"]
    links = relation_ids(api, f"deals/{deal['id']}/contacts")
    assert gone["id"] in links and links[gone["id"]]["role"] == "influencer"
    assert keep["id"] not in links
    refused(api.post(f"merges/{result['merge']['id']}/undo"), 409, code="merge_undone")


def test_repeat_series(api: Client) -> None:
    monday = next_weekday(0, at_least_days=7)
    weekly = create(api, "activities", {
        "type": "task", "subject": f"Еженедельный отчёт {rand_hex()}", "due_at": stamp(monday),
        "repeat": {"frequency": "weekly", "weekdays": ["mon"], "count": 4},
    })
    assert weekly["series_id"] == weekly["id"]
    series = api.walk("activities", {"series_id": weekly["id"], "sort": "due_at"})[0]
    assert len(series) == 4
    assert [parse_ts(a["due_at"]) for a in series] == [monday + dt.timedelta(weeks=i) for i in range(4)]
    assert {a["series_id"] for a in series} == {weekly["id"]}
    assert series[0]["id"] == weekly["id"]
    assert all(a["subject"] == weekly["subject"] and a["status"] == "planned" for a in series)

    # Every other week on Monday and Thursday, five times.
    both = create(api, "activities", {
        "type": "task", "subject": "Планёрка", "due_at": stamp(monday),
        "repeat": {"frequency": "weekly", "interval": 2, "weekdays": ["mon", "thu"], "count": 5},
    })
    dues = [parse_ts(a["due_at"]) for a in api.walk("activities", {"series_id": both["id"], "sort": "due_at"})[0]]
    assert dues == [monday + dt.timedelta(days=d) for d in (0, 3, 14, 17, 28)]

    # Daily every second day until a date (inclusive); a meeting keeps its length.
    start = monday + dt.timedelta(hours=1)
    daily = create(api, "activities", {
        "type": "meeting", "subject": "Стендап", "start_at": stamp(start), "end_at": stamp(start + dt.timedelta(minutes=30)),
        "repeat": {"frequency": "daily", "interval": 2, "until": (start + dt.timedelta(days=8)).strftime("%Y-%m-%d")},
    })
    meetings = api.walk("activities", {"series_id": daily["id"], "sort": "start_at"})[0]
    assert [parse_ts(m["start_at"]) for m in meetings] == [start + dt.timedelta(days=d) for d in (0, 2, 4, 6, 8)]
    assert all(parse_ts(m["end_at"]) - parse_ts(m["start_at"]) == dt.timedelta(minutes=30) for m in meetings)

    # Completing one occurrence stamps it; reopening clears the stamp; the others are untouched.
    second = series[1]
    done = ok(api.patch(f"activities/{second['id']}", {"status": "completed"}))
    assert done["completed_at"] is not None
    assert abs((parse_ts(done["completed_at"]) - utc_now()).total_seconds()) < 300
    assert ok(api.patch(f"activities/{second['id']}", {"status": "planned"}))["completed_at"] is None
    assert api.fetch("activities", series[2]["id"]) == series[2]
    # The rule is fixed once the series exists.
    refused(api.patch(f"activities/{weekly['id']}", {"repeat": {"frequency": "daily", "count": 2}}), 422,
            field="repeat", code="read_only")
    assert api.count("activities", {"series_id": weekly["id"]}) == 4


def test_links_between_contacts_companies_and_deals(api: Client) -> None:
    tag = rand_hex()
    person = create(api, "contacts", {"first_name": "Лев", "last_name": f"Совместитель{tag}"})
    first = create(api, "companies", {"name": f"Первая {tag}"})
    second = create(api, "companies", {"name": f"Вторая {tag}"})

    link = ok(api.post(f"contacts/{person['id']}/companies", {"id": first["id"], "title": "CTO", "is_primary": True}), 201)
    assert (link["id"], link["title"], link["is_primary"]) == (first["id"], "CTO", True)
    ok(api.post(f"contacts/{person['id']}/companies", {"id": second["id"], "title": "Советник"}), 201)
    companies = relation_ids(api, f"contacts/{person['id']}/companies")
    assert set(companies) == {first["id"], second["id"]}
    assert companies[second["id"]]["title"] == "Советник" and companies[second["id"]]["is_primary"] is False
    assert companies[first["id"]]["record"]["name"] == first["name"]
    in_first = relation_ids(api, f"companies/{first['id']}/contacts")
    assert set(in_first) == {person["id"]} and in_first[person["id"]]["title"] == "CTO"
    assert set(relation_ids(api, f"companies/{second['id']}/contacts")) == {person["id"]}
    # The same link posted again updates it rather than doubling it.
    ok(api.post(f"contacts/{person['id']}/companies", {"id": second["id"], "title": "Партнёр"}), 201)
    companies = relation_ids(api, f"contacts/{person['id']}/companies")
    assert len(ok(api.get(f"contacts/{person['id']}/companies"))["data"]) == 2
    assert companies[second["id"]]["title"] == "Партнёр"

    assert api.delete(f"contacts/{person['id']}/companies/{second['id']}").status_code == 204
    assert set(relation_ids(api, f"contacts/{person['id']}/companies")) == {first["id"]}
    assert relation_ids(api, f"companies/{second['id']}/contacts") == {}
    refused(api.delete(f"contacts/{person['id']}/companies/{second['id']}"), 404)
    # A company's timeline follows its linked contacts too (the person has no company_id).
    assert person["company_id"] is None
    remark = create(api, "notes", {"body": "Через связь", "parent_type": "contact", "parent_id": person["id"]})
    assert item_for(timeline(api, "companies", first["id"])[0], remark["id"])["related"] is True
    assert item_for(timeline(api, "companies", second["id"])[0], remark["id"]) is None

    # Deal contacts with roles, seen from both sides.
    deal = create(api, "deals", {"title": f"Сделка с ролями {tag}", "company_id": first["id"]})
    buyer = create(api, "contacts", {"last_name": f"Бюджетов{tag}"})
    ok(api.post(f"deals/{deal['id']}/contacts", {"id": person["id"], "role": "decision_maker"}), 201)
    ok(api.post(f"deals/{deal['id']}/contacts", {"id": buyer["id"], "role": "influencer"}), 201)
    roles = {k: v["role"] for k, v in relation_ids(api, f"deals/{deal['id']}/contacts").items()}
    assert roles == {person["id"]: "decision_maker", buyer["id"]: "influencer"}
    ok(api.post(f"deals/{deal['id']}/contacts", {"id": buyer["id"], "role": "economic_buyer"}), 201)
    assert relation_ids(api, f"deals/{deal['id']}/contacts")[buyer["id"]]["role"] == "economic_buyer"
    seen = relation_ids(api, f"contacts/{buyer['id']}/deals")
    assert set(seen) == {deal["id"]} and seen[deal["id"]]["role"] == "economic_buyer"
    assert api.delete(f"deals/{deal['id']}/contacts/{buyer['id']}").status_code == 204
    assert set(relation_ids(api, f"deals/{deal['id']}/contacts")) == {person["id"]}
    assert relation_ids(api, f"contacts/{buyer['id']}/deals") == {}
    refused(api.get(f"deals/{deal['id']}/companies"), 404)


def test_counters_move_by_exactly_what_was_added(api: Client, member: Client, me: dict[str, Any]) -> None:
    def current() -> dict[str, int]:
        body = ok(api.get("counters"))
        assert body["user_id"] == me["id"]
        parts = ("overdue", "due_today", "leads_without_activity", "deals_without_activity")
        assert body["total"] == sum(body[p] for p in parts)
        return {p: body[p] for p in (*parts, "total")}

    def delta(before: dict[str, int], **moved: int) -> dict[str, int]:
        out = dict(before)
        for key, value in moved.items():
            out[key] += value
        out["total"] = sum(v for k, v in out.items() if k != "total")
        return out

    start = current()
    now = utc_now().replace(microsecond=0)
    overdue = create(api, "activities", {"type": "task", "subject": "Просрочено", "due_at": stamp(now - dt.timedelta(days=1))})
    after_overdue = current()
    assert after_overdue == delta(start, overdue=1)

    lead = create(api, "leads", {"last_name": "Без дел", "status": "in_progress"})
    after_lead = current()
    assert after_lead == delta(after_overdue, leads_without_activity=1)
    create(api, "leads", {"last_name": "Мусорный", "status": "junk", "junk_reason": "spam"})
    create(api, "leads", {"last_name": "Чужой", "owner_id": member.user_id})  # type: ignore[attr-defined]
    assert current() == after_lead

    # A planned task for the lead (due in three days) takes it off the "without activity" list.
    create(api, "activities", {"type": "task", "subject": "Перезвонить", "due_at": stamp(now + dt.timedelta(days=3)),
                              "parent_type": "lead", "parent_id": lead["id"]})
    assert current() == delta(after_lead, leads_without_activity=-1)
    deal = create(api, "deals", {"title": "Без дел"})
    assert current() == delta(after_lead, leads_without_activity=-1, deals_without_activity=1)
    closed = create(api, "deals", {"title": "Проиграна", "stage": "lost", "loss_reason": "timing"})
    assert current() == delta(after_lead, leads_without_activity=-1, deals_without_activity=1)
    ok(api.patch(f"deals/{closed['id']}", {"stage": "proposal"}))  # reopened: counts again
    assert current() == delta(after_lead, leads_without_activity=-1, deals_without_activity=2)
    ok(api.patch(f"deals/{closed['id']}", {"stage": "won"}))
    # Another user's overdue task is not ours.
    create(api, "activities", {"type": "task", "subject": "Не моё", "due_at": stamp(now - dt.timedelta(days=2)),
                              "owner_id": member.user_id})  # type: ignore[attr-defined]
    base = current()
    assert base == delta(after_lead, leads_without_activity=-1, deals_without_activity=1)

    end_of_day = now.replace(hour=0, minute=0, second=0) + dt.timedelta(days=1)
    if end_of_day - now > dt.timedelta(minutes=15):
        today = create(api, "activities", {"type": "task", "subject": "Сегодня", "due_at": stamp(now + dt.timedelta(minutes=10)),
                                          "parent_type": "deal", "parent_id": deal["id"]})
        assert current() == delta(base, due_today=1, deals_without_activity=-1)
        api.delete(f"activities/{today['id']}")
        assert current() == base

    ok(api.patch(f"activities/{overdue['id']}", {"status": "completed"}))
    assert current() == delta(base, overdue=-1)
    ok(api.patch(f"activities/{overdue['id']}", {"status": "in_progress"}))
    assert current() == base
    assert api.delete(f"activities/{overdue['id']}").status_code == 204
    assert current() == delta(base, overdue=-1)


def test_follower_notifications(api: Client, member: Client, me: dict[str, Any], stranger: Client) -> None:
    member_id = member.user_id  # type: ignore[attr-defined]
    deal = create(api, "deals", {"title": f"Под наблюдением {rand_hex()}"})
    start = notifications(member)
    seen = {n["id"] for n in start["data"]}

    def fresh_for_member() -> list[dict[str, Any]]:
        return [n for n in notifications(member)["data"] if n["id"] not in seen]

    refused(stranger.post(f"deals/{deal['id']}/follow"), 404)
    refused(member.post(f"deals/{uuid.uuid4()}/follow"), 404)
    followed = ok(member.post(f"deals/{deal['id']}/follow"))
    assert member_id in followed["followers"]
    assert ok(api.get(f"deals/{deal['id']}/followers"))["followers"] == [member_id]
    refused(stranger.get(f"deals/{deal['id']}/followers"), 404)
    ok(api.post(f"deals/{deal['id']}/follow"))  # the author follows too: own changes must not notify them
    mine_before = {n["id"] for n in notifications(api)["data"]}

    ok(api.patch(f"deals/{deal['id']}", {"description": "Обновлено"}))
    ok(api.patch(f"deals/{deal['id']}", {"stage": "proposal"}))
    new = fresh_for_member()
    assert [n["kind"] for n in new] == ["stage_changed", "updated"], new
    assert all(n["record_id"] == deal["id"] and n["entity"] == "deals" and n["read"] is False for n in new)
    assert all(n["actor_id"] == me["id"] and n["title"] == deal["title"] for n in new)
    assert "description" in new[1]["details"]["changes"] and "stage" in new[0]["details"]["changes"]
    assert notifications(member)["unread"] == start["unread"] + 2
    assert {n["id"] for n in notifications(api)["data"]} == mine_before

    # The member's own change does not notify the member, but does notify the author (a follower).
    ok(member.patch(f"deals/{deal['id']}", {"description": "Дополнено участником"}))
    assert len(fresh_for_member()) == 2
    author_new = [n for n in notifications(api)["data"] if n["id"] not in mine_before]
    assert [(n["kind"], n["record_id"], n["actor_id"]) for n in author_new] == [("updated", deal["id"], member_id)]

    # Reading one, then all.
    assert ok(member.post(f"notifications/{new[0]['id']}/read"))["changed"] == 1
    after_one = notifications(member)
    assert after_one["unread"] == start["unread"] + 1
    assert {n["id"]: n["read"] for n in after_one["data"]}[new[0]["id"]] is True
    refused(api.post(f"notifications/{new[1]['id']}/read"), 404)  # not the admin's notification
    ok(member.post("notifications/read"))
    assert notifications(member)["unread"] == 0
    assert ok(member.get("notifications", params={"unread": "true"}))["data"] == []

    # Assignment notifies the new owner.
    seen = {n["id"] for n in notifications(member)["data"]}
    lead = create(api, "leads", {"last_name": "Назначенный", "owner_id": member_id})
    contact = create(api, "contacts", {"last_name": "Переданный"})
    ok(api.patch(f"contacts/{contact['id']}", {"owner_id": member_id}))
    assigned = fresh_for_member()
    assert sorted((n["kind"], n["record_id"]) for n in assigned) == sorted(
        [("assigned", lead["id"]), ("assigned", contact["id"])])
    assert notifications(member)["unread"] == 2

    # After unfollowing, changes no longer notify.
    assert member.delete(f"deals/{deal['id']}/follow").status_code == 204
    assert member_id not in ok(api.get(f"deals/{deal['id']}/followers"))["followers"]
    refused(member.delete(f"deals/{deal['id']}/follow"), 404)
    seen = {n["id"] for n in notifications(member)["data"]}
    ok(api.patch(f"deals/{deal['id']}", {"description": "Без наблюдателя"}))
    assert fresh_for_member() == []
    ok(member.post("notifications/read"))


def test_priority_rule(api: Client) -> None:
    try:
        settings = ok(api.patch("settings/sales", {"deal_priority_threshold": {"RUB": 1000000, "EUR": "15000.50"}}))
        assert settings["deal_priority_threshold"] == {"EUR": 15000.5, "RUB": 1000000}
        assert ok(api.get("settings/sales")) == settings
        big = create(api, "deals", {"title": "Крупная", "amount": money(1000000)})
        assert big["priority"] == "high"
        small = create(api, "deals", {"title": "Чуть меньше", "amount": money("999999.99")})
        assert small["priority"] == "normal"
        euros = create(api, "deals", {"title": "В евро", "amount": money("15000.50", "EUR")})
        assert euros["priority"] == "high"
        dollars = create(api, "deals", {"title": "В долларах", "amount": money(50000000, "USD")})
        assert dollars["priority"] == "normal"
        low = create(api, "deals", {"title": "Низкая", "amount": money(10), "priority": "low"})
        assert low["priority"] == "low"
        raised = ok(api.patch(f"deals/{small['id']}", {"amount": money(2500000)}))
        assert raised["priority"] == "high"
        assert api.fetch("deals", small["id"])["priority"] == "high"
    finally:
        ok(api.patch("settings/sales", {"deal_priority_threshold": None}))
    assert ok(api.get("settings/sales"))["deal_priority_threshold"] == {}
    assert create(api, "deals", {"title": "Без правила", "amount": money(5000000)})["priority"] == "normal"


def test_pipelines_crud(api: Client) -> None:
    tag = rand_hex(6)
    before = ok(api.get("pipelines"))["data"]
    body = {"name": f"Партнёры {tag}", "stages": [
        {"key": f"c{tag}_new", "name": "Новая", "probability": 15},
        {"key": f"c{tag}_talk", "name": {"en": "Talks", "ru": "Переговоры"}, "probability": 55, "kind": "open"},
        {"key": f"c{tag}_won", "name": "Выиграна", "kind": "won"},
        {"key": f"c{tag}_lost", "name": "Проиграна", "kind": "lost"},
    ]}
    resp = api.post("pipelines", body)
    created = ok(resp, 201)
    assert resp.headers.get("Location", "").endswith(f"/pipelines/{created['id']}")
    assert is_uuid(created["id"]) and created["is_default"] is False
    assert created["name"]["en"] == body["name"]
    assert [(s["key"], s["kind"], s["probability"]) for s in created["stages"]] == [
        (f"c{tag}_new", "open", 15), (f"c{tag}_talk", "open", 55), (f"c{tag}_won", "won", 100), (f"c{tag}_lost", "lost", 0)]
    assert created["stages"][1]["name"]["ru"] == "Переговоры"
    assert ok(api.get(f"pipelines/{created['id']}")) == created
    listed = ok(api.get("pipelines"))["data"]
    assert [p["id"] for p in listed] == [p["id"] for p in before] + [created["id"]]

    # Deals in it start in its first stage and take its probabilities.
    deal = create(api, "deals", {"title": "В новой воронке", "pipeline_id": created["id"], "amount": money(777)})
    assert (deal["stage"], deal["probability"], deal["pipeline_id"]) == (f"c{tag}_new", 15, created["id"])
    talk = create(api, "deals", {"title": "Сразу переговоры", "pipeline_id": created["id"], "stage": f"c{tag}_talk"})
    assert talk["probability"] == 55
    custom = ok(api.patch(f"deals/{deal['id']}", {"stage": f"c{tag}_talk", "probability": 33}))
    assert custom["probability"] == 33, "an explicit probability wins over the stage's"
    # Moving a deal to another pipeline puts it in that pipeline's first stage.
    moved = ok(api.patch(f"deals/{talk['id']}", {"pipeline_id": default_pipeline(api)["id"]}))
    assert (moved["stage"], moved["probability"]) == ("open", 10)
    back = ok(api.patch(f"deals/{talk['id']}", {"pipeline_id": created["id"], "stage": f"c{tag}_talk"}))
    assert (back["stage"], back["probability"]) == (f"c{tag}_talk", 55)

    # Rename and add a stage.
    renamed = ok(api.patch(f"pipelines/{created['id']}", {"name": {"en": "Partners", "ru": "Партнёры"}}))
    assert renamed["name"] == {"en": "Partners", "ru": "Партнёры"} and renamed["stages"] == created["stages"]
    stages = [dict(s) for s in body["stages"]]
    stages.insert(2, {"key": f"c{tag}_docs", "name": "Документы", "probability": 90})
    grown = ok(api.patch(f"pipelines/{created['id']}", {"stages": stages}))
    assert [s["key"] for s in grown["stages"]] == [s["key"] for s in stages]
    kept = {s["key"]: s["id"] for s in created["stages"]}
    assert all(s["id"] == kept[s["key"]] for s in grown["stages"] if s["key"] in kept), "stage ids survive an edit"
    assert ok(api.get(f"pipelines/{created['id']}")) == grown
    docs = ok(api.patch(f"deals/{deal['id']}", {"stage": f"c{tag}_docs"}))
    assert docs["probability"] == 90

    # A stage that holds deals cannot go; an empty one can.
    without_talk = [s for s in stages if s["key"] != f"c{tag}_talk"]
    refused(api.patch(f"pipelines/{created['id']}", {"stages": without_talk}), 409, code="stage_in_use")
    assert ok(api.get(f"pipelines/{created['id']}")) == grown
    without_new = [s for s in stages if s["key"] != f"c{tag}_new"]
    shrunk = ok(api.patch(f"pipelines/{created['id']}", {"stages": without_new}))
    assert f"c{tag}_new" not in [s["key"] for s in shrunk["stages"]]
    refused(api.patch(f"pipelines/{created['id']}", {"stages": without_new[:1] + without_new[-2:-1] * 2}), 422,
            field="stages")

    won = ok(api.patch(f"deals/{deal['id']}", {"stage": f"c{tag}_won"}))
    assert won["probability"] == 100 and won["closed_on"] is not None
    reopened = ok(api.patch(f"deals/{deal['id']}", {"stage": f"c{tag}_talk"}))
    assert reopened["closed_on"] is None and reopened["probability"] == 55

    # Deleting: refused while deals are in it (the trash counts: they may come back), done once
    # they have moved to another pipeline.
    refused(api.delete(f"pipelines/{created['id']}"), 409, code="pipeline_in_use")
    assert api.delete(f"deals/{talk['id']}").status_code == 204
    refused(api.delete(f"pipelines/{created['id']}"), 409, code="pipeline_in_use")
    default_id = next(p["id"] for p in before if p["is_default"])
    for d in (deal, talk):
        if d is talk:
            assert api.post(f"trash/deals/{d['id']}/restore").status_code == 200
        moved_out = ok(api.patch(f"deals/{d['id']}", {"pipeline_id": default_id}))
        assert (moved_out["pipeline_id"], moved_out["stage"]) == (default_id, "open")
    assert api.delete(f"pipelines/{created['id']}").status_code == 204
    refused(api.get(f"pipelines/{created['id']}"), 404)
    assert [p["id"] for p in ok(api.get("pipelines"))["data"]] == [p["id"] for p in before]
    # Its stage keys are free again.
    again = ok(api.post("pipelines", {"name": "Снова", "stages": body["stages"]}), 201)
    assert api.delete(f"pipelines/{again['id']}").status_code == 204


def test_copy_of_a_lead(api: Client) -> None:
    tag = rand_hex()
    body = {
        "first_name": "Мария", "last_name": f"Копирова{tag}", "company_name": "ИП Копирова", "title": "Владелец",
        "phone": "+7 916 123-45-67", "email": f"maria.{tag}@example.test", "source": "exhibition", "rating": "hot",
        "annual_revenue": money("2500000.50"), "employees": 12, "city": "Казань", "tags": ["выставка", "2031"],
        "address": {"street": "ул. Баумана, 1", "city": "Казань", "country": "RU"},
        "status": "in_progress", "description": "Оригинал",
    }
    source = create(api, "leads", body)
    before = api.count("leads")
    resp = api.post(f"leads/{source['id']}/copy", {})
    copy = ok(resp, 201)
    assert resp.headers.get("Location", "").endswith(f"/leads/{copy['id']}")
    assert copy["id"] != source["id"] and copy["number"] != source["number"] and copy["version"] == 1
    assert copy["status"] == "new"
    skip = {"id", "number", "created_at", "updated_at", "version", "status", "tags"}
    assert {k: v for k, v in copy.items() if k not in skip} == {k: v for k, v in source.items() if k not in skip}
    assert sorted(copy["tags"]) == sorted(source["tags"])
    assert api.fetch("leads", copy["id"]) == copy
    assert api.fetch("leads", source["id"]) == source
    assert api.count("leads") == before + 1

    tweaked = ok(api.post(f"leads/{source['id']}/copy", {"first_name": "Дарья", "email": f"daria.{tag}@example.test"}), 201)
    assert (tweaked["first_name"], tweaked["email"], tweaked["last_name"]) == ("Дарья", f"daria.{tag}@example.test",
                                                                              source["last_name"])
    junk = create(api, "leads", {"last_name": f"Мусор{tag}", "status": "junk", "junk_reason": "no_budget"})
    junk_copy = ok(api.post(f"leads/{junk['id']}/copy", {}), 201)
    assert (junk_copy["status"], junk_copy["junk_reason"]) == ("new", None)
    ok(api.post(f"leads/{source['id']}/convert", {"contact": True}))
    converted_copy = ok(api.post(f"leads/{source['id']}/copy", {}), 201)
    assert converted_copy["status"] == "new"
    assert all(converted_copy[f] is None for f in ("converted_at", "converted_contact_id", "converted_company_id", "converted_deal_id"))
    assert api.count("leads") == before + 5
    refused(api.post(f"leads/{uuid.uuid4()}/copy", {}), 404)
    refused(api.post(f"leads/{source['id']}/copy", {"status": "converted"}), 422, field="status", code="use_convert")
    assert api.count("leads") == before + 5


def test_copy_without_a_body(api: Client) -> None:
    source = create(api, "leads", {"first_name": "Без", "last_name": f"Тела{rand_hex()}", "status": "qualified"})
    before = api.count("leads")
    resp = api.request("POST", f"leads/{source['id']}/copy")
    copy = ok(resp, 201)
    assert copy["id"] != source["id"] and copy["status"] == "new"
    assert (copy["first_name"], copy["last_name"]) == (source["first_name"], source["last_name"])
    assert api.count("leads") == before + 1


def test_timeline_paging_returns_every_item_once(api: Client) -> None:
    company = create(api, "companies", {"name": f"Страницы {rand_hex()}"})
    contact = create(api, "contacts", {"last_name": "Листающий", "company_id": company["id"]})
    deal = create(api, "deals", {"title": "Много событий", "company_id": company["id"], "contact_id": contact["id"]})
    for i, stage in enumerate(("qualification", "proposal", "negotiation")):
        ok(api.patch(f"deals/{deal['id']}", {"stage": stage, "description": f"шаг {i}"}))
    for i in range(4):
        create(api, "notes", {"body": f"Заметка {i}", "parent_type": "deal", "parent_id": deal["id"],
                             "kind": "comment" if i % 2 else "note"})
        create(api, "activities", {"type": "call", "subject": f"Звонок {i}", "parent_type": "contact", "parent_id": contact["id"]})
    ok(api.patch(f"companies/{company['id']}", {"industry": "it"}))
    create(api, "activities", {"type": "task", "subject": "Своя задача", "parent_type": "company", "parent_id": company["id"]})

    whole, pages = timeline(api, "companies", company["id"], limit=200)
    assert pages == 1
    ids = [i["id"] for i in whole]
    assert len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True)
    kinds = [i["kind"] for i in whole]
    assert kinds.count("stage_change") == 4 and kinds.count("call") == 4 and kinds.count("task") == 1
    assert kinds.count("note") == 2 and kinds.count("comment") == 2
    assert kinds.count("create") == 3 and kinds.count("field_change") >= 4
    assert len(whole) >= 20
    for limit in (1, 3, 7):
        paged, count = timeline(api, "companies", company["id"], limit=limit)
        assert [i["id"] for i in paged] == ids, f"paging by {limit} must give the same items once each"
        assert count == -(-len(ids) // limit)
    refused(api.get(f"companies/{company['id']}/timeline", params={"limit": "0"}), 422, field="limit")
    refused(api.get(f"companies/{company['id']}/timeline", params={"before": "garbage"}), 422, field="before")
    refused(api.get(f"companies/{uuid.uuid4()}/timeline"), 404)


def test_option_lists_are_editable_per_workspace(fresh: Client, api: Client) -> None:
    """Lead sources, statuses, loss reasons...: a workspace edits its own lists; values the
    server's rules rely on stay; records keep values that leave a list."""
    kept = create(fresh, "leads", {"last_name": "Old", "source": "cold_call"})
    options = [
        {"value": "web_form", "label": {"en": "Web form", "ru": "Веб-форма", "bg": "Уеб форма"}},
        {"value": "marketplace", "label": {"en": "Marketplace", "ru": "Маркетплейс", "bg": "Онлайн пазар"}},
    ]
    field = ok(fresh.patch("metadata/entities/leads/fields/source", {"options": options}))
    assert [o["value"] for o in field["options"]] == ["web_form", "marketplace"]
    described = ok(fresh.get("metadata/entities/leads"))
    source = next(f for f in described["fields"] if f["name"] == "source")
    assert [o["value"] for o in source["options"]] == ["web_form", "marketplace"]
    assert create(fresh, "leads", {"last_name": "New", "source": "marketplace"})["source"] == "marketplace"
    before = fresh.count("leads")
    refused(fresh.post("leads", {"last_name": "Gone", "source": "cold_call"}), 422, field="source", code="choice")
    assert fresh.count("leads") == before
    assert ok(fresh.get(f"leads/{kept['id']}"))["source"] == "cold_call", "a stored value outlives its option"
    # Another workspace keeps the shipped list.
    assert create(api, "leads", {"last_name": "Elsewhere", "source": "cold_call"})["source"] == "cold_call"
    refused(api.post("leads", {"last_name": "Elsewhere", "source": "marketplace"}), 422, field="source", code="choice")
    # Statuses drive conversion and junk rules: their values stay, their labels may change.
    statuses = [{"value": v, "label": v.title()} for v in ("new", "in_progress", "qualified", "junk")]
    refused(fresh.patch("metadata/entities/leads/fields/status", {"options": statuses}), 422, field="options", code="protected")
    statuses.append({"value": "converted", "label": {"en": "Won over", "ru": "Сконвертирован"}})
    statuses.append({"value": "on_hold", "label": "On hold"})
    ok(fresh.patch("metadata/entities/leads/fields/status", {"options": statuses}))
    assert create(fresh, "leads", {"last_name": "Paused", "status": "on_hold"})["status"] == "on_hold"
    # Only the options of built-in choice fields change, nothing else of them.
    refused(fresh.patch("metadata/entities/leads/fields/last_name", {"options": options}), 409)
    refused(fresh.patch("metadata/entities/leads/fields/source", {"options": options, "label": "x"}), 422)
