#!/usr/bin/env python3
"""Prints the markdown tables of one or more benchmark runs from their results.jsonl files.

    report.py RESULTS_DIR [RESULTS_DIR ...]

Several directories are read as one (e.g. the runs at 0, 100,000 and 1,000,000 contacts), which is
what the comparison of create rates with the empty database needs.

When a scenario ran several times, each figure is the median of the runs; errors (non-2xx answers,
socket errors and timeouts) and memory are the largest of any run; "other load" is the CPU (in cores)
that processes other than the server, the load tool (wrk or batch.py) and PostgreSQL used during the
worst run: above ~0.1 the figures were disturbed by other work on the machine. Server CPU is per
request (per 1,000 rows for batches).

The list page and the search asked by a user whose profile gives team scope (list-team,
search-team) get a table of their own beside the administrator's figures: issue 13 wants them
within 1.3x of those (requests/s at least 1/1.3 of the administrator's; p50 and p99 at most 1.3
times).
"""

import json
import statistics
import sys
from collections import defaultdict

# scenario -> (label, target). A target is (measure, limit by backend); measure is "p99" or "p50"
# (ms, below the limit), "rate" (requests/s, at least), "rows" (rows/s, at least).
SCENARIOS = [
    ("get", "get by id", ("p99", {"sqlite": 5.0, "postgres": 5.0})),
    ("list", "list page (limit=50, last_name=…, sort=first_name)", ("p99", {"sqlite": 20.0, "postgres": 20.0})),
    ("search", "cross search (surname or phone)", ("p50", {"sqlite": 30.0, "postgres": 30.0})),
    ("list-team", "list page, team-scope user", ("p99", {"sqlite": 20.0, "postgres": 20.0})),
    ("search-team", "cross search, team-scope user", ("p50", {"sqlite": 30.0, "postgres": 30.0})),
    ("health", "GET /health (no token)", None),
    ("filter-starts", "filter [starts] on 5 text fields, sorted", ("p99", {"sqlite": 20.0, "postgres": 30.0})),
    ("filter-contains", "filter [contains] on 5 text fields, sorted", ("p99", {"sqlite": 20.0, "postgres": 30.0})),
    ("search-prefix", "search as typed (2-6 characters)", ("p50", {"sqlite": 30.0, "postgres": 30.0})),
    ("page-list", "web list page (HTML, 50 rows, last_name=…)", ("p99", {"sqlite": 30.0})),
    ("page-record", "web record page (HTML, fields, related, timeline)", ("p99", {"sqlite": 30.0})),
    ("create", "create one contact (POST)", ("rate", {"sqlite": 2500, "postgres": 1000})),
    ("batch-1", "batch create, 1,000 rows a request, 1 sender", ("rows", {"sqlite": 20000})),
    ("batch-2", "batch create, 1,000 rows a request, 2 senders", ("rows", {"sqlite": 20000})),
    ("batch-3", "batch create, 1,000 rows a request, 3 senders", ("rows", {"sqlite": 20000})),
    ("batch-4", "batch create, 1,000 rows a request, 4 senders", ("rows", {"sqlite": 20000})),
]
CREATE_P99_MS = 20.0
CREATE_KEEPS = 0.8  # the create rate on a full database keeps at least this share of the empty one's
HEALTH_RATIO = 0.35  # get by id at least this share of /health's rate, at the same connections
RSS_TARGET_MB = 200
TEAM_WITHIN = 1.3  # a team-scope user's list and search against the administrator's (issue 13)


def load(directories):
    runs = defaultdict(list)
    for directory in directories:
        with open(f"{directory}/results.jsonl", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    entry = json.loads(line)
                    # Older results have no connection count: they were taken at 32.
                    key = (entry["backend"], entry["count"], entry["scenario"], entry.get("connections", 32))
                    runs[key].append(entry)
    return runs


def median(entries, name):
    values = [e[name] for e in entries if name in e]
    return statistics.median(values) if values else float("nan")


def main():
    runs = load(sys.argv[1:])
    labels = {key: (label, target) for key, label, target in SCENARIOS}
    order = {key: i for i, (key, _, _) in enumerate(SCENARIOS)}
    print("| backend | contacts | scenario | conns | runs | req/s | rows/s | p50 ms | p90 ms | p99 ms | errors "
          "| server CPU ms/req | PG CPU ms/req | other load | target | met | notes |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
    pairs = sorted({(b, c) for b, c, _, _ in runs})
    for backend, count in pairs:
        keys = sorted((k for k in runs if k[:2] == (backend, count)), key=lambda k: (order.get(k[2], 99), k[3]))
        for key in keys:
            entries = runs[key]
            scenario, conns = key[2], key[3]
            label, target = labels.get(scenario, (scenario, None))
            rps, p50, p90, p99 = (median(entries, n) for n in ("requests_per_s", "p50_ms", "p90_ms", "p99_ms"))
            rows = median(entries, "rows_per_s")
            errors = max(e["errors"] for e in entries)
            cpu = median(entries, "server_cpu_ms_per_request")
            database = median(entries, "db_cpu_ms_per_request")
            other = max(e.get("other_cpu_cores", float("nan")) for e in entries)
            target_text, met = "", ""
            if target is not None and backend in target[1]:
                measure, limit = target[0], target[1][backend]
                if measure in ("p99", "p50"):
                    value = p99 if measure == "p99" else p50
                    target_text, ok = f"{measure} < {limit:g} ms", value < limit
                elif measure == "rate":
                    target_text, ok = f"≥ {limit:,} req/s, p99 < {CREATE_P99_MS:g} ms", rps >= limit and p99 < CREATE_P99_MS
                else:
                    target_text, ok = f"≥ {limit:,} rows/s", rows >= limit
                met = "yes" if ok and errors == 0 else "no"
            notes = []
            if "contacts_before" in entries[0]:
                notes.append("on " + "/".join(f"{e['contacts_before']:,}" for e in entries) + " contacts")
            if scenario == "create":
                flagged = sum(e.get("duplicates_flagged", 0) for e in entries)
                created = sum(e.get("created", 0) for e in entries)
                if created:
                    notes.append(f"duplicate check flagged {flagged * 100 / created:.1f}%")
                restarts = sum(e.get("slice_restarts", 0) for e in entries)
                if restarts:
                    notes.append(f"bodies reused ({restarts} slice restarts)")
            if "server_cpu_us_per_row" in entries[0]:
                notes.append(f"server CPU {median(entries, 'server_cpu_us_per_row'):.0f} µs/row")
            kinds = defaultdict(int)
            for e in entries:
                for kind, n in e.get("errors_by_kind", {}).items():
                    kinds[kind] = max(kinds[kind], n)
            if kinds:
                notes.append("errors: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            answers = "".join(e.get("other_answers", "") for e in entries).strip(" |")
            if answers:
                notes.append("other answers: " + answers[:150])
            rows_text = f"{rows:,.0f}" if rows == rows else ""
            database_text = "-" if backend == "sqlite" else f"{database:.3f}"
            rps_text = f"{rps:,.0f}" if rps >= 100 else f"{rps:.2f}"
            print(f"| {backend} | {count:,} | {label} | {conns} | {len(entries)} | {rps_text} | {rows_text} | {p50:.2f} "
                  f"| {p90:.2f} | {p99:.2f} | {errors} | {cpu:.3f} | {database_text} | {other:.2f} | {target_text} "
                  f"| {met} | {'; '.join(notes)} |")
        entries = [e for k, group in runs.items() if k[:2] == (backend, count) for e in group]
        peak = max(e["peak_rss_mb"] for e in entries)
        hwm = max(e.get("vmhwm_mb", 0) for e in entries)
        print(f"| {backend} | {count:,} | server memory (sampled peak RSS / VmHWM, MB) | | | | | | | | | {peak:.0f} / {hwm:.0f} "
              f"| | | < {RSS_TARGET_MB} MB | {'yes' if max(peak, hwm) < RSS_TARGET_MB else 'no'} | |")

    lines = []
    for backend, count in pairs:
        for (b, c, scenario, conns), health in runs.items():
            if (b, c, scenario) != (backend, count, "health") or (b, c, "get", conns) not in runs:
                continue
            ratio = median(runs[(b, c, "get", conns)], "requests_per_s") / median(health, "requests_per_s")
            lines.append(f"| {backend} | {count:,} | get by id / health req/s at {conns} connections | {ratio:.2f} "
                         f"| ≥ {HEALTH_RATIO} | {'yes' if ratio >= HEALTH_RATIO else 'no'} |")
        empty = [k for k in runs if k[0] == backend and k[1] == 0 and k[2] == "create"]
        full = [k for k in runs if k[:2] == (backend, count) and k[2] == "create"]
        if count > 0 and empty and full:
            for key in full:
                same = [k for k in empty if k[3] == key[3]]
                if not same:
                    continue
                ratio = median(runs[key], "requests_per_s") / median(runs[same[0]], "requests_per_s")
                lines.append(f"| {backend} | {count:,} | create req/s here / on the empty database ({key[3]} connections) "
                             f"| {ratio:.2f} | ≥ {CREATE_KEEPS} | {'yes' if ratio >= CREATE_KEEPS else 'no'} |")
    if lines:
        print()
        print("| backend | contacts | ratio | value | target | met |")
        print("|---|---:|---|---:|---|---|")
        print("\n".join(lines))

    team_lines = []
    for backend, count in pairs:
        for admin_scenario in ("list", "search"):
            for (b, c, scenario, conns), team in sorted(runs.items()):
                if (b, c, scenario) != (backend, count, admin_scenario + "-team") or (b, c, admin_scenario, conns) not in runs:
                    continue
                admin = runs[(b, c, admin_scenario, conns)]
                rate = [median(group, "requests_per_s") for group in (admin, team)]
                p50 = [median(group, "p50_ms") for group in (admin, team)]
                p99 = [median(group, "p99_ms") for group in (admin, team)]
                errors = max(e["errors"] for e in admin + team)
                ok = (rate[1] * TEAM_WITHIN >= rate[0] and p50[1] <= p50[0] * TEAM_WITHIN and p99[1] <= p99[0] * TEAM_WITHIN
                      and errors == 0)
                team_lines.append(
                    f"| {backend} | {count:,} | {admin_scenario} | {conns} | {rate[0]:,.0f} | {rate[1]:,.0f} | {rate[1] / rate[0]:.2f} "
                    f"| {p50[0]:.2f} | {p50[1]:.2f} | {p50[1] / p50[0]:.2f} | {p99[0]:.2f} | {p99[1]:.2f} | {p99[1] / p99[0]:.2f} "
                    f"| {'yes' if ok else 'no'} |")
    if team_lines:
        print()
        print(f"Team-scope user against the administrator (issue 13: within {TEAM_WITHIN}x, i.e. team ÷ admin req/s "
              f"≥ {1 / TEAM_WITHIN:.2f}, p50 and p99 ≤ {TEAM_WITHIN}):")
        print()
        print("| backend | contacts | question | conns | admin req/s | team req/s | team ÷ admin req/s | admin p50 ms "
              "| team p50 ms | p50 ratio | admin p99 ms | team p99 ms | p99 ratio | within 1.3x |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        print("\n".join(team_lines))


if __name__ == "__main__":
    main()
