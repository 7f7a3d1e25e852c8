#!/usr/bin/env python3
"""Turns a samples file (from generate.py) into request-path lists, one path per line, for wrk.

    paths.py SAMPLES.json OUTDIR [--seed 7]

Writes OUTDIR/get.paths, list.paths, search.paths (the first three questions), health.paths,
filter-starts.paths, filter-contains.paths, search-prefix.paths, page-list.paths and
page-record.paths (the web pages). Every path is already
percent-encoded (Cyrillic, brackets, spaces), so the Lua script only picks lines at random. In the
last three files a tab and a label follow each path (field, operator, sort, length of the text
typed), which bench/probe.py groups its timings by.
"""

import argparse
import json
import random
from urllib.parse import quote

from generate import CUSTOM_FIELD, digits, latin

# The text fields the filter questions ask about (the sample key that holds each one's value).
FILTER_FIELDS = {"last_name": "last_name", "first_name": "first_name", "email": "email", "phone_mobile": "phone",
                 CUSTOM_FIELD: CUSTOM_FIELD}
# The other field each one's list is sorted by half the time (the other half by the field itself).
OTHER_SORT = {"last_name": "first_name", "first_name": "last_name", "email": "last_name", "phone_mobile": "last_name",
              CUSTOM_FIELD: "last_name"}


def encode(value: str) -> str:
    return quote(value, safe="")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("samples")
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--common", type=int, default=20, help="how many of the most common surnames to filter on")
    parser.add_argument("--search", type=int, default=2000, help="search queries to write (of each kind)")
    parser.add_argument("--filters", type=int, default=300, help="filter pages to write per field and operator")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.samples, encoding="utf-8") as handle:
        samples = json.load(handle)
    contacts = samples["contacts"]

    # (a) one record by id
    get = [f"/api/v1/contacts/{c['id']}" for c in contacts]

    # (b) a list page: one common surname, sorted by first name, 50 rows
    surnames = [entry["last_name"] for entry in samples["common_last_names"][: args.common]]
    list_paths = [f"/api/v1/contacts?limit=50&last_name={encode(name)}&sort=first_name" for name in surnames]

    # (c) cross-entity search: half a surname (as typed, or in Latin letters for a Cyrillic one),
    # half a mobile number written differently from how it is stored.
    with_phone = [c for c in contacts if c.get("phone_query")]
    search = []
    for _ in range(args.search if contacts else 0):
        if rng.random() < 0.5 or not with_phone:
            name = rng.choice(contacts)["last_name"]
            if latin(name) != name.lower() and rng.random() < 0.3:
                name = latin(name).capitalize()
            query = name
        else:
            query = rng.choice(with_phone)["phone_query"]
        search.append(f"/api/v1/search?q={encode(query)}")

    # (d) the web pages (issue 14): the same list pages and records as a person opens them
    page_list = [f"/contacts?last_name={encode(name)}&sort=first_name" for name in surnames]
    page_record = [f"/contacts/{c['id']}" for c in contacts]

    starts, contains = filter_paths(contacts, rng, args.filters)
    prefix = search_prefix_paths(contacts, rng, args.search)
    for name, paths in (("get", get), ("list", list_paths), ("search", search), ("health", ["/health"]),
                        ("filter-starts", starts), ("filter-contains", contains), ("search-prefix", prefix),
                        ("page-list", page_list), ("page-record", page_record)):
        if not paths:
            continue
        with open(f"{args.outdir}/{name}.paths", "w", encoding="utf-8") as handle:
            handle.write("\n".join(paths) + "\n")


def typed(text: str, longest: int) -> list[str]:
    """What a search box holds as someone types text one key at a time (trailing spaces trimmed)."""
    result = []
    for length in range(1, min(len(text), longest) + 1):
        part = text[:length].rstrip()
        if part and part not in result:
            result.append(part)
    return result


def phone_prefixes(phone: str) -> list[str]:
    """Prefixes of a mobile number: of the stored text, and of the number typed as digits."""
    result = typed(phone, 9)[1:]
    number = digits(phone)
    if len(number) == 11 and number[0] in "78":
        ten = number[1:]
        result += [f"+7 {ten[:k]}" for k in (1, 2, 3)] + [f"+7 {ten[:3]} {ten[3:4]}", f"8{ten[:3]}", f"8{ten[:4]}"]
    elif len(number) == 10 and number[0] == "9":
        result += [number[:k] for k in (2, 3, 4)]
    return list(dict.fromkeys(result))


def middle(value: str, rng: random.Random) -> str | None:
    """3 to 5 characters from inside a value; for a phone number, digits from one run of digits."""
    if any(ch.isdigit() for ch in value) and not any(ch.isalpha() for ch in value):
        runs = [run for run in "".join(ch if ch.isdigit() else " " for ch in value).split() if len(run) >= 3]
        if not runs:
            return None
        run = rng.choice(runs)
        length = rng.randint(3, min(5, len(run)))
        start = rng.randrange(len(run) - length + 1)
        return run[start:start + length]
    if len(value) < 5:
        return None
    length = rng.randint(3, min(5, len(value) - 2))
    start = rng.randrange(1, len(value) - length)
    part = value[start:start + length]
    return part if part.strip() == part else None


def filter_path(field: str, op: str, text: str, rng: random.Random) -> str:
    sort = field if rng.random() < 0.5 else OTHER_SORT[field]
    key = encode(f"{field}[{op}]")
    label = f"{field} {op} sort={'same' if sort == field else sort} n={len(text)}"
    return f"/api/v1/contacts?limit=50&{key}={encode(text)}&sort={sort}\t{label}"


def filter_paths(contacts, rng: random.Random, per_field: int):
    starts, contains = [], []
    for field, key in FILTER_FIELDS.items():
        values = [c[key] for c in contacts if c.get(key)]
        if not values:
            continue
        rng.shuffle(values)
        field_starts, field_contains = [], []
        for value in values:
            if len(field_starts) < per_field:
                prefixes = phone_prefixes(value) if field == "phone_mobile" else typed(value, 8 if field == "email" else 6)
                field_starts += [filter_path(field, "starts", p, rng) for p in prefixes]
            if len(field_contains) < per_field:
                part = middle(value, rng)
                if part:
                    field_contains.append(filter_path(field, "contains", part, rng))
            if len(field_starts) >= per_field and len(field_contains) >= per_field:
                break
        starts += field_starts[:per_field]
        contains += field_contains[:per_field]
    return starts, contains


def search_prefix_paths(contacts, rng: random.Random, count: int):
    """Cross-entity search as typed: 2 to 6 characters of a name (Cyrillic or in Latin letters), an
    e-mail or a mobile number."""
    kinds = {
        "surname": [c["last_name"] for c in contacts],
        "first-name": [c["first_name"] for c in contacts if c.get("first_name")],
        "latin-surname": [latin(c["last_name"]).capitalize() for c in contacts if latin(c["last_name"]) != c["last_name"].lower()],
        "email": [c["email"] for c in contacts if c.get("email")],
        "phone": [c["phone"] for c in contacts if c.get("phone")],
    }
    weights = {"surname": 3, "first-name": 2, "latin-surname": 2, "email": 2, "phone": 2}
    kinds = {kind: values for kind, values in kinds.items() if values}
    if not kinds:
        return []
    names, chances = list(kinds), [weights[kind] for kind in kinds]
    paths = []
    while len(paths) < count:
        kind = rng.choices(names, chances)[0]
        value = rng.choice(kinds[kind])
        if kind == "phone":
            options = [p for p in phone_prefixes(value) if len(digits(p)) >= 2]
        else:
            options = [p for p in typed(value, 6) if len(p) >= 2]
        for text in options:
            paths.append(f"/api/v1/search?q={encode(text)}\tsearch {kind} n={len(text)}")
    return paths[:count]


if __name__ == "__main__":
    main()
