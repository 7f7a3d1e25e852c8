#!/usr/bin/env python3
"""Turns a samples file (from generate.py) into request-path lists, one path per line, for wrk.

    paths.py SAMPLES.json OUTDIR [--seed 7]

Writes OUTDIR/get.paths, OUTDIR/list.paths and OUTDIR/search.paths. Every path is already
percent-encoded (Cyrillic, brackets, spaces), so the Lua script only picks lines at random.
"""

import argparse
import json
import random
from urllib.parse import quote

from generate import latin


def encode(value: str) -> str:
    return quote(value, safe="")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("samples")
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--common", type=int, default=20, help="how many of the most common surnames to filter on")
    parser.add_argument("--search", type=int, default=2000, help="search queries to write")
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
    for _ in range(args.search):
        if rng.random() < 0.5 or not with_phone:
            name = rng.choice(contacts)["last_name"]
            if latin(name) != name.lower() and rng.random() < 0.3:
                name = latin(name).capitalize()
            query = name
        else:
            query = rng.choice(with_phone)["phone_query"]
        search.append(f"/api/v1/search?q={encode(query)}")

    for name, paths in (("get", get), ("list", list_paths), ("search", search)):
        with open(f"{args.outdir}/{name}.paths", "w", encoding="utf-8") as handle:
            handle.write("\n".join(paths) + "\n")


if __name__ == "__main__":
    main()
