"""The record API end to end: the curl session of the contract, on both backends.

Tests in this module share one workspace (the module's tenant).  Each test tags
the rows it makes with its own marker (a random ``department``, a name prefix
and so on) and filters on it, so that tests do not see each other's rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from typing import Any

import pytest

from conftest import (
    Client,
    assert_fields,
    assert_problem,
    assert_standard_fields,
    is_uuid,
    iso_utc,
    parse_ts,
    rand_hex,
)

ENTITIES = ("leads", "contacts", "companies", "deals", "notes")


def contact_body(marker: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "first_name": "Иван",
        "last_name": "Иванов",
        "department": marker,
    }
    body.update(overrides)
    return body


def full_contact_body(marker: str, company_id: str | None) -> dict[str, Any]:
    body = {
        "first_name": "Иван",
        "last_name": "Иванов",
        "middle_name": "Петрович",
        "title": "Инженер",
        "department": marker,
        "email": f"ivan.{marker}@example.test",
        "email_other": f"ivan.home.{marker}@example.test",
        "phone_mobile": "+79123456789",
        "phone_work": "+7 (495) 123-45-67",
        "phone_home": "8 495 765 43 21",
        "phone_other": "+1 212 555 0100",
        "birthday": "1985-04-12",
        "source": "referral",
        "address": {
            "street": "ул. Ленина, д. 1, кв. 2",
            "city": "Москва",
            "region": "Московская область",
            "postal_code": "101000",
            "country": "RU",
        },
        "description": "Первая строка\nвторая строка — «кавычки» & <теги> 😀",
        "do_not_mail": True,
        "tags": ["vip", "ключевой"],
    }
    if company_id is not None:
        body["company_id"] = company_id
    return body


def ids_of(rows: list[dict[str, Any]]) -> set[str]:
    return {row["id"] for row in rows}


def wait_for(predicate, timeout: float = 5.0, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value (or return the last value)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


# --------------------------------------------------------------------------
# no-auth endpoints and authentication


def test_health_and_openapi_need_no_token(anon: Client) -> None:
    resp = anon.get("/health", auth=False)
    assert resp.status_code == 200, resp.text
    assert resp.json().get("status") == "ok"

    resp = anon.get("openapi.json", auth=False)
    assert resp.status_code == 200, resp.text[:500]
    doc = resp.json()
    assert str(doc.get("openapi", "")).startswith("3.1"), f"expected OpenAPI 3.1, got {doc.get('openapi')!r}"
    paths = doc.get("paths") or {}
    assert any("contacts" in p for p in paths), f"openapi.json should document the contacts paths: {list(paths)[:20]}"


def test_missing_or_invalid_token_is_401(api: Client, anon: Client) -> None:
    assert_problem(anon.get("contacts", auth=False), 401)
    assert_problem(anon.get("contacts", headers={"Authorization": "Bearer not-a-real-token"}), 401)
    assert_problem(anon.get("contacts", headers={"Authorization": "Bearer "}), 401)
    assert_problem(anon.get("contacts", headers={"Authorization": f"Basic {api.token}"}), 401)
    assert_problem(anon.get(f"contacts/{uuid.uuid4()}", auth=False), 401)
    before = api.count("contacts")
    assert_problem(anon.post("contacts", contact_body("unauth"), auth=False), 401)
    assert api.count("contacts") == before, "an unauthenticated POST must not write anything"
    # The valid token works.
    assert api.get("contacts").status_code == 200


def test_password_login(api: Client, anon: Client, tenant) -> None:
    resp = anon.post("auth/token", {"email": tenant.email, "password": tenant.password, "workspace": tenant.slug},
                     auth=False)
    assert resp.status_code == 200, resp.text
    token = resp.json().get("token")
    assert isinstance(token, str) and token
    fresh = Client(api.base_url, token)
    assert fresh.get("contacts").status_code == 200
    # A token from signing in expires (a day), and signing out ends it at once.
    expires = dt.datetime.fromisoformat(resp.json()["expires_at"].replace("Z", "+00:00"))
    left = expires - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(hours=23) < left <= dt.timedelta(hours=24, minutes=1), left
    assert fresh.post("auth/logout", {}).status_code == 204
    assert_problem(fresh.get("contacts"), 401)
    assert api.get("contacts").status_code == 200, "signing out one token leaves the others"

    assert_problem(
        anon.post("auth/token", {"email": tenant.email, "password": tenant.password + "x",
                                 "workspace": tenant.slug}, auth=False),
        401,
    )
    assert_problem(
        anon.post("auth/token", {"email": f"nobody-{rand_hex()}@example.test", "password": "whatever"},
                  auth=False),
        401,
    )


# --------------------------------------------------------------------------
# create / get


def test_create_and_get_contact(api: Client) -> None:
    marker = f"dep-{rand_hex()}"
    company = api.create("companies", {"name": f"ООО Ромашка {marker}"})
    body = full_contact_body(marker, company["id"])

    resp = api.post("contacts", body)
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert_standard_fields(record)
    assert_fields(record, body)
    assert record["version"] == 1
    assert record["created_by"] == record["updated_by"]
    location = resp.headers.get("Location", "")
    assert location.endswith(f"/api/v1/contacts/{record['id']}"), f"Location header: {location!r}"
    assert record["number"].startswith("C-"), f"contact numbers look like C-000001: {record['number']!r}"

    got = api.get(f"contacts/{record['id']}")
    assert got.status_code == 200, got.text
    assert got.headers.get("ETag") == '"1"', f"ETag on GET: {got.headers.get('ETag')!r}"
    assert got.json() == record, "GET must return the record exactly as POST did"

    # It shows up in the list.
    rows, _ = api.walk("contacts", {"department": marker})
    assert [row["id"] for row in rows] == [record["id"]]
    assert_fields(rows[0], body)


def _entity_bodies(api: Client, marker: str) -> dict[str, tuple[dict[str, Any], str | None]]:
    """A valid body and one required field for each entity."""
    company = api.create("companies", {"name": f"Base company {marker}"})
    contact = api.create("contacts", contact_body(marker, company_id=company["id"]))
    return {
        "leads": (
            {
                "first_name": "Пётр", "last_name": "Сидоров", "company_name": f"ИП Сидоров {marker}",
                "phone": "+7 912 000-11-22", "email": f"lead.{marker}@example.test",
                "status": "new", "source": "web_form", "tags": ["lead"],
            },
            None,  # the contract does not say which lead field is required
        ),
        "contacts": (contact_body(marker, title="Manager", tags=["a", "b"]), "last_name"),
        "companies": (
            {
                "name": f"АО Вектор {marker}", "industry": "manufacturing", "website": "https://vector.example.test",
                "phone": "+7 495 111-22-33", "email": f"info.{marker}@example.test",
                "annual_revenue": {"amount": 1500.5, "currency": "RUB"}, "employees": 42,
                "inn": "7707083893",
            },
            "name",
        ),
        "deals": (
            {
                "title": f"Поставка {marker}", "amount": {"amount": 250000, "currency": "RUB"},
                "stage": "proposal", "probability": 40, "expected_close_date": "2030-06-30",
                "company_id": company["id"], "contact_id": contact["id"], "priority": "high",
            },
            "title",
        ),
        "notes": ({"body": f"Позвонить в понедельник {marker}", "subject": "Звонок"}, "body"),
    }


@pytest.mark.parametrize("entity", ENTITIES)
def test_crud_every_entity(api: Client, entity: str) -> None:
    marker = rand_hex()
    body, required = _entity_bodies(api, marker)[entity]

    before = api.count(entity)
    resp = api.post(entity, body)
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert_standard_fields(record)
    assert_fields(record, body)
    assert resp.headers.get("Location", "").endswith(f"/api/v1/{entity}/{record['id']}")
    assert api.count(entity) == before + 1
    assert api.fetch(entity, record["id"]) == record

    # Required field missing -> 422 naming it, nothing written.
    if required is not None:
        incomplete = {k: v for k, v in body.items() if k != required}
        assert_problem(api.post(entity, incomplete), 422, fields=[required])
        assert api.count(entity) == before + 1
    assert_problem(api.post(entity, {**body, "no_such_field": 1}), 422, fields=["no_such_field"])
    assert api.count(entity) == before + 1

    # Patch the tags, delete, gone.
    resp = api.patch(f"{entity}/{record['id']}", {"tags": ["patched"]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["tags"] == ["patched"]
    assert resp.json()["version"] == 2
    resp = api.delete(f"{entity}/{record['id']}")
    assert resp.status_code == 204, resp.text
    assert_problem(api.get(f"{entity}/{record['id']}"), 404)
    assert api.count(entity) == before


def test_numbers_are_unique(api: Client) -> None:
    marker = f"num-{rand_hex()}"
    numbers = [api.create("contacts", contact_body(marker, last_name=f"N{i}"))["number"] for i in range(5)]
    assert len(set(numbers)) == 5, numbers


# --------------------------------------------------------------------------
# list: filters and sort


def test_filters(api: Client) -> None:
    marker = f"flt-{rand_hex()}"
    people = {
        "ivanov": contact_body(marker, last_name="Иванов", first_name="Сергей", source="call",
                               email="s.ivanov@example.test", birthday="1980-01-15"),
        "ivanova": contact_body(marker, last_name="Иванова", first_name="Мария", source="email",
                                email="m.ivanova@example.test", birthday="1991-07-01"),
        "petrov": contact_body(marker, last_name="Петров", first_name="Пётр", source="web_form",
                               birthday="1975-12-31"),
        "smith": contact_body(marker, last_name="Smith", first_name="John", source="referral",
                              email="john.smith@example.test", birthday="2000-02-29"),
        "schmidt": contact_body(marker, last_name="Schmidt", first_name="Hans", source="import",
                                birthday="1990-01-01"),
        "lee": contact_body(marker, last_name="Lee", first_name="Ann", source="call",
                            email="ann.lee@example.test", birthday="1990-06-15"),
    }
    ids = {key: api.create("contacts", body)["id"] for key, body in people.items()}

    def query(**params: str) -> set[str]:
        rows, _ = api.walk("contacts", {"department": marker, **params}, limit=50)
        found = ids_of(rows)
        assert len(found) == len(rows), "duplicate rows in a filtered list"
        return found

    def expect(*keys: str) -> set[str]:
        return {ids[k] for k in keys}

    assert query() == set(ids.values())
    assert query(last_name="Петров") == expect("petrov")
    assert query(**{"last_name[eq]": "Петров"}) == expect("petrov")
    assert query(**{"last_name[ne]": "Петров"}) == set(ids.values()) - expect("petrov")
    # contains is case-insensitive, also for Cyrillic.
    assert query(**{"last_name[contains]": "иван"}) == expect("ivanov", "ivanova")
    assert query(**{"last_name[contains]": "ИВАН"}) == expect("ivanov", "ivanova")
    assert query(**{"last_name[contains]": "ова"}) == expect("ivanova")
    assert query(**{"last_name[starts]": "Sch"}) == expect("schmidt")
    assert query(**{"source[in]": "call,email"}) == expect("ivanov", "ivanova", "lee")
    assert query(**{"source[nin]": "call,email"}) == expect("petrov", "smith", "schmidt")
    assert query(**{"email[empty]": "true"}) == expect("petrov", "schmidt")
    assert query(**{"email[not_empty]": "true"}) == expect("ivanov", "ivanova", "smith", "lee")
    assert query(**{"birthday[gte]": "1990-01-01"}) == expect("ivanova", "smith", "schmidt", "lee")
    assert query(**{"birthday[gt]": "1990-01-01"}) == expect("ivanova", "smith", "lee")
    assert query(**{"birthday[lt]": "1980-01-15"}) == expect("petrov")
    assert query(**{"birthday[lte]": "1980-01-15"}) == expect("petrov", "ivanov")
    # Several conditions combine with AND.
    assert query(**{"source": "call", "email[contains]": "LEE"}) == expect("lee")

    # Brackets sent raw, as curl -g would.
    resp = api.get(f"contacts?department={marker}&last_name[contains]=иван&limit=50")
    assert resp.status_code == 200, resp.text
    assert ids_of(resp.json()["data"]) == expect("ivanov", "ivanova")

    # count=true totals the filter, not the page.
    resp = api.get("contacts", params={"department": marker, "source[in]": "call,email", "limit": "1",
                                       "count": "true"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 3
    assert len(resp.json()["data"]) == 1


def test_list_text_query(api: Client) -> None:
    """q= on a list narrows it like the global search does, combined with the filters."""
    marker = f"lq-{rand_hex()}"
    petrov = api.create("contacts", contact_body(marker, last_name="Петров", first_name="Пётр"))
    api.create("contacts", contact_body(marker, last_name="Сидоров", first_name="Пётр"))
    api.create("contacts", contact_body(f"other-{rand_hex()}", last_name="Петров", first_name="Павел"))
    rows, _ = api.walk("contacts", {"department": marker, "q": "Петров"})
    assert ids_of(rows) == {petrov["id"]}
    rows, _ = api.walk("contacts", {"department": marker, "q": "петров"})
    assert ids_of(rows) == {petrov["id"]}


def test_numeric_filters(api: Client) -> None:
    marker = f"ind-{rand_hex()}"
    sizes = {"tiny": 5, "small": 50, "big": 500, "huge": 5000}
    ids = {
        key: api.create("companies", {"name": f"{marker} {key}", "employees": n,
                                      "annual_revenue": {"amount": n * 1000.25, "currency": "RUB"}})["id"]
        for key, n in sizes.items()
    }

    def query(**params: str) -> set[str]:
        rows, _ = api.walk("companies", {"name[starts]": marker, **params}, limit=50)
        return ids_of(rows)

    assert query(**{"employees[gte]": "50"}) == {ids["small"], ids["big"], ids["huge"]}
    assert query(**{"employees[gt]": "50"}) == {ids["big"], ids["huge"]}
    assert query(**{"employees[lt]": "50"}) == {ids["tiny"]}
    assert query(**{"employees[lte]": "500"}) == {ids["tiny"], ids["small"], ids["big"]}
    # Numeric, not lexicographic: "5000" > "600" as numbers.
    assert query(**{"employees[gte]": "600"}) == {ids["huge"]}
    assert query(employees="500") == {ids["big"]}
    assert query(**{"employees[in]": "5,5000"}) == {ids["tiny"], ids["huge"]}

    marker2 = f"deal-{rand_hex()}"
    deal_ids = {
        p: api.create("deals", {"title": f"{marker2} p{p}", "probability": p, "stage": "open"})["id"]
        for p in (0, 10, 55, 90, 100)
    }
    rows, _ = api.walk("deals", {"title[starts]": marker2, "probability[gte]": "55"})
    assert ids_of(rows) == {deal_ids[55], deal_ids[90], deal_ids[100]}


def test_sort(api: Client) -> None:
    marker = f"srt-{rand_hex()}"
    names = [("Ann", "Delta"), ("Bob", "Alpha"), ("Ann", "Charlie"), ("Bob", "Bravo"), ("Cid", "Echo")]
    for first, last in names:
        api.create("contacts", contact_body(marker, first_name=first, last_name=last))

    def order(sort: str) -> list[tuple[str, str]]:
        rows, _ = api.walk("contacts", {"department": marker, "sort": sort}, limit=50)
        return [(r["first_name"], r["last_name"]) for r in rows]

    assert [last for _, last in order("last_name")] == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert [last for _, last in order("-last_name")] == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    assert order("first_name,-last_name") == [
        ("Ann", "Delta"), ("Ann", "Charlie"), ("Bob", "Bravo"), ("Bob", "Alpha"), ("Cid", "Echo")
    ]
    rows, _ = api.walk("contacts", {"department": marker, "sort": "-created_at,last_name"}, limit=50)
    stamps = [parse_ts(r["created_at"]) for r in rows]
    assert stamps == sorted(stamps, reverse=True), "sort=-created_at must give newest first"

    # Numbers sort as numbers.
    ind = f"srt-{rand_hex()}"
    for n in (9, 100, 10, 1):
        api.create("companies", {"name": f"{ind} {n}", "employees": n})
    rows, _ = api.walk("companies", {"name[starts]": ind, "sort": "employees"}, limit=50)
    assert [r["employees"] for r in rows] == [1, 9, 10, 100]
    rows, _ = api.walk("companies", {"name[starts]": ind, "sort": "-employees"}, limit=50)
    assert [r["employees"] for r in rows] == [100, 10, 9, 1]

    assert_problem(api.get("contacts", params={"sort": "no_such_field"}), (400, 422))


def test_pagination_visits_every_row_once(api: Client) -> None:
    marker = f"pg-{rand_hex()}"
    surnames = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]
    created: list[str] = []
    for i in range(120):
        rec = api.create("contacts", contact_body(marker, last_name=surnames[i % 7], first_name=f"P{i:03d}"))
        created.append(rec["id"])
    expected = set(created)
    assert len(expected) == 120

    for sort in (None, "last_name", "-last_name,first_name", "-created_at", "first_name"):
        params = {"department": marker}
        if sort:
            params["sort"] = sort
        rows, pages = api.walk("contacts", params, limit=25)
        seen = [r["id"] for r in rows]
        assert len(seen) == len(set(seen)), f"sort={sort}: a row came twice across pages"
        assert set(seen) == expected, (
            f"sort={sort}: missing {len(expected - set(seen))}, extra {len(set(seen) - expected)}"
        )
        assert all(len(p) <= 25 for p in pages), f"sort={sort}: a page exceeded the limit"
        assert [len(p) for p in pages[:4]] == [25, 25, 25, 25], f"sort={sort}: page sizes {[len(p) for p in pages]}"
        if sort == "last_name":
            keys = [r["last_name"] for r in rows]
            assert keys == sorted(keys), "sort=last_name order broken across pages"
        if sort == "-last_name,first_name":
            keys = [(r["last_name"], r["first_name"]) for r in rows]
            want = sorted(sorted(keys, key=lambda k: k[1]), key=lambda k: k[0], reverse=True)
            assert keys == want, "compound sort -last_name,first_name broken across pages"
        if sort == "first_name":
            assert [r["first_name"] for r in rows] == [f"P{i:03d}" for i in range(120)]

    resp = api.get("contacts", params={"department": marker, "limit": "25", "count": "true"})
    assert resp.status_code == 200
    assert resp.json()["total"] == 120
    assert resp.json()["next_cursor"]

    # Bad limits and cursors are client errors.
    assert_problem(api.get("contacts", params={"cursor": "definitely-not-a-cursor"}), (400, 422))
    assert_problem(api.get("contacts", params={"limit": "-1"}), (400, 422))
    assert_problem(api.get("contacts", params={"limit": "abc"}), (400, 422))


# --------------------------------------------------------------------------
# update / optimistic locking


def test_patch_and_if_match(api: Client) -> None:
    marker = f"upd-{rand_hex()}"
    body = contact_body(marker, title="Engineer", middle_name="Петрович", email=f"u.{marker}@example.test")
    rec = api.create("contacts", body)
    path = f"contacts/{rec['id']}"

    resp = api.patch(path, {"title": "CTO"})
    assert resp.status_code == 200, resp.text
    v2 = resp.json()
    assert v2["version"] == 2
    assert v2["title"] == "CTO"
    assert resp.headers.get("ETag") == '"2"'
    assert_fields(v2, {k: v for k, v in body.items() if k != "title"})
    assert v2["created_at"] == rec["created_at"]
    assert v2["number"] == rec["number"]
    assert parse_ts(v2["updated_at"]) >= parse_ts(rec["updated_at"])

    resp = api.patch(path, {"title": "CEO"}, headers={"If-Match": "2"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["version"] == 3
    resp = api.patch(path, {"first_name": "Пётр"}, headers={"If-Match": '"3"'})
    assert resp.status_code == 200, resp.text
    v4 = resp.json()
    assert v4["version"] == 4
    assert v4["title"] == "CEO" and v4["first_name"] == "Пётр"

    # A stale version is refused and nothing changes.
    assert_problem(api.patch(path, {"title": "Intern"}, headers={"If-Match": "1"}), 412)
    assert_problem(api.patch(path, {"title": "Intern"}, headers={"If-Match": '"3"'}), 412)
    got = api.get(path)
    assert got.json() == v4
    assert got.headers.get("ETag") == '"4"'

    # Clearing an optional field; a required one cannot be cleared.
    resp = api.patch(path, {"middle_name": None})
    assert resp.status_code == 200, resp.text
    assert resp.json().get("middle_name") is None
    v5 = resp.json()
    assert_problem(api.patch(path, {"last_name": None}), 422, fields=["last_name"])
    assert_problem(api.patch(path, {"no_such_field": 1}), 422, fields=["no_such_field"])
    assert_problem(api.patch(path, {"do_not_mail": "yes"}), 422, fields=["do_not_mail"])
    assert_problem(api.request("PATCH", path, data=b'{"title": '), 400)
    assert api.fetch("contacts", rec["id"]) == v5

    assert_problem(api.patch(f"contacts/{uuid.uuid4()}", {"title": "x"}), 404)


# --------------------------------------------------------------------------
# delete / trash / restore


def test_delete_trash_restore(api: Client) -> None:
    marker = f"del-{rand_hex()}"
    body = contact_body(marker, last_name="Удаляев", email=f"d.{marker}@example.test")
    rec = api.create("contacts", body)
    keep = api.create("contacts", contact_body(marker, last_name="Остаётся"))
    path = f"contacts/{rec['id']}"

    resp = api.delete(path)
    assert resp.status_code == 204, resp.text
    assert resp.content in (b"", None)
    assert_problem(api.get(path), 404)
    assert api.list_ids("contacts", {"department": marker}) == [keep["id"]]
    assert_problem(api.delete(path), 404)
    assert_problem(api.patch(path, {"title": "ghost"}), 404)

    trash, _ = api.walk("trash", {}, limit=50)
    entries = [e for e in trash if e.get("id") == rec["id"]]
    assert len(entries) == 1, f"the deleted contact should be in the trash once: {entries!r}"
    entry = entries[0]
    assert entry["entity"] == "contacts"
    assert isinstance(entry.get("title"), str) and entry["title"]
    parse_ts(entry["deleted_at"])
    assert keep["id"] not in {e.get("id") for e in trash}

    resp = api.post(f"trash/contacts/{rec['id']}/restore")
    assert resp.status_code == 200, resp.text
    restored = resp.json()
    assert restored["id"] == rec["id"]
    assert_fields(restored, body)
    assert api.fetch("contacts", rec["id"])["last_name"] == "Удаляев"
    assert set(api.list_ids("contacts", {"department": marker})) == {rec["id"], keep["id"]}
    trash, _ = api.walk("trash", {}, limit=50)
    assert rec["id"] not in {e.get("id") for e in trash}

    # Restoring something that is not in the trash is a 404.
    assert_problem(api.post(f"trash/contacts/{rec['id']}/restore"), (404, 409))
    assert_problem(api.post(f"trash/contacts/{uuid.uuid4()}/restore"), 404)


# --------------------------------------------------------------------------
# custom fields


def test_custom_fields(api: Client) -> None:
    marker = f"cf-{rand_hex()}"
    name = f"loyalty_{rand_hex(6)}"
    resp = api.post("metadata/entities/contacts/fields", {
        "name": name, "type": "integer", "label": {"en": "Loyalty", "ru": "Лояльность"},
    })
    assert resp.status_code == 201, resp.text
    field = resp.json()
    cname = field["name"]
    assert cname == f"c_{name}", f"custom field names get a c_ prefix: {cname!r}"
    assert field.get("type") == "integer"
    assert field.get("label", {}).get("ru") == "Лояльность"

    resp = api.get("metadata/entities/contacts")
    assert resp.status_code == 200, resp.text
    assert cname in json.dumps(resp.json(), ensure_ascii=False), "entity metadata should list the new field"
    resp = api.get("metadata/entities")
    assert resp.status_code == 200, resp.text
    assert "contacts" in json.dumps(resp.json())

    ids = {}
    for level in (3, 5, 8):
        rec = api.create("contacts", contact_body(marker, last_name=f"L{level}", **{cname: level}))
        assert rec.get(cname) == level
        ids[level] = rec["id"]
    assert api.fetch("contacts", ids[5])[cname] == 5

    rows, _ = api.walk("contacts", {"department": marker, f"{cname}[gte]": "5"})
    assert ids_of(rows) == {ids[5], ids[8]}
    rows, _ = api.walk("contacts", {"department": marker, cname: "3"})
    assert ids_of(rows) == {ids[3]}
    rows, _ = api.walk("contacts", {"department": marker, "sort": f"-{cname}"})
    assert [r["id"] for r in rows] == [ids[8], ids[5], ids[3]]

    before = api.count("contacts")
    assert_problem(api.post("contacts", contact_body(marker, **{cname: "many"})), 422, fields=[cname])
    assert api.count("contacts") == before
    resp = api.patch(f"contacts/{ids[3]}", {cname: 4})
    assert resp.status_code == 200 and resp.json()[cname] == 4

    # A choice field with options.
    tier = f"tier_{rand_hex(6)}"
    resp = api.post("metadata/entities/contacts/fields", {
        "name": tier, "type": "choice", "label": {"en": "Tier"},
        "options": [{"value": "gold", "label": {"en": "Gold"}}, {"value": "silver", "label": {"en": "Silver"}}],
    })
    assert resp.status_code == 201, resp.text
    ctier = resp.json()["name"]
    assert ctier == f"c_{tier}"
    rec = api.create("contacts", contact_body(marker, last_name="Gold", **{ctier: "gold"}))
    assert rec[ctier] == "gold"
    assert_problem(api.post("contacts", contact_body(marker, **{ctier: "bronze"})), 422, fields=[ctier])

    # Label change, then removal.
    resp = api.patch(f"metadata/entities/contacts/fields/{cname}", {"label": {"en": "Loyalty score"}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["label"]["en"] == "Loyalty score"
    resp = api.delete(f"metadata/entities/contacts/fields/{cname}")
    assert resp.status_code in (200, 204), resp.text
    assert cname not in json.dumps(api.get("metadata/entities/contacts").json(), ensure_ascii=False)
    assert cname not in api.fetch("contacts", ids[8])
    assert_problem(api.get("contacts", params={f"{cname}[gte]": "5"}), (400, 422))
    assert_problem(api.post("contacts", contact_body(marker, **{cname: 1})), 422, fields=[cname])

    # Bad definitions.
    assert_problem(api.post("metadata/entities/contacts/fields", {"name": f"x_{rand_hex(4)}", "type": "nonsense",
                                                                   "label": {"en": "X"}}), 422)
    assert_problem(api.post("metadata/entities/nope/fields", {"name": "x", "type": "integer",
                                                               "label": {"en": "X"}}), 404)


# --------------------------------------------------------------------------
# search


def _search(api: Client, q: str) -> dict[str, Any]:
    resp = api.get("search", params={"q": q})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body.get("data"), list) and isinstance(body.get("groups"), dict), body
    for hit in body["data"]:
        for key in ("entity", "id", "title", "subtitle", "score"):
            assert key in hit, f"search hit lacks {key!r}: {hit!r}"
    return body


def test_search_phone_in_any_format(api: Client) -> None:
    marker = f"ph-{rand_hex()}"
    tail = f"{random.randint(0, 9999999):07d}"  # 912 XXX-XX-XX, random per run
    a = api.create("contacts", contact_body(marker, last_name="Телефонов", phone_mobile=f"8912{tail}"))
    b = api.create("contacts", contact_body(marker, last_name="Звонков", phone_mobile=f"+7912{tail}"))
    c = api.create("contacts", contact_body(marker, last_name="Рабочий",
                                            phone_work=f"+7 (912) {tail[:3]}-{tail[3:5]}-{tail[5:]}"))
    pretty = f"+7 (912) {tail[:3]}-{tail[3:5]}-{tail[5:]}"
    want = {a["id"], b["id"], c["id"]}
    for q in (pretty, f"8912{tail}", f"+7912{tail}", f"8 912 {tail[:3]} {tail[3:5]} {tail[5:]}"):
        found = wait_for(lambda q=q: want <= {h["id"] for h in _search(api, q)["data"]})
        hits = _search(api, q)
        assert found, f"q={q!r} should find all three contacts, got {hits['data']!r}"
        assert hits["groups"].get("contacts", 0) >= 3
        for hit in hits["data"]:
            if hit["id"] in want:
                assert hit["entity"] == "contacts"


def test_search_cyrillic_case_insensitive(api: Client) -> None:
    marker = f"sr-{rand_hex()}"
    rec = api.create("contacts", contact_body(marker, last_name="Иванов", first_name="Аркадий"))
    company = api.create("companies", {"name": f"Ёлка и Партнёры {marker}"})
    assert wait_for(lambda: rec["id"] in {h["id"] for h in _search(api, "иванов")["data"]}), \
        "q=иванов should find Иванов"
    assert rec["id"] in {h["id"] for h in _search(api, "ИВАНОВ")["data"]}
    hits = _search(api, "ёлка")["data"]
    match = [h for h in hits if h["id"] == company["id"]]
    assert match and match[0]["entity"] == "companies"
    assert isinstance(match[0]["score"], (int, float))
    # Nothing for nonsense.
    assert _search(api, f"zzqx{rand_hex()}")["data"] == []


# --------------------------------------------------------------------------
# history


def test_history(api: Client) -> None:
    marker = f"his-{rand_hex()}"
    rec = api.create("contacts", contact_body(marker, title="Engineer", last_name="Историев"))
    path = f"contacts/{rec['id']}"
    user_id = rec["created_by"]
    assert api.patch(path, {"title": "CTO", "tags": ["x"]}).status_code == 200
    assert api.delete(path).status_code == 204
    assert api.post(f"trash/contacts/{rec['id']}/restore").status_code == 200

    resp = api.get(f"{path}/history")
    assert resp.status_code == 200, resp.text
    entries = resp.json()["data"]
    assert [e["action"] for e in entries] == ["restore", "delete", "update", "create"], entries
    for e in entries:
        assert e["actor_id"] == user_id
    stamps = [parse_ts(e["at"]) for e in entries]
    assert stamps == sorted(stamps, reverse=True), "history must be newest first"
    update = entries[2]
    assert update["changes"]["title"] == {"old": "Engineer", "new": "CTO"}, update
    assert "last_name" not in update["changes"], "unchanged fields are not in the changes"
    create = entries[3]
    if create.get("changes") and "title" in create["changes"]:
        assert create["changes"]["title"]["new"] == "Engineer"

    # Global history with filters.
    start = parse_ts(rec["created_at"]) - dt.timedelta(minutes=1)
    params = {"entity": "contacts", "action": "update", "user": user_id,
              "from": iso_utc(start), "to": iso_utc(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))}
    rows, _ = api.walk("history", params)
    assert rows, "global history should have our update"
    assert all(r["action"] == "update" for r in rows), rows
    assert any(rec["id"] in json.dumps(r) for r in rows), "global history should mention the record"
    ours = [r for r in rows if rec["id"] in json.dumps(r)]
    assert any(r.get("changes", {}).get("title") == {"old": "Engineer", "new": "CTO"} for r in ours)

    rows, _ = api.walk("history", {"entity": "contacts", "action": "delete", "user": user_id,
                                   "from": iso_utc(start)})
    assert any(rec["id"] in json.dumps(r) for r in rows)
    assert all(r["action"] == "delete" for r in rows)
    # A window that ends before the record existed shows none of it.
    rows, _ = api.walk("history", {"entity": "contacts", "to": iso_utc(start)})
    assert not any(rec["id"] in json.dumps(r) for r in rows)
    rows, _ = api.walk("history", {"entity": "companies", "from": iso_utc(start)})
    assert not any(rec["id"] in json.dumps(r) for r in rows)
    rows, _ = api.walk("history", {"user": str(uuid.uuid4())})
    assert rows == []

    assert_problem(api.get(f"contacts/{uuid.uuid4()}/history"), 404)


# --------------------------------------------------------------------------
# bad input: 4xx problem+json, nothing written

ONE_MIB = 1024 * 1024


def _bad_requests() -> list[tuple[str, Any, Any, list[str]]]:
    """(id, raw bytes or a dict, expected status(es), fields that must be named)."""
    ok = {"last_name": "Плохой"}
    return [
        ("malformed-json", b'{"last_name": "x",', 400, []),
        ("trailing-garbage", b'{"last_name": "x"} xyz', 400, []),
        ("bad-utf8", b'{"last_name": "\xff\xfe\xc3"}', 400, []),
        ("array", b'[{"last_name": "x"}]', 400, []),
        ("string", b'"last_name"', 400, []),
        ("null", b"null", 400, []),
        ("empty-body", b"", 400, []),
        ("unknown-field", {**ok, "shoe_size": 44}, 422, ["shoe_size"]),
        ("missing-required", {"first_name": "Без фамилии"}, 422, ["last_name"]),
        ("empty-object", {}, 422, ["last_name"]),
        ("wrong-type-string", {"last_name": 12345}, 422, ["last_name"]),
        ("wrong-type-bool", {**ok, "do_not_mail": "yes"}, 422, ["do_not_mail"]),
        ("wrong-type-address", {**ok, "address": "Москва"}, 422, ["address"]),
        ("wrong-type-tags", {**ok, "tags": "vip"}, 422, ["tags"]),
        ("bad-date", {**ok, "birthday": "1985-13-45"}, 422, ["birthday"]),
        ("bad-choice", {**ok, "source": "carrier_pigeon"}, 422, ["source"]),
        ("bad-uuid", {**ok, "company_id": "not-a-uuid"}, 422, ["company_id"]),
        ("all-at-once", {"shoe_size": 1, "do_not_mail": "yes", "birthday": "yesterday"}, 422,
         ["shoe_size", "do_not_mail", "birthday", "last_name"]),
        ("oversized", {**ok, "description": "я" * (ONE_MIB // 2 + 1024)}, 413, []),
    ]


@pytest.mark.parametrize("case", _bad_requests(), ids=lambda c: c[0])
def test_bad_input_writes_nothing(api: Client, case) -> None:
    _name, payload, status, fields = case
    before = api.count("contacts")
    before_trash = len(api.walk("trash", {}, limit=50)[0])
    data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        resp = api.request("POST", "contacts", data=data, timeout=60)
    except Exception as exc:  # the server must answer, not drop the connection
        raise AssertionError(f"POST contacts ({_name}) got no HTTP answer: {exc!r}") from exc
    assert_problem(resp, status, fields=fields)
    # The server keeps working and nothing was written.
    assert api.count("contacts") == before
    assert len(api.walk("trash", {}, limit=50)[0]) == before_trash


def test_unknown_entity_and_ids(api: Client) -> None:
    assert_problem(api.get("widgets"), 404)
    assert_problem(api.post("widgets", {"name": "x"}), 404)
    assert_problem(api.get(f"widgets/{uuid.uuid4()}"), 404)
    assert_problem(api.get(f"contacts/{uuid.uuid4()}"), 404)
    assert_problem(api.get("contacts/not-a-uuid"), 404)
    assert_problem(api.get("contacts/12345"), 404)
    assert_problem(api.delete("contacts/not-a-uuid"), 404)
    assert_problem(api.patch("contacts/not-a-uuid", {"title": "x"}), 404)
    # A record id looked up under the wrong entity is not found either.
    company = api.create("companies", {"name": f"Wrong-entity {rand_hex()}"})
    assert_problem(api.get(f"contacts/{company['id']}"), 404)
    assert api.fetch("companies", company["id"])["id"] == company["id"]


def test_bad_list_queries(api: Client) -> None:
    assert_problem(api.get("contacts", params={"no_such_field": "1"}), (400, 422))
    assert_problem(api.get("contacts", params={"last_name[regex]": "^A"}), (400, 422))
    assert_problem(api.get("contacts", params={"no_such_field[eq]": "1"}), (400, 422))
    assert_problem(api.get("companies", params={"employees[gte]": "lots"}), (400, 422))
    assert_problem(api.get("contacts", params={"birthday[gte]": "not-a-date"}), (400, 422))


def test_location_matches_get(api: Client) -> None:
    resp = api.post("notes", {"body": "Проверка Location"})
    assert resp.status_code == 201, resp.text
    location = resp.headers["Location"]
    path = location[location.index("/api/v1/"):]
    got = api.get(path)
    assert got.status_code == 200 and got.json()["id"] == resp.json()["id"]
    assert is_uuid(resp.json()["id"])
