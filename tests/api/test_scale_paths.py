"""The spine's fast paths, black-box: batch creates (all or none), starts/contains filters
(case- and ё/е-insensitive, built-in and custom fields) and search as people type."""

from __future__ import annotations

from urllib.parse import quote

from conftest import Client, assert_problem, rand_hex


def _count(api: Client, params: dict[str, str]) -> int:
    resp = api.get("contacts", params={**params, "count": "true", "limit": "1"})
    assert resp.status_code == 200, resp.text
    return resp.json()["total"]


def test_batch_create_is_all_or_none(api: Client) -> None:
    marker = f"batch-{rand_hex()}"
    rows = [
        {"first_name": first, "last_name": last, "department": marker, "email": f"p{i}.{marker}@example.test"}
        for i, (first, last) in enumerate([("Анна", "Ёлкина"), ("Борис", "Шмидт"), ("Вера", "Лебедева")])
    ]
    resp = api.post("contacts/batch", {"records": rows})
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]
    assert len(created) == 3 and all(set(item) == {"id", "number"} for item in created)
    numbers = [int(item["number"].split("-")[1]) for item in created]
    assert numbers == list(range(numbers[0], numbers[0] + 3)), numbers
    for item, row in zip(created, rows):
        got = api.get(f"contacts/{item['id']}")
        assert got.status_code == 200, got.text
        assert got.json()["last_name"] == row["last_name"] and got.json()["number"] == item["number"]
        history = api.get(f"contacts/{item['id']}/history")
        assert history.status_code == 200, history.text
        entries = history.json()["data"]
        assert [e["action"] for e in entries] == ["create"], entries
        found = api.get("search", params={"q": row["last_name"], "limit": "100"})
        assert item["id"] in {hit["id"] for hit in found.json()["data"]}, row["last_name"]
    assert _count(api, {"department": marker}) == 3
    mine = {item["id"] for item in created}
    assert not any(d["id"] in mine for item in created for d in item.get("duplicates", [])), created

    # A second batch: a person already stored (by e-mail, in another case) and one twice in it.
    twin = {"first_name": "Иван", "last_name": f"Дубль{marker}", "department": marker}
    second = api.post("contacts/batch", {"records": [
        {"last_name": "Другая", "department": marker, "email": rows[1]["email"].upper()}, twin, dict(twin)]})
    assert second.status_code == 201, second.text
    items = second.json()["data"]
    assert items[0]["duplicates"] == [{"id": created[1]["id"], "reasons": ["email"]}], items[0]
    assert [d["id"] for d in items[2]["duplicates"]] == [items[1]["id"]] and items[2]["duplicates"][0]["reasons"] == ["name"]
    assert _count(api, {"department": marker}) == 6

    # One bad row refuses the whole batch and names the row; nothing is written.
    bad = [dict(rows[0], last_name="Ok"), {"last_name": "Bad", "email": "not an e-mail", "department": marker}, 7]
    body = assert_problem(api.post("contacts/batch", {"records": bad}), 422, fields=["rows[1].email"])
    assert any(e.get("field") == "rows[2]" for e in body.get("errors", [])), body
    assert _count(api, {"department": marker}) == 6

    for payload in ({"records": []}, {"records": [{}] * 1001}, {"rows": rows}, {"records": rows, "extra": 1}, [rows[0]]):
        resp = api.post("contacts/batch", payload)
        assert resp.status_code == 422, (payload if len(str(payload)) < 200 else "...", resp.status_code, resp.text[:300])
    assert _count(api, {"department": marker}) == 6


def test_text_filters_fold_case_and_yo(api: Client) -> None:
    marker = f"fold-{rand_hex()}"
    field = f"code_{rand_hex(6)}"
    resp = api.post("metadata/entities/contacts/fields", {"name": field, "type": "text", "label": "Code"})
    assert resp.status_code == 201, resp.text
    key = resp.json()["name"]
    people = [("Ёлкин", "ЁЖ-17"), ("елкина", "еж-2"), ("Елисеев", "AB-1"), ("Smith", "ab-10")]
    for last, code in people:
        created = api.post("contacts", {"last_name": last, "department": marker, key: code})
        assert created.status_code == 201, created.text

    def names(**params: str) -> set[str]:
        rows, _ = api.walk("contacts", {"department": marker, **params}, limit=50)
        return {row["last_name"] for row in rows}

    # ё and е are one letter to a filter, in either case.
    assert names(**{"last_name[starts]": "ёл"}) == {"Ёлкин", "елкина", "Елисеев"}
    assert names(**{"last_name[starts]": "ЕЛК"}) == {"Ёлкин", "елкина"}
    assert names(**{"last_name[contains]": "ЛКИ"}) == {"Ёлкин", "елкина"}
    assert names(**{f"{key}[starts]": "еж"}) == {"Ёлкин", "елкина"}
    assert names(**{f"{key}[starts]": "ab-1"}) == {"Елисеев", "Smith"}
    assert names(**{f"{key}[contains]": "B-10"}) == {"Smith"}
    assert names(**{"last_name[starts]": "%"}) == set()
    assert names(**{"last_name[contains]": "_"}) == set()


def test_search_as_you_type(api: Client) -> None:
    suffix = rand_hex(6)
    last = f"Чистяков{suffix}"
    phone = "+7 (916) 24" + suffix[:1].translate(str.maketrans("abcdef", "123456")) + "-55-01"
    created = api.post("contacts", {"first_name": "Фёдор", "last_name": last, "phone_mobile": phone})
    assert created.status_code == 201, created.text
    wanted = created.json()["id"]
    typed = last[: len("Чистяков") + 2]
    for end in range(3, len(typed) + 1):
        resp = api.get(f"search?q={quote(typed[:end])}&limit=100")
        assert resp.status_code == 200, resp.text
        if end > len("Чистяков"):
            assert wanted in {hit["id"] for group in resp.json().get("data", []) for hit in _hits(group)}, typed[:end]
    resp = api.get(f"search?q={quote('chistiakov' + suffix[:2])}")
    assert wanted in {hit["id"] for group in resp.json().get("data", []) for hit in _hits(group)}


def _hits(group):
    """Search results may be grouped by entity or flat; yield the hit objects either way."""
    if isinstance(group, dict) and "hits" in group:
        return group["hits"]
    return [group]
