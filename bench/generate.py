#!/usr/bin/env python3
"""Bulk-loads a realistic, deterministic contact base into an already migrated Clientele database.

    generate.py --database sqlite:PATH|postgres://... [--count 1000000] [--seed 42] [--samples FILE]

Writes straight into the tables (contacts, companies, record_sequences and the search index) for
the default workspace, in the exact formats the server writes (see Sources/CRMStorage and
Sources/CRMCore/Support/SearchTerms.swift), then rebuilds the secondary indexes and runs ANALYZE.
Going through the API would take hours on a 2-core machine; the server reads these rows exactly as
it reads its own.

SQLite needs a library of 3.43 or later (the search index is a contentless-delete FTS5 table), so
the loader uses apsw, which bundles its own SQLite; PostgreSQL is loaded with COPY through psycopg.
`bench/run.sh` installs both into `.venv-bench`.

The samples file (JSON) lists ids, names, phones and the most common surnames of the generated
data, for the load scripts.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sys
import time
from collections import Counter
from datetime import datetime, timezone

import names

# ---------------------------------------------------------------------------------------------
# The server's text rules, ported from Sources/CRMCore/Support (SearchTerms, Transliteration,
# PhoneNumber) so that the index holds exactly what the server would have written.

TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
}
TRANSLIT_TABLE = str.maketrans(TRANSLIT)


def latin(text: str) -> str:
    return text.lower().translate(TRANSLIT_TABLE)


def words(text: str) -> list[str]:
    result, current = [], []
    for ch in text.lower():
        if ch.isalpha() or ch.isnumeric():
            current.append(ch)
        elif current:
            result.append("".join(current))
            current = []
    if current:
        result.append("".join(current))
    return result


def digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def match_key(text: str) -> str | None:
    number = digits(text)
    position = text.lower().find("ext")
    if position >= 0:
        number = digits(text[:position])
    if len(number) < 5:
        return None
    return number[-10:] if len(number) > 10 else number


def compact(email: str) -> str:
    return "".join(ch for ch in email.lower() if ch.isalpha() or ch.isnumeric())


def access_text(entity: str, owner: str | None) -> str:
    """The access column of a search document (SearchAccess.documentText): the entity, the owner
    (last 12 hex digits of its id); a freshly loaded record has no shares, follows or participants."""
    entity_term = "e" + "".join(ch for ch in entity.lower() if ch.isascii() and ch.isalnum())
    return entity_term + (f" o{owner.lower()[-12:]}" if owner else "")


def search_document(text: list[str], phones: list[str], emails: list[str]) -> str:
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        if term and len(term) <= 64 and term not in seen:
            seen.add(term)
            terms.append(term)

    for value in text:
        for word in words(value):
            add(word)
            lat = latin(word)
            if lat != word:
                add(lat)
    for email in emails:
        for word in words(email):
            add(word)
        add(compact(email))
    for phone in phones:
        key = match_key(phone)
        if key is not None:
            add(key)
        add(digits(phone))
    return " ".join(terms)


# ---------------------------------------------------------------------------------------------
# Formats

def iso_ms(ms: int) -> str:
    """Timestamps.format: UTC, milliseconds, Z."""
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def pg_ts(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%d %H:%M:%S") + ".%03d+00" % (ms % 1000)


def uuid7(ms: int, rng: random.Random) -> str:
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    h = "%032x" % value
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def record_number(prefix: str, value: int) -> str:
    return "%s-%06d" % (prefix, value)


def to_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def female_surname(male: str) -> str:
    for ending, replacement in (("ский", "ская"), ("цкий", "цкая"), ("цкой", "цкая"), ("ой", "ая")):
        if male.endswith(ending):
            return male[: -len(ending)] + replacement
    if male.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male + "а"
    return male  # -ко, -ых, -их do not change


def email_part(text: str) -> str:
    text = latin(text)
    text = text.replace("ü", "u").replace("ö", "o").replace("ä", "a")
    return "".join(ch for ch in text if "a" <= ch <= "z")


class Zipf:
    """Draws list items with weight 1 / rank^s."""

    def __init__(self, items, s: float):
        self.items = list(items)
        total, cumulative = 0.0, []
        for rank in range(1, len(self.items) + 1):
            total += 1.0 / rank**s
            cumulative.append(total)
        self.cumulative, self.total = cumulative, total

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect_left(self.cumulative, rng.random() * self.total)]


# ---------------------------------------------------------------------------------------------
# Phones, as people type them

def ru_mobile_digits(rng: random.Random) -> str:
    return "9" + "%02d" % rng.choice([0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 15, 16, 17, 19, 20, 21, 25, 26, 27, 28,
                                      29, 31, 50, 51, 52, 53, 60, 61, 62, 63, 65, 67, 77, 80, 81, 82, 85, 88, 91, 99]) \
        + "%07d" % rng.randrange(10_000_000)


def ru_format(ten: str, style: int) -> str:
    a, b, c, d = ten[:3], ten[3:6], ten[6:8], ten[8:]
    return [
        f"+7 ({a}) {b}-{c}-{d}",
        f"8{ten}",
        f"+7{ten}",
        f"8 {a} {b} {c} {d}",
        f"+7 {a} {b}-{c}-{d}",
        f"8({a}){b}-{c}-{d}",
        f"{a} {b}-{c}{d}",
    ][style]


def uk_mobile(rng: random.Random, style: int) -> tuple[str, str]:
    rest = "7%03d%06d" % (rng.randrange(1000), rng.randrange(1_000_000))  # 10 digits
    formats = [f"+44 {rest[:4]} {rest[4:]}", f"0{rest[:4]} {rest[4:]}", f"+44{rest}", f"0{rest}"]
    return formats[style % len(formats)], rest


def us_phone(rng: random.Random, area: str, style: int) -> tuple[str, str]:
    area = area if len(area) == 3 else "212"
    ten = area + "%03d" % rng.randrange(200, 1000) + "%04d" % rng.randrange(10000)
    formats = [f"+1 ({ten[:3]}) {ten[3:6]}-{ten[6:]}", f"{ten[:3]}-{ten[3:6]}-{ten[6:]}", f"+1{ten}",
               f"({ten[:3]}) {ten[3:6]}-{ten[6:]}"]
    return formats[style % len(formats)], ten


def other_format(phone: str, rng: random.Random) -> str:
    """The same number as another person would type it (what the search scenario asks for)."""
    number = digits(phone)
    key = number[-10:]
    if number.startswith("7") or (number.startswith("8") and len(number) == 11) or (len(number) == 10 and number[0] == "9"):
        options = [ru_format(key, style) for style in range(7)]
    elif number.startswith("44") or (number.startswith("0") and len(number) == 11):
        options = [f"+44 {key[:4]} {key[4:]}", f"0{key[:4]} {key[4:]}", f"0{key}", f"44{key}"]
    else:
        options = [f"+1 ({key[:3]}) {key[3:6]}-{key[6:]}", f"{key[:3]}.{key[3:6]}.{key[6:]}", f"1{key}", key]
    options = [option for option in options if option != phone] or [key]
    return rng.choice(options)


# ---------------------------------------------------------------------------------------------
# Generation

BASE_END_MS = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
SPAN_MS = 3 * 365 * 86_400_000

RU_FIRST_M = Zipf([name for name, _, _ in names.RU_MALE], 0.8)
RU_FATHER = Zipf(names.RU_MALE, 0.8)
RU_FIRST_F = Zipf(names.RU_FEMALE, 0.8)
RU_LAST = Zipf(names.RU_SURNAMES, 0.5)
EN_FIRST_M = Zipf(names.EN_MALE, 0.8)
EN_FIRST_F = Zipf(names.EN_FEMALE, 0.8)
EN_LAST = Zipf(names.EN_SURNAMES, 0.5)
RU_CITY = Zipf(names.RU_CITIES, 1.0)
EN_CITY = Zipf(names.EN_CITIES, 1.0)


# The benchmark's one custom field: a free-text region on contacts, filled for most of them with
# repeated values (a region's usual spelling and, now and then, another way people write it).
CUSTOM_FIELD = "c_region"
CUSTOM_FIELD_DEFINITION = {
    # FieldDefinition as the server encodes it (JSONEncoder, sorted keys; no referenceEntity).
    "isCustom": True, "isRequired": False, "isSearchable": False, "isSystem": False,
    "label": {"en": "Region", "ru": "Регион"}, "maxLength": 255, "name": CUSTOM_FIELD, "options": [], "type": "text",
}
RU_REGION = Zipf(names.RU_REGIONS, 1.0)
EN_REGION = Zipf(names.EN_REGIONS, 1.0)
RU_REGION_BY_NAME = {name: variants for name, variants in names.RU_REGIONS}
EN_REGION_BY_NAME = {name: variants for name, variants in names.EN_REGIONS}


def region_value(lang: str, city, rng: random.Random) -> str | None:
    """A c_region value: the city's region when the contact has an address, else a common one."""
    if rng.random() >= 0.75:
        return None
    table = RU_REGION_BY_NAME if lang == "ru" else EN_REGION_BY_NAME
    if city is not None and city[1] in table:
        name, variants = city[1], table[city[1]]
    else:
        name, variants = (RU_REGION if lang == "ru" else EN_REGION)(rng)
    if variants and rng.random() < 0.12:
        return rng.choice(variants)
    return name


class Company:
    __slots__ = ("id", "number", "lang", "name", "domain", "phone", "row", "doc")


def make_companies(count: int, rng: random.Random, workspace: str, owners: list[str | None]) -> list[Company]:
    companies = []
    for i in range(count):
        owner = owners[i % len(owners)]
        c = Company()
        ms = BASE_END_MS - SPAN_MS - 86_400_000 * 30 + (i * (SPAN_MS // max(count, 1)))
        ms += rng.randrange(max(SPAN_MS // max(count, 1), 1))
        c.id = uuid7(ms, rng)
        c.number = record_number("A", i + 1)
        c.lang = "ru" if rng.random() < 0.65 else "en"
        if c.lang == "ru":
            word = rng.choice(names.RU_COMPANY_WORDS) + rng.choice(names.RU_COMPANY_SUFFIX)
            c.name = f"{rng.choice(names.RU_COMPANY_FORMS)} «{word}»"
            if rng.random() < 0.3:
                c.name = c.name[:-1] + f" {rng.randrange(2, 99)}»"
            c.domain = email_part(word) + rng.choice([".ru", ".ru", ".com", ".su"])
            city = RU_CITY(rng)
            ten = (city[4] + "%08d" % rng.randrange(10**8))[:10]
            c.phone = ru_format(ten, rng.choice([0, 3, 4]))
            inn = "%010d" % rng.randrange(10**9, 10**10)
            address = {"street": f"{rng.choice(names.RU_STREETS)}, д. {rng.randrange(1, 150)}", "city": city[0],
                       "region": city[1], "postal_code": city[3] + "%0*d" % (6 - len(city[3]), rng.randrange(10**(6 - len(city[3])))),
                       "country": city[2]}
        else:
            word = rng.choice(names.EN_COMPANY_WORDS)
            c.name = f"{word} {rng.choice(names.EN_COMPANY_SUFFIX)} {rng.choice(names.EN_COMPANY_FORMS)}"
            c.domain = email_part(word) + email_part(c.name.split()[-2])[:6] + rng.choice([".com", ".co.uk", ".io"])
            city = EN_CITY(rng)
            if city[2] in ("United States", "Canada"):
                c.phone, _ = us_phone(rng, city[4], rng.randrange(4))
            else:
                c.phone = f"+44 {city[4]} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
            inn = None
            address = {"street": f"{rng.randrange(1, 300)} {rng.choice(names.EN_STREETS)}", "city": city[0],
                       "region": city[1], "postal_code": f"{city[3]} {rng.randrange(1, 9)}AB", "country": city[2]}
        email = f"info@{c.domain}"
        website = f"https://{c.domain}"
        employees = int(rng.lognormvariate(3.5, 1.5)) + 1
        revenue = employees * rng.randrange(1_000_000, 20_000_000) * 1_000_000 if rng.random() < 0.6 else None
        currency = ("RUB" if c.lang == "ru" else rng.choice(["USD", "GBP", "EUR"])) if revenue else None
        created = ms
        updated = min(created + rng.randrange(0, 90 * 86_400_000), BASE_END_MS)
        c.row = {
            "workspace_id": workspace, "id": c.id, "number": c.number, "owner_id": owner, "tags": None,
            "created_at": created, "created_by": owner, "updated_at": updated, "updated_by": owner, "version": 1,
            "deleted_at": None, "deleted_by": None, "custom": "{}",
            "name": c.name, "industry": rng.choice(names.INDUSTRIES), "type": rng.choice(names.COMPANY_TYPES),
            "website": website, "phone": c.phone, "email": email, "annual_revenue": revenue,
            "annual_revenue_currency": currency, "employees": employees, "inn": inn, "kpp": None, "ogrn": None,
            "parent_id": None, "legal_address": to_json(address), "postal_address": None, "rating": None,
            "do_not_mail": None, "description": None,
        }
        text = [c.number, c.name] + ([inn] if inn else [])
        c.doc = ("companies", c.id, c.name, email, search_document(text, [c.phone], [email]))
        companies.append(c)
    return companies


COMPANY_COLUMNS = [
    "workspace_id", "id", "number", "owner_id", "tags", "created_at", "created_by", "updated_at", "updated_by",
    "version", "deleted_at", "deleted_by", "custom", "name", "industry", "type", "website", "phone", "email",
    "annual_revenue", "annual_revenue_currency", "employees", "inn", "kpp", "ogrn", "parent_id", "legal_address",
    "postal_address", "rating", "do_not_mail", "description",
]

CONTACT_COLUMNS = [
    "workspace_id", "id", "number", "owner_id", "tags", "created_at", "created_by", "updated_at", "updated_by",
    "version", "deleted_at", "deleted_by", "custom", "salutation", "first_name", "middle_name", "last_name", "title",
    "department", "company_id", "email", "email_other", "phone_mobile", "phone_work", "phone_home", "phone_other",
    "birthday", "source", "address", "description", "do_not_mail",
]


def make_contact(i: int, count: int, rng: random.Random, workspace: str, owner: str | None,
                 companies_by_lang: dict[str, list[Company]], email_counter: Counter, custom_rng: random.Random):
    """One contact row (dict) and its search document (entity, id, title, subtitle, terms)."""
    step = max(SPAN_MS // max(count, 1), 1)
    created = BASE_END_MS - SPAN_MS + i * step + rng.randrange(step)
    updated = created if rng.random() < 0.6 else min(created + rng.randrange(1, 120 * 86_400_000), BASE_END_MS)
    record_id = uuid7(created, rng)
    number = record_number("C", i + 1)
    lang = "ru" if rng.random() < 0.65 else "en"
    female = rng.random() < 0.5
    salutation = None
    if lang == "ru":
        first = RU_FIRST_F(rng) if female else RU_FIRST_M(rng)
        father = RU_FATHER(rng)
        middle = father[2] if female else father[1]
        if rng.random() < 0.08:
            middle = None
        last_male = RU_LAST(rng)
        last = female_surname(last_male) if female else last_male
        title = rng.choice(names.RU_TITLES) if rng.random() < 0.85 else None
        department = rng.choice(names.RU_DEPARTMENTS) if rng.random() < 0.5 else None
        city = RU_CITY(rng) if rng.random() < 0.6 else None
    else:
        first = EN_FIRST_F(rng) if female else EN_FIRST_M(rng)
        middle = (EN_FIRST_F(rng) if female else EN_FIRST_M(rng)) if rng.random() < 0.15 else None
        last = EN_LAST(rng)
        title = rng.choice(names.EN_TITLES) if rng.random() < 0.85 else None
        department = rng.choice(names.EN_DEPARTMENTS) if rng.random() < 0.5 else None
        city = EN_CITY(rng) if rng.random() < 0.6 else None
        if rng.random() < 0.2:
            salutation = rng.choice(["Ms.", "Mrs.", "Dr."] if female else ["Mr.", "Dr."])
    company = None
    pool = companies_by_lang.get(lang) or []
    if pool and rng.random() < 0.8:
        company = pool[rng.randrange(len(pool))]

    # E-mail: name-based, personal or company domain; numbered when the address was already used.
    email = None
    if rng.random() < 0.9:
        fl, ll = email_part(first), email_part(last)
        pattern = rng.randrange(4)
        local = [f"{fl}.{ll}", f"{fl[:1]}.{ll}", f"{ll}.{fl}", f"{fl}{ll[:1]}"][pattern]
        domain = company.domain if company and rng.random() < 0.5 else rng.choice(
            names.RU_MAIL_DOMAINS if lang == "ru" else names.EN_MAIL_DOMAINS)
        address = f"{local}@{domain}"
        used = email_counter[address]
        email_counter[address] += 1
        email = address if used == 0 else f"{local}{used + 1}@{domain}"
    email_other = None
    if rng.random() < 0.08:
        email_other = f"{email_part(first)}{rng.randrange(10, 9999)}@{rng.choice(names.RU_MAIL_DOMAINS + names.EN_MAIL_DOMAINS)}"

    phone_mobile = phone_work = phone_home = None
    if rng.random() < 0.85:
        if lang == "ru":
            phone_mobile = ru_format(ru_mobile_digits(rng), rng.randrange(7))
        elif city is not None and city[2] in ("United States", "Canada"):
            phone_mobile, _ = us_phone(rng, city[4], rng.randrange(4))
        else:
            phone_mobile, _ = uk_mobile(rng, rng.randrange(4))
    if rng.random() < 0.3:
        if lang == "ru":
            area = (city or RU_CITY(rng))[4]
            local_digits = "%07d" % rng.randrange(10_000_000) if len(area) == 3 else "%08d" % rng.randrange(10**8)
            ten = (area + local_digits)[:10]
            phone_work = f"+7 ({ten[:3]}) {ten[3:6]}-{ten[6:8]}-{ten[8:]}"
            if rng.random() < 0.15:
                phone_work += f" ext {rng.randrange(100, 999)}"
        elif city is not None and city[2] in ("United States", "Canada"):
            phone_work, _ = us_phone(rng, city[4], 0)
        else:
            area = (city or names.EN_CITIES[0])[4]
            phone_work = f"+44 {area} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
    if rng.random() < 0.05:
        phone_home = ru_format(ru_mobile_digits(rng), 1) if lang == "ru" else uk_mobile(rng, 1)[0]

    address = None
    if city is not None:
        if lang == "ru":
            street = f"{rng.choice(names.RU_STREETS)}, д. {rng.randrange(1, 150)}, кв. {rng.randrange(1, 300)}"
            postal = city[3] + "%0*d" % (6 - len(city[3]), rng.randrange(10 ** (6 - len(city[3]))))
        else:
            street = f"{rng.randrange(1, 300)} {rng.choice(names.EN_STREETS)}"
            postal = f"{city[3]} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        address = to_json({"street": street, "city": city[0], "region": city[1], "postal_code": postal,
                           "country": city[2]})
    birthday = None
    if rng.random() < 0.3:
        birthday = "%04d-%02d-%02d" % (rng.randrange(1955, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
    tags = None
    if rng.random() < 0.1:
        tags = to_json(rng.sample(names.TAGS, rng.choice([1, 1, 2])))
    draw = rng.random()
    do_not_mail = True if draw < 0.05 else (False if draw < 0.65 else None)
    source = rng.choice(names.SOURCES) if rng.random() < 0.7 else None
    # Drawn from its own generator, so the built-in columns stay what they were before the field existed.
    region = region_value(lang, city, custom_rng)
    custom = to_json({CUSTOM_FIELD: region}) if region is not None else "{}"
    description = None
    if rng.random() < 0.05:
        description = "Встреча на выставке, интересуется оптовыми поставками." if lang == "ru" else \
            "Met at the trade show; interested in a volume discount."

    row = {
        "workspace_id": workspace, "id": record_id, "number": number, "owner_id": owner, "tags": tags,
        "created_at": created, "created_by": owner, "updated_at": updated, "updated_by": owner, "version": 1,
        "deleted_at": None, "deleted_by": None, "custom": custom, "salutation": salutation, "first_name": first,
        "middle_name": middle, "last_name": last, "title": title, "department": department,
        "company_id": company.id if company else None, "email": email, "email_other": email_other,
        "phone_mobile": phone_mobile, "phone_work": phone_work, "phone_home": phone_home, "phone_other": None,
        "birthday": birthday, "source": source, "address": address, "description": description,
        "do_not_mail": do_not_mail,
    }
    # SearchIndexing.index: number + searchable text fields in field order; emails, phones in field order.
    text = [number] + [v for v in (first, middle, last) if v is not None]
    emails = [e for e in (email, email_other) if e]
    phones = [p for p in (phone_mobile, phone_work, phone_home) if p]
    title_text = " ".join(v for v in (first, last) if v) or number
    subtitle = (emails + phones)[0] if (emails or phones) else None
    doc = ("contacts", record_id, title_text, subtitle, search_document(text, phones, emails))
    return row, doc


# ---------------------------------------------------------------------------------------------
# Backends

class SQLiteTarget:
    dialect = "sqlite"

    def __init__(self, path: str):
        import apsw  # bundles a current SQLite (FTS5 contentless_delete needs 3.43+)

        self.db = apsw.Connection(path)
        self.db.execute("PRAGMA busy_timeout = 10000")

    def scalar(self, sql: str, params=()):
        for row in self.db.execute(sql, params):
            return row[0]
        return None

    def begin(self):
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -1000000")
        self.db.execute("PRAGMA temp_store = MEMORY")
        self.db.execute("BEGIN")
        self.next_doc = (self.scalar("SELECT MAX(doc_id) FROM search_documents") or 0) + 1

    def drop_indexes(self, tables):
        rows = list(self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (%s)"
            % ",".join("?" * len(tables)), tables))
        for name, _ in rows:
            self.db.execute(f"DROP INDEX {name}")
        return [sql for _, sql in rows]

    def create_indexes(self, statements):
        for sql in statements:
            self.db.execute(sql)

    @staticmethod
    def value(column, value):
        if isinstance(value, bool):
            return 1 if value else 0
        if column in ("created_at", "updated_at") and value is not None:
            return iso_ms(value)
        return value

    def insert(self, table, columns, rows, docs):
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.db.executemany(sql, [tuple(self.value(c, row[c]) for c in columns) for row in rows])
        doc_rows, fts_rows = [], []
        for row, (entity, record_id, title, subtitle, terms) in zip(rows, docs):
            access = access_text(entity, row["owner_id"])
            doc_rows.append((self.workspace, self.next_doc, entity, record_id, title, subtitle, access))
            # The SQLite store tags every term with the workspace (SearchIndexStore.scoped).
            tag = self.workspace.lower()[-12:] + "_"
            fts_rows.append((self.next_doc, " ".join(tag + t for t in terms.split(" ")), access))
            self.next_doc += 1
        self.db.executemany(
            "INSERT INTO search_documents (workspace_id, doc_id, entity, record_id, title, subtitle, access) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            doc_rows)
        self.db.executemany("INSERT INTO search_fts (rowid, terms, access) VALUES (?, ?, ?)", fts_rows)

    def define_field(self, entity, definition):
        now = iso_ms(int(time.time() * 1000))
        self.db.execute(
            "INSERT INTO custom_fields (workspace_id, entity, name, definition, position, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 0, ?, ?)", (self.workspace, entity, definition["name"], to_json(definition), now, now))

    def set_sequence(self, entity, value):
        self.db.execute(
            "INSERT INTO record_sequences (workspace_id, entity, last_value) VALUES (?, ?, ?) "
            "ON CONFLICT (workspace_id, entity) DO UPDATE SET last_value = excluded.last_value",
            (self.workspace, entity, value))

    def finish(self, log):
        self.db.execute("COMMIT")
        log("optimizing the FTS5 index")
        self.db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        log("ANALYZE")
        self.db.execute("ANALYZE")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.close()


class PostgresTarget:
    dialect = "postgres"

    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=False)
        self.cur = self.conn.cursor()

    def scalar(self, sql: str, params=()):
        self.cur.execute(sql.replace("?", "%s"), params)
        row = self.cur.fetchone()
        return None if row is None else (str(row[0]) if row[0] is not None else None)

    def begin(self):
        self.cur.execute("SET maintenance_work_mem = '1GB'")
        self.cur.execute("SET synchronous_commit = off")

    def drop_indexes(self, tables):
        self.cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (list(tables),))
        rows = self.cur.fetchall()
        for name, _ in rows:
            self.cur.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in rows]

    def create_indexes(self, statements):
        for sql in statements:
            self.cur.execute(sql)

    @staticmethod
    def text(column, value):
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if column in ("created_at", "updated_at"):
            return pg_ts(value)
        value = str(value)
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value

    def insert(self, table, columns, rows, docs):
        text = self.text
        lines = ["\t".join(text(c, row[c]) for c in columns) + "\n" for row in rows]
        with self.cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write("".join(lines))
        doc_lines = ["\t".join((self.workspace, entity, record_id, text("title", title), text("subtitle", subtitle),
                                text("terms", terms), access_text(entity, row["owner_id"]))) + "\n"
                     for row, (entity, record_id, title, subtitle, terms) in zip(rows, docs)]
        with self.cur.copy(
                "COPY search_documents (workspace_id, entity, record_id, title, subtitle, terms, access) FROM STDIN") as copy:
            copy.write("".join(doc_lines))

    def define_field(self, entity, definition):
        now = pg_ts(int(time.time() * 1000))
        self.cur.execute(
            "INSERT INTO custom_fields (workspace_id, entity, name, definition, position, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s::jsonb, 0, %s::timestamptz, %s::timestamptz)",
            (self.workspace, entity, definition["name"], to_json(definition), now, now))

    def set_sequence(self, entity, value):
        self.cur.execute(
            "INSERT INTO record_sequences (workspace_id, entity, last_value) VALUES (%s, %s, %s) "
            "ON CONFLICT (workspace_id, entity) DO UPDATE SET last_value = EXCLUDED.last_value",
            (self.workspace, entity, value))

    def finish(self, log):
        self.conn.commit()
        self.conn.autocommit = True
        log("VACUUM ANALYZE")
        for table in ("contacts", "companies", "search_documents", "record_sequences", "custom_fields"):
            self.cur.execute(f"VACUUM ANALYZE {table}")
        self.conn.close()


def open_target(url: str):
    if url.startswith("sqlite:"):
        return SQLiteTarget(url[len("sqlite:"):])
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresTarget(url)
    sys.exit(f"unsupported database URL: {url}")


# ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:PATH or postgres://user@host:port/db")
    parser.add_argument("--count", type=int, default=1_000_000, help="contacts to create (default 1,000,000)")
    parser.add_argument("--companies", type=int, help="companies to create (default count / 50, at least 50; none for 0 contacts)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--samples", help="write sample ids, names and phones (JSON) here")
    parser.add_argument("--sample-size", type=int, default=2000)
    parser.add_argument("--existing-size", type=int, default=20000,
                        help="contacts listed under 'existing' in the samples file (people the write scenarios enter again)")
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--owners", help="a JSON file whose \"owners\" list of user ids own the records in turn "
                                         "(bench/access.py --phase users writes it); default: the first user")
    args = parser.parse_args()

    started = time.monotonic()

    def log(message):
        print(f"[{time.monotonic() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    target = open_target(args.database)
    workspace = target.scalar("SELECT workspace_id FROM workspaces WHERE slug = 'default'")
    if workspace is None:
        sys.exit("no default workspace: run `clientele migrate` first")
    target.workspace = workspace
    owner = target.scalar("SELECT id FROM users WHERE workspace_id = ? ORDER BY created_at LIMIT 1", (workspace,))
    owners: list[str | None] = [owner]
    if args.owners:
        with open(args.owners, encoding="utf-8") as handle:
            owners = json.load(handle)["owners"]
    existing = int(target.scalar("SELECT COUNT(*) FROM contacts WHERE workspace_id = ?", (workspace,)) or 0)
    if existing:
        sys.exit(f"the default workspace already has {existing} contacts; generate into a fresh database")

    count = args.count
    company_count = args.companies if args.companies is not None else (max(50, count // 50) if count else 0)
    rng = random.Random(args.seed)
    sample_rng = random.Random(args.seed + 1)
    sample_at = set(sample_rng.sample(range(count), min(args.sample_size, count)))
    custom_rng = random.Random(args.seed + 2)
    existing_at = set(random.Random(args.seed + 3).sample(range(count), min(args.existing_size, count)))

    target.begin()
    log(f"{target.dialect}: workspace {workspace}, {len(owners)} owner(s) in turn; dropping secondary indexes for the load")
    indexes = target.drop_indexes(["contacts", "companies", "search_documents"])
    target.define_field("contact", CUSTOM_FIELD_DEFINITION)
    log(f"custom field contact.{CUSTOM_FIELD}")

    companies = make_companies(company_count, rng, workspace, owners)
    target.insert("companies", COMPANY_COLUMNS, [c.row for c in companies], [c.doc for c in companies])
    target.set_sequence("company", company_count)
    log(f"{company_count} companies")
    by_lang: dict[str, list[Company]] = {"ru": [], "en": []}
    for company in companies:
        by_lang[company.lang].append(company)

    surnames: Counter = Counter()
    emails: Counter = Counter()
    samples, existing_people = [], []
    rows, docs = [], []
    for i in range(count):
        row, doc = make_contact(i, count, rng, workspace, owners[i % len(owners)], by_lang, emails, custom_rng)
        surnames[row["last_name"]] += 1
        if i in sample_at:
            samples.append({
                "id": row["id"], "number": row["number"], "first_name": row["first_name"],
                "last_name": row["last_name"], "email": row["email"], "phone": row["phone_mobile"],
                "phone_query": other_format(row["phone_mobile"], sample_rng) if row["phone_mobile"] else None,
                "middle_name": row["middle_name"], CUSTOM_FIELD: json.loads(row["custom"]).get(CUSTOM_FIELD),
            })
        if i in existing_at:
            existing_people.append({key: row[key] for key in ("first_name", "middle_name", "last_name", "email", "phone_mobile")})
        rows.append(row)
        docs.append(doc)
        if len(rows) >= args.batch:
            target.insert("contacts", CONTACT_COLUMNS, rows, docs)
            rows, docs = [], []
            if (i + 1) % (args.batch * 10) == 0:
                log(f"{i + 1} contacts")
    if rows:
        target.insert("contacts", CONTACT_COLUMNS, rows, docs)
    target.set_sequence("contact", count)
    log(f"{count} contacts; rebuilding {len(indexes)} indexes")
    target.create_indexes(indexes)
    target.finish(log)

    if args.samples:
        common = [{"last_name": name, "rows": n} for name, n in surnames.most_common(30)]
        document = {
            "backend": target.dialect, "count": count, "companies": company_count, "seed": args.seed,
            "workspace_id": workspace, "common_last_names": common,
            "distinct_last_names": len(surnames), "contacts": samples, "existing": existing_people,
        }
        with open(args.samples, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
    log("done")


if __name__ == "__main__":
    main()
