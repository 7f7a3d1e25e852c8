#!/usr/bin/env bash
# Clientele benchmark: bulk-loads N contacts (N may be 0), rebuilds the duplicate check's keys,
# starts the release server and measures reads and writes over loopback with wrk (and a small
# Python sender for batches). See docs/PERFORMANCE.md.
#
#   bench/run.sh [sqlite|postgres|all] [N]        (defaults: all 1000000)
#
# Scenarios (BENCH_SCENARIOS, in this order by default; the two that write come last):
#   get              GET one contact by id
#   list             a list page: one common surname, sorted by first name
#   search           cross-entity search: a surname or a mobile number
#   list-team        list's pages, asked by a user whose profile gives team scope (access control,
#   search-team      issue 13) and search's questions, by that user: 50 users in 5 teams own the
#                    contacts, 1,000 of them are shared with the user (bench/access.py sets this up
#                    after the load); the report sets each beside the administrator's figure
#   health           get by id and GET /health, one after the other, at the same connections
#                    (the report shows their ratio)
#   filter-starts    list pages filtered by field[starts]= on last_name, first_name, email,
#                    phone_mobile and the custom field c_region, as typed key by key, sorted by
#                    the same or another field
#   filter-contains  the same with field[contains]= and 3-5 characters from inside real values
#   search-prefix    cross-entity search with 2-6 characters of a name, e-mail or number
#   page-list        the web UI's list page (HTML) of list's questions, signed in by cookie
#   page-record      the web UI's record page (fields, related lists, timeline) of get's records
#   create           POST /api/v1/contacts, one new contact a request (the database grows)
#   batch            POST /api/v1/contacts/batch: BENCH_BATCH_ROWS rows, 1,000 a request, once
#                    per sender count in BENCH_BATCH_SENDERS
# With N=0 only health's /health half, create and batch can run; the others are skipped (and the
# access setup does not run).
# With BENCH_REPEAT > 1 the read scenarios take turns run by run, then create runs its repeats,
# then batch.
#
# Environment knobs: BENCH_DURATION (20s), BENCH_WARMUP (5s), BENCH_CONNECTIONS (32: get, list
# and search), BENCH_CONNECTIONS_NEW (16: every other scenario), BENCH_THREADS (2), BENCH_TIMEOUT
# (10s: wrk counts slower answers as timeouts), BENCH_REPEAT (1: runs of each scenario; the table
# shows medians), BENCH_SCENARIOS (see above), BENCH_BATCH_ROWS (100000), BENCH_BATCH_SENDERS
# ("1 2 4"), BENCH_CREATE_BODIES (150000: distinct bodies written for each create run),
# BENCH_KEYS (1: rebuild match keys and filter documents after the load; 0 skips it, which
# only list, search and get runs may do), BENCH_PROBE (1: time each filter and prefix question once, alone, after its first run; 0 skips),
# BENCH_PORT (18480), BENCH_PG_PORT (55480), BENCH_KEEP=1 (keep the SQLite file or the PostgreSQL
# cluster, and the body files), BENCH_PG_POOL (the server's PostgreSQL pool size; default the
# server's own), BENCH_QUIET_WAIT (600: seconds to wait for other work on the machine to finish
# before each measurement), BENCH_PERF=1 (sample the server with `perf record` during each
# measurement and keep the top of `perf report` as NAME-RUN.perf.txt; it costs a little CPU),
# BENCH_ACCESS=0 (skip the access setup, and with it list-team and search-team).
# Results (raw wrk output, RSS samples, plans, probes, results.jsonl, report.md) go to
# bench/results/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

TARGET=${1:-all}
COUNT=${2:-1000000}
DURATION=${BENCH_DURATION:-20s}
WARMUP=${BENCH_WARMUP:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
NEW_CONNECTIONS=${BENCH_CONNECTIONS_NEW:-16}
THREADS=${BENCH_THREADS:-2}
REPEAT=${BENCH_REPEAT:-1}
TIMEOUT=${BENCH_TIMEOUT:-10s}
SCENARIOS=${BENCH_SCENARIOS:-get list search list-team search-team health filter-starts filter-contains search-prefix create batch}
BATCH_ROWS=${BENCH_BATCH_ROWS:-100000}
BATCH_SENDERS=${BENCH_BATCH_SENDERS:-1 2 4}
CREATE_BODIES=${BENCH_CREATE_BODIES:-150000}
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

# Reads need stored contacts; the writes run last because they add rows.
READS=""
WRITES=""
for scenario in $SCENARIOS; do
  case "$scenario" in
  get | list | search | filter-starts | filter-contains | search-prefix | page-list | page-record)
    if [ "$COUNT" -eq 0 ]; then log "no contacts to read: skipping $scenario"; else READS="$READS $scenario"; fi ;;
  list-team | search-team)
    if [ "$COUNT" -eq 0 ]; then
      log "no contacts to read: skipping $scenario"
    elif [ "${BENCH_ACCESS:-1}" = 0 ]; then
      log "BENCH_ACCESS=0: skipping $scenario"
    else
      READS="$READS $scenario"
    fi ;;
  health) READS="$READS health" ;;
  create | batch) WRITES="$WRITES $scenario" ;;
  *) echo "unknown scenario: $scenario" >&2; exit 2 ;;
  esac
done

# get, list and search keep the connection count their earlier figures were taken at (and the
# team user's list and search are taken at the same).
connections_for() {
  case "$1" in
  get | list | search | list-team | search-team) echo "$CONNECTIONS" ;;
  *) echo "$NEW_CONNECTIONS" ;;
  esac
}

SERVER_PID=""
SAMPLER_PID=""
TEAM_TOKEN=""
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
    # Whoever builds the binary from a clean checkout may note its commit next to it.
    if [ -f "$ROOT/.build-rel/clientele.commit" ]; then echo "binary commit: $(cat "$ROOT/.build-rel/clientele.commit")"; fi
    echo "settings: $THREADS wrk threads, $CONNECTIONS connections (get, list, search), $NEW_CONNECTIONS (the others), warm-up $WARMUP, measure $DURATION, timeout $TIMEOUT, repeat $REPEAT"
    echo "scenarios:$READS$WRITES; batch: $BATCH_ROWS rows, senders $BATCH_SENDERS"
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

# Starts the release server on the backend's database (SERVE_URL) and waits for /health.
start_server() {
  local dir=$1
  log "$(basename "$dir"): starting the server on 127.0.0.1:$PORT"
  "$BIN" serve --host 127.0.0.1 --port "$PORT" --database "$SERVE_URL" >> "$dir/server.log" 2>&1 &
  SERVER_PID=$!
  wait_healthy
}

wait_healthy() {
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then log "the server exited"; return 1; fi
    sleep 0.5
  done
  log "the server did not become healthy"
  return 1
}

# One request of each kind must answer as it should (200 with rows; 201 for writes) before anything
# is measured; the custom field must be known to the server.
smoke_check() {
  local dir=$1 scenario path code file
  code=$(curl -s -o "$dir/smoke-metadata.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/metadata/entities/contacts")
  if [ "$code" != 200 ] || ! grep -q '"c_region"' "$dir/smoke-metadata.json"; then
    log "smoke check: the contacts' metadata ($code) does not list the custom field c_region"
    return 1
  fi
  for scenario in $READS; do
    case "$scenario" in
    list-team | search-team)
      smoke_team "$dir" "$scenario" || return 1
      continue ;;
    esac
    for file in $(smoke_files "$scenario"); do
      path=$(head -1 "$dir/$file.paths" | cut -f1)
      if [ "$file" = health ]; then
        code=$(curl -s -o "$dir/smoke-$file.json" -w '%{http_code}' "http://127.0.0.1:$PORT$path")
      elif [[ "$file" == page-* ]]; then
        code=$(curl -s -o "$dir/smoke-$file.json" -w '%{http_code}' -H "Cookie: clientele_session=$TOKEN" "http://127.0.0.1:$PORT$path")
      else
        code=$(curl -s -o "$dir/smoke-$file.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path")
      fi
      if [ "$code" != 200 ]; then
        log "smoke check failed: GET $path -> $code: $(head -c 300 "$dir/smoke-$file.json")"
        return 1
      fi
      case "$file" in
      page-list)
        if ! grep -q '<tr data-id=' "$dir/smoke-$file.json"; then
          log "smoke check: GET $path (page) showed no rows"
          return 1
        fi ;;
      list | search | filter-*)
        if ! grep -q '"id"' "$dir/smoke-$file.json"; then
          log "smoke check: GET $path returned no rows"
          return 1
        fi ;;
      esac
    done
  done
  for scenario in $WRITES; do
    "$PY" "$HERE/bodies.py" "$scenario" "$dir/samples.json" "$dir/smoke-$scenario.body" --count 1 --rows 2 --per-request 2 --seed 9
    path=/api/v1/contacts
    if [ "$scenario" = batch ]; then path=/api/v1/contacts/batch; fi
    code=$(curl -s -o "$dir/smoke-$scenario.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' --data-binary "@$dir/smoke-$scenario.body" "http://127.0.0.1:$PORT$path")
    if [ "$code" != 201 ]; then
      log "smoke check failed: POST $path -> $code: $(head -c 300 "$dir/smoke-$scenario.json")"
      return 1
    fi
  done
}

# The team user's questions: the first five of the admin's paths must answer 200, and (list) at
# least one of them with rows; the user sees about a fifth of the contacts, so some answers are empty.
smoke_team() {
  local dir=$1 scenario=$2 file=${2%-team} path code rows=0
  if [ -z "$TEAM_TOKEN" ]; then log "smoke check: no team user's token for $scenario"; return 1; fi
  while IFS= read -r path; do
    path=${path%%$'\t'*}
    code=$(curl -s -o "$dir/smoke-$scenario.json" -w '%{http_code}' -H "Authorization: Bearer $TEAM_TOKEN" \
      "http://127.0.0.1:$PORT$path")
    if [ "$code" != 200 ]; then
      log "smoke check failed: GET $path as the team user -> $code: $(head -c 300 "$dir/smoke-$scenario.json")"
      return 1
    fi
    if grep -q '"id"' "$dir/smoke-$scenario.json"; then rows=$((rows + 1)); fi
  done < <(head -5 "$dir/$file.paths")
  if [ "$file" = list ] && [ "$rows" = 0 ]; then
    log "smoke check: none of the first five list pages has a row for the team user"
    return 1
  fi
}

# The paths files a read scenario uses (health measures get by id too, when there are contacts).
smoke_files() {
  case "$1" in
  health) if [ "$COUNT" -gt 0 ]; then echo "get health"; else echo health; fi ;;
  *) echo "$1" ;;
  esac
}

# The contacts of the workspace right now (written into the write scenarios' results).
contact_total() {
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/contacts?limit=1&count=true" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin).get("total", -1))' 2>/dev/null || echo -1
}

# One scenario: its warm-up, then the measured run with CPU and memory samples, then one line in
# results.jsonl. KIND is paths (GETs of random lines of FILE), create (POSTs of the bodies in FILE)
# or batch (bench/batch.py sending FILE with CONNECTIONS senders; WARM is its warm-up file). AUTH
# yes sends the administrator's token, team the team user's.
#   measure_one BACKEND NAME RUN DIR CONNECTIONS KIND FILE AUTH(yes|team|no) [WARM]
measure_one() {
  local backend=$1 name=$2 run=$3 dir=$4 conns=$5 kind=$6 file=$7 auth=$8 warm=${9:-}
  local url="http://127.0.0.1:$PORT" rss="$dir/$name-rss-$run.txt" out="$dir/$name-$run.txt"
  local -a header=() load=() warmup=()
  if [ "$auth" = yes ]; then header=(-H "Authorization: Bearer $TOKEN"); fi
  if [ "$auth" = team ]; then header=(-H "Authorization: Bearer $TEAM_TOKEN"); fi
  if [ "$auth" = cookie ]; then header=(-H "Cookie: clientele_session=$TOKEN"); fi
  case "$kind" in
  paths)
    warmup=(wrk -t"$THREADS" -c"$conns" -d"$WARMUP" --timeout "$TIMEOUT" "${header[@]}" -s "$HERE/random-path.lua" "$url" -- "$file")
    load=(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --timeout "$TIMEOUT" --latency "${header[@]}" -s "$HERE/random-path.lua" "$url" -- "$file") ;;
  create)
    warmup=(wrk -t"$THREADS" -c"$conns" -d"$WARMUP" --timeout "$TIMEOUT" "${header[@]}" -s "$HERE/create.lua" "$url" -- "$file" /api/v1/contacts warmup "$THREADS")
    load=(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --timeout "$TIMEOUT" --latency "${header[@]}" -s "$HERE/create.lua" "$url" -- "$file" /api/v1/contacts measure "$THREADS") ;;
  batch)
    warmup=("$PY" "$HERE/batch.py" "$url" "$TOKEN" "$warm" --senders 1)
    load=("$PY" "$HERE/batch.py" "$url" "$TOKEN" "$file" --senders "$conns") ;;
  esac
  wait_quiet
  local before=""
  if [ "$kind" != paths ]; then before=$(contact_total); fi
  log "$backend/$name run $run: warm-up, then the measurement at $conns connections${before:+ on $before contacts}"
  "${warmup[@]}" > "$dir/$name-warmup-$run.txt" 2>&1
  : > "$rss"
  sample_rss "$SERVER_PID" "$rss" &
  SAMPLER_PID=$!
  local m0 s0 d0 m1 s1 d1 cpu="$dir/$name-cpu-$run.txt"
  m0=$(machine_jiffies)
  s0=$(process_jiffies "$SERVER_PID")
  d0=$(db_jiffies)
  local perf_pid=""
  if [ "${BENCH_PERF:-0}" = 1 ]; then
    perf record -q -F 499 -g -p "$SERVER_PID" -o "$dir/$name-$run.perf.data" > /dev/null 2>&1 &
    perf_pid=$!
  fi
  /usr/bin/time -f '%U %S' -o "$cpu.wrk" "${load[@]}" > "$out" 2> "$out.stderr"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
  fi
  m1=$(machine_jiffies)
  s1=$(process_jiffies "$SERVER_PID")
  d1=$(db_jiffies)
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  if [ -s "$out.stderr" ]; then log "$name: $(head -c 600 "$out.stderr")"; fi
  echo "$m0 $m1 $s0 $s1 $d0 $d1 $(getconf CLK_TCK) $(nproc) $(tail -1 "$cpu.wrk")" > "$cpu"
  local hwm
  hwm=$(status_kb "$SERVER_PID" VmHWM)
  "$PY" - "$backend" "$COUNT" "$name" "$run" "$out" "$rss" "$hwm" "$cpu" "$conns" "${before:--1}" >> "$RUN_DIR/results.jsonl" <<'EOF'
import json, sys
backend, count, scenario, run, wrk_out, rss_file, hwm, cpu_file, connections, before = sys.argv[1:]
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
known = {"requests", "duration_us", "bytes", "errors_connect", "errors_read", "errors_write", "errors_status",
         "errors_timeout", "latency_mean_us", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_max_us"}
entry = {
    "backend": backend, "count": int(count), "scenario": scenario, "run": int(run), "connections": int(connections),
    "requests": data["requests"], "requests_per_s": data["requests"] / seconds, "errors": errors,
    "errors_by_kind": {k[len("errors_"):]: data[k] for k in sorted(data) if k.startswith("errors_") and data[k]},
    "p50_ms": data["latency_p50_us"] / 1000, "p90_ms": data["latency_p90_us"] / 1000,
    "p99_ms": data["latency_p99_us"] / 1000, "max_ms": data["latency_max_us"] / 1000,
    "mean_ms": data["latency_mean_us"] / 1000,
    "peak_rss_mb": (max(samples) if samples else 0) / 1024, "rss_samples": len(samples),
    "vmhwm_mb": int(hwm or 0) / 1024,
    # CPU seconds per wall second ("cores") of the server, of the load tool (wrk or batch.py), of
    # PostgreSQL, and of everything else.
    "server_cpu_cores": server / wall, "wrk_cpu_cores": wrk_cpu / wall, "db_cpu_cores": database / wall,
    "other_cpu_cores": max(0.0, machine - server - wrk_cpu - database) / wall,
    "server_cpu_ms_per_request": server * 1000 / max(data["requests"], 1),
    "db_cpu_ms_per_request": database * 1000 / max(data["requests"], 1),
}
if int(before) >= 0:
    entry["contacts_before"] = int(before)
if "rows" in data:
    entry["server_cpu_us_per_row"] = server * 1e6 / max(data["rows"], 1)
    entry["db_cpu_us_per_row"] = database * 1e6 / max(data["rows"], 1)
entry.update({k: v for k, v in data.items() if k not in known})
print(json.dumps(entry, ensure_ascii=False))
EOF
  tail -1 "$RUN_DIR/results.jsonl" >&2
  if [ -n "$perf_pid" ]; then
    perf report -i "$dir/$name-$run.perf.data" --no-children --sort dso,sym --percent-limit 0.7 --stdio -g none 2>/dev/null |
      { swift demangle --simplified 2>/dev/null || cat; } > "$dir/$name-$run.perf.txt" || true
    perf report -i "$dir/$name-$run.perf.data" --children --sort dso,sym --percent-limit 3 --stdio -g none 2>/dev/null |
      { swift demangle --simplified 2>/dev/null || cat; } > "$dir/$name-$run.perf-children.txt" || true
    rm -f "$dir/$name-$run.perf.data"
  fi
}

measure() {
  local backend=$1 scenario=$2 run=$3 dir=$4 conns senders
  conns=$(connections_for "$scenario")
  case "$scenario" in
  health)
    if [ "$COUNT" -gt 0 ]; then measure_one "$backend" get "$run" "$dir" "$conns" paths "$dir/get.paths" yes; fi
    measure_one "$backend" health "$run" "$dir" "$conns" paths "$dir/health.paths" no ;;
  create)
    log "$backend/create run $run: writing $CREATE_BODIES bodies"
    "$PY" "$HERE/bodies.py" create "$dir/samples.json" "$dir/create-$run.bodies" --count "$CREATE_BODIES" --seed $((100 + run))
    measure_one "$backend" create "$run" "$dir" "$conns" create "$dir/create-$run.bodies" yes ;;
  batch)
    for senders in $BATCH_SENDERS; do
      log "$backend/batch run $run: writing $BATCH_ROWS rows for $senders sender(s)"
      "$PY" "$HERE/bodies.py" batch "$dir/samples.json" "$dir/batch-$senders-$run.bodies" --rows "$BATCH_ROWS" \
        --seed $((200 + 10 * run + senders))
      "$PY" "$HERE/bodies.py" batch "$dir/samples.json" "$dir/batch-warmup-$senders-$run.bodies" --rows 2000 \
        --seed $((300 + 10 * run + senders))
      measure_one "$backend" "batch-$senders" "$run" "$dir" "$senders" batch "$dir/batch-$senders-$run.bodies" yes \
        "$dir/batch-warmup-$senders-$run.bodies"
    done ;;
  list-team | search-team)
    measure_one "$backend" "$scenario" "$run" "$dir" "$conns" paths "$dir/${scenario%-team}.paths" team ;;
  page-list | page-record)
    measure_one "$backend" "$scenario" "$run" "$dir" "$conns" paths "$dir/$scenario.paths" cookie ;;
  *)
    measure_one "$backend" "$scenario" "$run" "$dir" "$conns" paths "$dir/$scenario.paths" yes
    if [ "$run" = 1 ] && [ "${BENCH_PROBE:-1}" = 1 ] && { [[ "$scenario" == filter-* ]] || [ "$scenario" = search-prefix ]; }; then
      log "$backend/$scenario: timing each question alone (probe.py)"
      "$PY" "$HERE/probe.py" "http://127.0.0.1:$PORT" "$TOKEN" "$dir/$scenario.paths" --limit 400 --budget 90 \
        > "$dir/$scenario-probe.md" 2>&1 || log "probe.py failed (see $scenario-probe.md)"
    fi ;;
  esac
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
  SERVE_URL=$url
  if [ "$backend" = postgres ] && [ -n "${BENCH_PG_POOL:-}" ]; then SERVE_URL="$url?pool_size=$BENCH_PG_POOL"; fi
  : > "$dir/server.log"
  local owners=() access_setup=0
  if [ "$COUNT" -gt 0 ] && [ "${BENCH_ACCESS:-1}" != 0 ]; then
    # The users exist before the load, which gives the records their owners in turn (and their
    # search documents the owners' access terms), as records written through the API would be.
    access_setup=1
    TOKEN=$("$BIN" token create --user bench@example.com --database "$url" 2>> "$dir/cli.log" | tail -1)
    start_server "$dir"
    log "$backend: access setup, users (a team-scope profile, 50 users in 5 teams; bench/access.py)"
    if ! "$PY" "$HERE/access.py" --phase users --database "$url" --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
      --out "$dir" 2> "$dir/access.log"; then
      log "$backend: access.py --phase users failed (see access.log)"; return 1
    fi
    stop_server
    owners=(--owners "$dir/access-users.json")
  fi
  log "$backend: generating $COUNT contacts"
  started=$(date +%s)
  "$PY" "$HERE/generate.py" --database "$url" --count "$COUNT" --samples "$dir/samples.json" "${owners[@]}" \
    2> "$dir/generate.log"
  echo "load seconds: $(($(date +%s) - started))" >> "$dir/generate.log"
  tail -2 "$dir/generate.log" >&2
  # The loader writes rows and search documents, not the duplicate check's match keys: without them
  # creates would be checked against an empty key table.
  if [ "${BENCH_KEYS:-1}" = 1 ]; then
    log "$backend: rebuilding the match keys (clientele reindex --match-keys-only)"
    started=$(date +%s)
    "$BIN" reindex --match-keys-only --database "$url" >> "$dir/generate.log" 2>&1
    echo "match keys reindex wall seconds: $(($(date +%s) - started))" >> "$dir/generate.log"
    tail -2 "$dir/generate.log" >&2
  else
    log "$backend: match keys and filter documents not rebuilt (BENCH_KEYS=0: for list and search runs only)"
  fi
  if [ "$backend" = sqlite ]; then
    echo "database size: $(du -sh "$dir/clientele.sqlite" | cut -f1)" >> "$dir/generate.log"
  else
    psql "$url" -Atc "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))" >> "$dir/generate.log"
  fi
  TOKEN=$("$BIN" token create --user bench@example.com --database "$url" 2>> "$dir/cli.log" | tail -1)
  "$PY" "$HERE/paths.py" "$dir/samples.json" "$dir"

  TEAM_TOKEN=""
  if [ "$access_setup" = 1 ]; then
    # Shares go through the API, so the server runs for them; it starts again afterwards, so
    # that every connection reads the new planner statistics.
    start_server "$dir"
    log "$backend: access setup, 1,000 shares and the team user's count (bench/access.py)"
    started=$(date +%s)
    local status=0
    TEAM_TOKEN=$("$PY" "$HERE/access.py" --phase shares --database "$url" --url "http://127.0.0.1:$PORT" \
      --token "$TOKEN" --out "$dir" 2>> "$dir/access.log" | tail -1) || status=$?
    echo "access setup wall seconds: $(($(date +%s) - started))" >> "$dir/access.log"
    tail -3 "$dir/access.log" >&2
    if [ "$status" != 0 ] || [ -z "$TEAM_TOKEN" ]; then log "$backend: access.py failed (see access.log)"; return 1; fi
    stop_server
  fi
  if [ "$COUNT" -gt 0 ]; then
    log "$backend: query plans and database-only timings"
    local access=()
    if [ -f "$dir/access.json" ]; then access=(--access "$dir/access.json"); fi
    "$PY" "$HERE/explain.py" --database "$url" --dir "$dir" "${access[@]}" > "$dir/plans.txt" 2>&1 ||
      log "explain.py failed (see plans.txt)"
  fi

  start_server "$dir"
  smoke_check "$dir"
  echo "server RSS after start: $(status_kb "$SERVER_PID" VmRSS) kB" >> "$dir/generate.log"
  local run scenario
  for run in $(seq 1 "$REPEAT"); do
    for scenario in $READS; do
      measure "$backend" "$scenario" "$run" "$dir"
    done
  done
  for scenario in $WRITES; do
    for run in $(seq 1 "$REPEAT"); do
      measure "$backend" "$scenario" "$run" "$dir"
    done
  done
  if [ -n "$WRITES" ]; then echo "contacts at the end: $(contact_total)" >> "$dir/generate.log"; fi
  echo "server VmHWM at the end: $(status_kb "$SERVER_PID" VmHWM) kB" >> "$dir/generate.log"
  stop_server
  local noted
  noted=$(grep -ciE 'error|warn|fatal|critical' "$dir/server.log" || true)
  echo "server.log lines mentioning error/warning: $noted" >> "$dir/generate.log"
  if [ "$noted" != 0 ]; then log "$backend: server.log has $noted lines mentioning an error or warning"; fi
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -f "$dir"/*.bodies; fi
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
