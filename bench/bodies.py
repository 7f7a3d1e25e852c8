#!/usr/bin/env python3
"""Request bodies for the write scenarios: new contacts as a sales team would type them in.

    bodies.py create SAMPLES.json OUT --count 150000 [--seed 1]
        one JSON object a line, each the body of one POST /api/v1/contacts
    bodies.py batch SAMPLES.json OUT --rows 100000 [--per-request 1000] [--seed 1]
        one {"records": [...]} a line, each the body of one POST /api/v1/contacts/batch

Names come from the same Zipf-weighted lists as generate.py (so thousands of new contacts share a
name with stored ones), mobile numbers are Russian for most and written the many ways people write
them, most have an e-mail, most have a region (the custom field c_region). A few are people who are
already in the database (from the samples file's "existing" list) or earlier in the same file,
entered again with their number typed differently: the duplicate check has real duplicates to find.
"""

from __future__ import annotations

import argparse
import json
import random

import names
from generate import (CUSTOM_FIELD, EN_FIRST_F, EN_FIRST_M, EN_LAST, RU_FATHER, RU_FIRST_F, RU_FIRST_M, RU_LAST,
                      email_part, female_surname, other_format, region_value, ru_format, ru_mobile_digits, uk_mobile,
                      us_phone)

# Of the new contacts, how many are a known person entered again (name and number, number retyped).
REPEAT_SHARE = 0.05


class People:
    """Draws new contacts; remembers the numbers it handed out so later ones can repeat them."""

    def __init__(self, existing: list[dict], rng: random.Random):
        self.rng = rng
        self.existing = [p for p in existing if p.get("phone_mobile")]
        self.made: list[dict] = []

    def repeat(self) -> dict | None:
        rng = self.rng
        pool = self.existing if self.existing and (not self.made or rng.random() < 0.8) else self.made
        if not pool:
            return None
        known = pool[rng.randrange(len(pool))]
        body = {"first_name": known["first_name"], "last_name": known["last_name"],
                "phone_mobile": other_format(known["phone_mobile"], rng)}
        if known.get("middle_name") and rng.random() < 0.5:
            body["middle_name"] = known["middle_name"]
        if known.get("email") and rng.random() < 0.4:
            body["email"] = known["email"]
        return body

    def new(self) -> dict:
        rng = self.rng
        lang = "ru" if rng.random() < 0.75 else "en"
        female = rng.random() < 0.5
        body: dict = {}
        if lang == "ru":
            first = RU_FIRST_F(rng) if female else RU_FIRST_M(rng)
            father = RU_FATHER(rng)
            last_male = RU_LAST(rng)
            last = female_surname(last_male) if female else last_male
            body["first_name"] = first
            if rng.random() < 0.7:  # forms often leave the patronymic out
                body["middle_name"] = father[2] if female else father[1]
            body["last_name"] = last
        else:
            first = EN_FIRST_F(rng) if female else EN_FIRST_M(rng)
            last = EN_LAST(rng)
            body["first_name"] = first
            body["last_name"] = last
        if rng.random() < 0.9:
            if lang == "ru" or rng.random() < 0.3:
                body["phone_mobile"] = ru_format(ru_mobile_digits(rng), rng.randrange(7))
            elif rng.random() < 0.5:
                body["phone_mobile"] = uk_mobile(rng, rng.randrange(4))[0]
            else:
                body["phone_mobile"] = us_phone(rng, rng.choice(["212", "415", "312", "617"]), rng.randrange(4))[0]
        if rng.random() < 0.8:
            fl, ll = email_part(first), email_part(last)
            local = [f"{fl}.{ll}", f"{fl[:1]}.{ll}", f"{ll}.{fl}", f"{fl}{ll[:1]}", f"{fl}_{ll}"][rng.randrange(5)]
            if rng.random() < 0.6:  # a birth year or a few digits, the way free mail names end up
                local += str(rng.randrange(1965, 2006)) if rng.random() < 0.5 else str(rng.randrange(1, 1000))
            domains = names.RU_MAIL_DOMAINS if lang == "ru" else names.EN_MAIL_DOMAINS
            body["email"] = f"{local}@{rng.choice(domains)}"
        if rng.random() < 0.4:
            body["title"] = rng.choice(names.RU_TITLES if lang == "ru" else names.EN_TITLES)
        region = region_value(lang, None, rng)
        if region is not None:
            body[CUSTOM_FIELD] = region
        return body

    def __call__(self) -> dict:
        body = self.repeat() if self.rng.random() < REPEAT_SHARE else None
        if body is None:
            body = self.new()
        if body.get("phone_mobile"):
            self.made.append(body)
        return body


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["create", "batch"])
    parser.add_argument("samples")
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=150_000, help="create: bodies to write")
    parser.add_argument("--rows", type=int, default=100_000, help="batch: records in all")
    parser.add_argument("--per-request", type=int, default=1000, help="batch: records per request")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open(args.samples, encoding="utf-8") as handle:
        existing = json.load(handle).get("existing", [])
    people = People(existing, random.Random(args.seed))
    with open(args.out, "w", encoding="utf-8") as out:
        if args.kind == "create":
            for _ in range(args.count):
                out.write(dumps(people()) + "\n")
        else:
            left = args.rows
            while left > 0:
                size = min(args.per_request, left)
                out.write(dumps({"records": [people() for _ in range(size)]}) + "\n")
                left -= size


if __name__ == "__main__":
    main()
