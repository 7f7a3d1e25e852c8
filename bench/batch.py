#!/usr/bin/env python3
"""Sends batch creates (POST /api/v1/contacts/batch) from a file written by `bodies.py batch`.

    batch.py URL TOKEN FILE [--senders 1] [--path /api/v1/contacts/batch]

Each line of FILE is one request body ({"records": [...]}). SENDERS threads, each with its own
keep-alive connection, take the lines in turn until none are left. Every answer must be 201 with
one {"id", "number"} per record sent; anything else counts as an error (the first few are printed
to stderr). Prints one line "BENCH_JSON {...}" in the form random-path.lua uses (latencies per
request, in µs) plus rows, rows_per_s and senders.
"""

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def percentile(ordered, p):
    if not ordered:
        return 0
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("file")
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--path", default="/api/v1/contacts/batch")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    target = urlsplit(args.url)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("batch.py only talks to a server on this machine")
    with open(args.file, "rb") as handle:
        bodies = [line.rstrip(b"\n") for line in handle if line.strip()]
    sizes = [len(json.loads(body)["records"]) for body in bodies]
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}

    lock = threading.Lock()
    next_index = [0]
    latencies, problems = [], []
    counts = {"rows": 0, "errors_status": 0, "errors_read": 0, "errors_timeout": 0, "errors_connect": 0, "bytes": 0}

    def take():
        with lock:
            index = next_index[0]
            next_index[0] += 1
        return index if index < len(bodies) else None

    def sender():
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=args.timeout)
        while (index := take()) is not None:
            started = time.perf_counter()
            try:
                connection.request("POST", args.path, body=bodies[index], headers=headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except TimeoutError as error:
                outcome, detail = "errors_timeout", repr(error)
            except ConnectionRefusedError as error:
                outcome, detail = "errors_connect", repr(error)
            except (OSError, http.client.HTTPException) as error:
                outcome, detail = "errors_read", repr(error)
            else:
                outcome, detail = None, None
                if status != 201:
                    outcome, detail = "errors_status", f"{status} {payload[:300]!r}"
                else:
                    try:
                        answered = len(json.loads(payload)["data"])
                    except (ValueError, KeyError, TypeError):
                        answered = -1
                    if answered != sizes[index]:
                        outcome, detail = "errors_status", f"201 with {answered} rows for {sizes[index]} sent"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if outcome is None:
                    counts["rows"] += sizes[index]
                    counts["bytes"] += len(payload)
                else:
                    counts[outcome] += 1
                    if len(problems) < 5:
                        problems.append(f"request {index}: {detail}")
            if outcome is not None and outcome != "errors_status":
                connection.close()
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=args.timeout)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    for problem in problems:
        print(problem, file=sys.stderr)
    ordered = sorted(int(s * 1e6) for s in latencies)
    print("BENCH_JSON " + json.dumps({
        "requests": len(ordered), "duration_us": int(seconds * 1e6), "bytes": counts["bytes"],
        "errors_connect": counts["errors_connect"], "errors_read": counts["errors_read"], "errors_write": 0,
        "errors_status": counts["errors_status"], "errors_timeout": counts["errors_timeout"],
        "latency_mean_us": sum(ordered) / max(len(ordered), 1), "latency_p50_us": percentile(ordered, 50),
        "latency_p90_us": percentile(ordered, 90), "latency_p99_us": percentile(ordered, 99),
        "latency_max_us": ordered[-1] if ordered else 0,
        "rows": counts["rows"], "rows_sent": sum(sizes), "rows_per_s": counts["rows"] / seconds, "senders": args.senders,
    }))


if __name__ == "__main__":
    main()
