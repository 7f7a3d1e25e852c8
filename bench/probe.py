#!/usr/bin/env python3
"""Times every distinct path of a labelled paths file one request at a time, grouped by label.

    probe.py URL TOKEN FILE.paths [--limit 600] [--budget 120]

A wrk run gives one latency distribution for a mix of questions; this says which of them are slow.
Lines are "path<TAB>label" (paths.py writes them); the label's last word (n=...) is dropped when
grouping, so a group is e.g. "last_name starts sort=first_name". One keep-alive connection, one
request at a time, on an otherwise idle server: the figures are single-query latencies, not
latencies under load. Prints a table per group (n, p50, p90, max, non-200 answers, rows on the first
page) and the ten slowest paths.
"""

import argparse
import http.client
import json
import random
import sys
import time
from collections import defaultdict
from urllib.parse import unquote, urlsplit


def pct(ordered, p):
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("file")
    parser.add_argument("--limit", type=int, default=600, help="distinct paths to time at most (a random choice)")
    parser.add_argument("--budget", type=float, default=120, help="stop after this many seconds")
    args = parser.parse_args()
    target = urlsplit(args.url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("probe.py only talks to a server on this machine")
    entries = {}
    with open(args.file, encoding="utf-8") as handle:
        for line in handle:
            path, _, label = line.rstrip("\n").partition("\t")
            if path:
                entries[path] = label or "all"
    items = list(entries.items())
    random.Random(3).shuffle(items)
    items = items[: args.limit]
    headers = {"Authorization": f"Bearer {args.token}"}
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    groups = defaultdict(list)
    failures = defaultdict(int)
    timings = []
    started = time.monotonic()
    for path, label in items:
        if time.monotonic() - started > args.budget:
            print(f"(stopped after {args.budget:.0f} s: {len(timings)} of {len(items)} paths timed)")
            break
        group = " ".join(word for word in label.split() if not word.startswith("n="))
        begin = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            status, body = 0, b""
        ms = (time.perf_counter() - begin) * 1000
        if status != 200:
            failures[group] += 1
            rows = -1
        else:
            try:
                rows = len(json.loads(body).get("data", []))
            except ValueError:
                rows = -1
        groups[group].append((ms, rows))
        timings.append((ms, status, rows, path))
    connection.close()

    print("| group | n | p50 ms | p90 ms | max ms | not 200 | median rows |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for group in sorted(groups):
        values = sorted(ms for ms, _ in groups[group])
        rows = sorted(r for _, r in groups[group])
        print(f"| {group} | {len(values)} | {pct(values, 50):.2f} | {pct(values, 90):.2f} | {values[-1]:.2f} "
              f"| {failures[group]} | {pct(rows, 50)} |")
    print()
    print("slowest:")
    for ms, status, rows, path in sorted(timings, reverse=True)[:10]:
        print(f"  {ms:8.2f} ms  {status}  rows={rows}  {unquote(path)}")


if __name__ == "__main__":
    main()
