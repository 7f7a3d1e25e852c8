#!/usr/bin/env python3
"""Prints the markdown table of a benchmark run from its results.jsonl (one JSON object a line).

    report.py RESULTS_DIR

When a scenario ran several times, each figure is the median of the runs; errors (non-2xx answers,
socket errors and timeouts) and memory are the largest of any run; "other load" is the CPU (in cores)
that processes other than the server and wrk used during the worst run: above ~0.1 the figures
were disturbed by other work on the machine.
"""

import json
import statistics
import sys
from collections import defaultdict

SCENARIOS = [
    ("get", "get by id", ("p99", 5.0)),
    ("list", "list page (limit=50, last_name=…, sort=first_name)", ("p99", 20.0)),
    ("search", "cross search (surname or phone)", ("p50", 30.0)),
]
RSS_TARGET_MB = 200


def main():
    directory = sys.argv[1]
    runs = defaultdict(list)
    with open(f"{directory}/results.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                entry = json.loads(line)
                runs[(entry["backend"], entry["count"], entry["scenario"])].append(entry)
    print("| backend | contacts | scenario | runs | req/s | p50 ms | p90 ms | p99 ms | errors | peak RSS MB "
          "| server CPU ms/req | PostgreSQL CPU (cores) | other load (cores) | target | met |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for backend, count in sorted({(b, c) for b, c, _ in runs}):
        for key, label, (which, limit) in SCENARIOS:
            entries = runs.get((backend, count, key))
            if not entries:
                continue
            med = lambda name: statistics.median(e[name] for e in entries)
            rps = med("requests_per_s")
            p50, p90, p99 = med("p50_ms"), med("p90_ms"), med("p99_ms")
            errors = max(e["errors"] for e in entries)
            rss = max(e["peak_rss_mb"] for e in entries)
            value = p99 if which == "p99" else p50
            met = "yes" if value < limit and errors == 0 else "no"
            cpu = statistics.median(e.get("server_cpu_ms_per_request", float("nan")) for e in entries)
            other = max(e.get("other_cpu_cores", float("nan")) for e in entries)
            database = statistics.median(e.get("db_cpu_cores", float("nan")) for e in entries)
            database_text = "-" if backend == "sqlite" else f"{database:.2f}"
            print(f"| {backend} | {count:,} | {label} | {len(entries)} | {rps:,.0f} | {p50:.2f} | {p90:.2f} | {p99:.2f} "
                  f"| {errors} | {rss:.0f} | {cpu:.3f} | {database_text} | {other:.2f} | {which} < {limit:g} ms | {met} |")
        entries = [e for (b, c, _), group in runs.items() if (b, c) == (backend, count) for e in group]
        peak = max(e["peak_rss_mb"] for e in entries)
        hwm = max(e.get("vmhwm_mb", 0) for e in entries)
        print(f"| {backend} | {count:,} | server memory (sampled peak RSS / VmHWM) | | | | | | | {peak:.0f} / {hwm:.0f} "
              f"| | | | < {RSS_TARGET_MB} MB | {'yes' if max(peak, hwm) < RSS_TARGET_MB else 'no'} |")


if __name__ == "__main__":
    main()
