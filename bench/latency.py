#!/usr/bin/env python3
"""Latency of one request at a time (one keep-alive connection) over a scenario's paths.

    latency.py PORT TOKEN_FILE PATHS_FILE [N] [bearer|cookie]

Each of the first N paths is asked twice; the second round is timed (the first warms caches).
Prints n, p50, p90, p99 and the mean in milliseconds. `cookie` signs in as the web pages do.
"""
import http.client
import statistics
import sys
import time

port, token_file, paths_file = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 300
mode = sys.argv[5] if len(sys.argv) > 5 else "bearer"
token = open(token_file).read().strip()
headers = {"Cookie": "clientele_session=" + token} if mode == "cookie" else {"Authorization": "Bearer " + token}
paths = [l.strip().split("\t")[0] for l in open(paths_file) if l.strip()][:n]
c = http.client.HTTPConnection("127.0.0.1", int(port))
times = []
for rnd in range(2):
    for p in paths:
        s = time.perf_counter()
        c.request("GET", p, headers=headers); r = c.getresponse(); r.read()
        if rnd: times.append(time.perf_counter() - s)
        assert r.status == 200, (r.status, p)
times.sort()
q = lambda f: times[min(len(times) - 1, int(len(times) * f))] * 1000
print("n %d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  mean %.2f ms" % (len(times), q(.5), q(.9), q(.99), statistics.mean(times) * 1000))
