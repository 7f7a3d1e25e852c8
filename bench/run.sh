#!/usr/bin/env bash
# Clientele read benchmark: bulk-loads N contacts, starts the release server and measures three
# questions with wrk over loopback. See docs/PERFORMANCE.md.
#
#   bench/run.sh [sqlite|postgres|all] [N]        (defaults: all 1000000)
#
# Environment knobs: BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_CONNECTIONS (32),
# BENCH_THREADS (2), BENCH_TIMEOUT (10s: wrk counts slower answers as timeouts),
# BENCH_REPEAT (1: runs of each scenario; the table shows medians), BENCH_SCENARIOS
# ("get list search"), BENCH_PORT (18480), BENCH_PG_PORT (55480), BENCH_KEEP=1 (keep the SQLite
# file or the PostgreSQL cluster), BENCH_PG_POOL (the server's PostgreSQL pool size; default the
# server's own), BENCH_QUIET_WAIT (600: seconds to wait for other work on the
# machine to finish before each measurement).
# Results (raw wrk output, RSS samples, plans, results.jsonl, report.md) go to bench/results/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

TARGET=${1:-all}
COUNT=${2:-1000000}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
REPEAT=${BENCH_REPEAT:-1}
TIMEOUT=${BENCH_TIMEOUT:-10s}
SCENARIOS=${BENCH_SCENARIOS:-get list search}
PORT=${BENCH_PORT:-18480}
PG_PORT=${BENCH_PG_PORT:-55480}
BIN="$ROOT/.build-rel/release/clientele"
VENV="$ROOT/.venv-bench"
PY="$VENV/bin/python"
RUN_DIR="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$TARGET-$COUNT"

case "$TARGET" in
sqlite | postgres) BACKENDS=$TARGET ;;
all) BACKENDS="sqlite postgres" ;;
*) echo "usage: bench/run.sh [sqlite|postgres|all] [N]" >&2; exit 2 ;;
esac

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

SERVER_PID=""
SAMPLER_PID=""
PG_DIR=""
cleanup() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then stop_server; fi
  if [ -n "$PG_DIR" ]; then
    scripts/pg-throwaway.sh stop "$PG_DIR" || true
    PG_DIR=""
  fi
}
trap cleanup EXIT

# SIGTERM, then SIGKILL if the server has not exited within 15 s (noted in the log).
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "the server did not exit within 15 s of SIGTERM; killing it"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

ensure_tools() {
  if [ ! -x "$BIN" ]; then
    log "building the release binary (.build-rel; several minutes on 2 cores)"
    nice -n 10 swift build -c release --scratch-path .build-rel
  fi
  if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  if ! command -v curl >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
  fi
  if [ ! -x "$PY" ] || ! "$PY" -c 'import apsw, psycopg' 2>/dev/null; then
    log "creating .venv-bench (apsw bundles a current SQLite; psycopg for COPY)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q apsw 'psycopg[binary]'
  fi
}

machine_info() {
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cpus: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "kernel: $(uname -r)"
    echo "swift: $(swift --version 2>/dev/null | head -1)"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "binary: .build-rel/release/clientele built $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ) (run.sh builds it only when missing)"
    echo "settings: $THREADS wrk threads, $CONNECTIONS connections, warm-up $WARMUP, measure $DURATION, timeout $TIMEOUT, repeat $REPEAT"
  } > "$RUN_DIR/machine.txt"
}

# Appends the server's resident set size (kB) every 0.5 s until killed.
sample_rss() {
  local pid=$1 out=$2
  while kill -0 "$pid" 2>/dev/null; do
    awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" >> "$out" 2>/dev/null || true
    sleep 0.5
  done
}

# Busy and total jiffies of the whole machine (all CPUs).
machine_jiffies() { awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8; total = busy + $5 + $6; print busy, total}' /proc/stat; }
process_jiffies() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# CPU jiffies of the PostgreSQL cluster: its live processes plus the children the postmaster has
# already reaped (parallel workers come and go). 0 for SQLite.
db_jiffies() {
  if [ -z "$PG_DIR" ] || [ ! -f "$PG_DIR/data/postmaster.pid" ]; then echo 0; return; fi
  "$PY" - "$(head -1 "$PG_DIR/data/postmaster.pid")" <<'EOF'
import os, sys
postmaster, total = sys.argv[1], 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    # After the command name: state, ppid, ..., utime (index 11), stime, cutime, cstime.
    if pid == postmaster:
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))
    elif fields[1] == postmaster:
        total += int(fields[11]) + int(fields[12])
print(total)
EOF
}

# The machine is shared (builds, tests): before measuring, wait up to BENCH_QUIET_WAIT seconds
# (default 600) until less than 15% of the CPUs were busy over 3 s while the server sat idle
# (this also lets a backlog of slow queries from the previous scenario drain).
wait_quiet() {
  local deadline=$(($(date +%s) + ${BENCH_QUIET_WAIT:-600})) b1 t1 b2 t2 busy
  while :; do
    read -r b1 t1 < <(machine_jiffies)
    sleep 3
    read -r b2 t2 < <(machine_jiffies)
    busy=$(((b2 - b1) * 100 / (t2 - t1 > 0 ? t2 - t1 : 1)))
    if [ "$busy" -lt 15 ]; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "machine still ${busy}% busy with other work; measuring anyway (see other_cpu_cores)"
      return 0
    fi
    log "machine ${busy}% busy with other work; waiting"
    sleep 10
  done
}

status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

wait_healthy() {
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then log "the server exited"; return 1; fi
    sleep 0.5
  done
  log "the server did not become healthy"
  return 1
}

# One request of each kind must answer 200 with data before anything is measured.
smoke_check() {
  local dir=$1 scenario path code
  for scenario in $SCENARIOS; do
    path=$(head -1 "$dir/$scenario.paths")
    code=$(curl -s -o "$dir/smoke-$scenario.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path")
    if [ "$code" != 200 ]; then
      log "smoke check failed: GET $path -> $code: $(head -c 300 "$dir/smoke-$scenario.json")"
      return 1
    fi
    if [ "$scenario" != get ] && ! grep -q '"id"' "$dir/smoke-$scenario.json"; then
      log "smoke check: GET $path returned no rows"
      return 1
    fi
  done
}

measure() {
  local backend=$1 scenario=$2 run=$3 dir=$4
  local url="http://127.0.0.1:$PORT" paths="$dir/$scenario.paths" rss="$dir/$scenario-rss-$run.txt"
  wait_quiet
  log "$backend/$scenario run $run: warm-up $WARMUP, then $DURATION at $CONNECTIONS connections"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -H "Authorization: Bearer $TOKEN" -s "$HERE/random-path.lua" \
    "$url" -- "$paths" > "$dir/$scenario-warmup-$run.txt"
  : > "$rss"
  sample_rss "$SERVER_PID" "$rss" &
  SAMPLER_PID=$!
  local m0 s0 d0 m1 s1 d1 cpu="$dir/$scenario-cpu-$run.txt"
  m0=$(machine_jiffies)
  s0=$(process_jiffies "$SERVER_PID")
  d0=$(db_jiffies)
  /usr/bin/time -f '%U %S' -o "$cpu.wrk" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency \
    -H "Authorization: Bearer $TOKEN" -s "$HERE/random-path.lua" "$url" -- "$paths" > "$dir/$scenario-$run.txt"
  m1=$(machine_jiffies)
  s1=$(process_jiffies "$SERVER_PID")
  d1=$(db_jiffies)
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  echo "$m0 $m1 $s0 $s1 $d0 $d1 $(getconf CLK_TCK) $(nproc) $(tail -1 "$cpu.wrk")" > "$cpu"
  local hwm
  hwm=$(status_kb "$SERVER_PID" VmHWM)
  "$PY" - "$backend" "$COUNT" "$scenario" "$run" "$dir/$scenario-$run.txt" "$rss" "$hwm" "$cpu" >> "$RUN_DIR/results.jsonl" <<'EOF'
import json, sys
backend, count, scenario, run, wrk_out, rss_file, hwm, cpu_file = sys.argv[1:]
b0, t0, b1, t1, s0, s1, d0, d1, hz, ncpu, wrk_user, wrk_sys = open(cpu_file).read().split()
wall = (int(t1) - int(t0)) / int(hz) / int(ncpu)
machine = (int(b1) - int(b0)) / int(hz)
server = (int(s1) - int(s0)) / int(hz)
wrk_cpu = float(wrk_user) + float(wrk_sys)
database = (int(d1) - int(d0)) / int(hz)
data = None
for line in open(wrk_out, encoding="utf-8"):
    if line.startswith("BENCH_JSON "):
        data = json.loads(line[len("BENCH_JSON "):])
if data is None:
    sys.exit(f"no BENCH_JSON line in {wrk_out}")
samples = [int(x) for x in open(rss_file).read().split() if x.strip()]
seconds = data["duration_us"] / 1e6
errors = sum(data[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout"))
print(json.dumps({
    "backend": backend, "count": int(count), "scenario": scenario, "run": int(run),
    "requests": data["requests"], "requests_per_s": data["requests"] / seconds, "errors": errors,
    "p50_ms": data["latency_p50_us"] / 1000, "p90_ms": data["latency_p90_us"] / 1000,
    "p99_ms": data["latency_p99_us"] / 1000, "max_ms": data["latency_max_us"] / 1000,
    "mean_ms": data["latency_mean_us"] / 1000,
    "peak_rss_mb": (max(samples) if samples else 0) / 1024, "rss_samples": len(samples),
    "vmhwm_mb": int(hwm or 0) / 1024,
    # CPU seconds per wall second ("cores") of the server, of wrk, and of everything else.
    "server_cpu_cores": server / wall, "wrk_cpu_cores": wrk_cpu / wall, "db_cpu_cores": database / wall,
    "other_cpu_cores": max(0.0, machine - server - wrk_cpu - database) / wall,
    "server_cpu_ms_per_request": server * 1000 / max(data["requests"], 1),
}))
EOF
  tail -1 "$RUN_DIR/results.jsonl" >&2
}

bench_backend() {
  local backend=$1 dir="$RUN_DIR/$1" url started
  mkdir -p "$dir"
  if [ "$backend" = sqlite ]; then
    url="sqlite:$dir/clientele.sqlite"
  else
    PG_DIR=$(mktemp -d)
    url=$(scripts/pg-throwaway.sh start "$PG_DIR" "$PG_PORT" | tail -1)
  fi
  log "$backend: migrating $url"
  "$BIN" migrate --database "$url" > "$dir/cli.log" 2>&1
  "$BIN" user create --email bench@example.com --password bench-password-1 --name "Bench User" --admin \
    --database "$url" >> "$dir/cli.log" 2>&1
  log "$backend: generating $COUNT contacts"
  started=$(date +%s)
  "$PY" "$HERE/generate.py" --database "$url" --count "$COUNT" --samples "$dir/samples.json" 2> "$dir/generate.log"
  echo "load seconds: $(($(date +%s) - started))" >> "$dir/generate.log"
  tail -2 "$dir/generate.log" >&2
  if [ "$backend" = sqlite ]; then
    echo "database size: $(du -sh "$dir/clientele.sqlite" | cut -f1)" >> "$dir/generate.log"
  else
    psql "$url" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))" >> "$dir/generate.log"
  fi
  TOKEN=$("$BIN" token create --user bench@example.com --database "$url" 2>> "$dir/cli.log" | tail -1)
  "$PY" "$HERE/paths.py" "$dir/samples.json" "$dir"
  log "$backend: query plans and database-only timings"
  "$PY" "$HERE/explain.py" --database "$url" --dir "$dir" > "$dir/plans.txt" 2>&1 || log "explain.py failed (see plans.txt)"

  log "$backend: starting the server on 127.0.0.1:$PORT"
  local serve_url=$url
  if [ "$backend" = postgres ] && [ -n "${BENCH_PG_POOL:-}" ]; then serve_url="$url?pool_size=$BENCH_PG_POOL"; fi
  "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$serve_url" > "$dir/server.log" 2>&1 &
  SERVER_PID=$!
  wait_healthy
  smoke_check "$dir"
  echo "server RSS after start: $(status_kb "$SERVER_PID" VmRSS) kB" >> "$dir/generate.log"
  local run scenario
  for run in $(seq 1 "$REPEAT"); do
    for scenario in $SCENARIOS; do
      measure "$backend" "$scenario" "$run" "$dir"
    done
  done
  echo "server VmHWM at the end: $(status_kb "$SERVER_PID" VmHWM) kB" >> "$dir/generate.log"
  stop_server
  if [ "$backend" = sqlite ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -f "$dir"/clientele.sqlite* # a million contacts take over 1 GB; BENCH_KEEP=1 keeps the file
  fi
  if [ -n "$PG_DIR" ] && [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "postgres: keeping the cluster: $url (stop it with scripts/pg-throwaway.sh stop $PG_DIR)"
    echo "kept cluster: $PG_DIR $url" >> "$dir/generate.log"
    PG_DIR=""
  elif [ -n "$PG_DIR" ]; then
    scripts/pg-throwaway.sh stop "$PG_DIR"
    PG_DIR=""
  fi
}

ensure_tools
mkdir -p "$RUN_DIR"
machine_info
for backend in $BACKENDS; do
  bench_backend "$backend"
done
"$PY" "$HERE/report.py" "$RUN_DIR" | tee "$RUN_DIR/report.md"
log "results in ${RUN_DIR#"$ROOT"/}"
