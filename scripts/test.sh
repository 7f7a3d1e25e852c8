#!/usr/bin/env bash
# The project's one test command: builds once, then runs the Swift tests and the black-box API
# tests on SQLite and on a throwaway PostgreSQL. Installs what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== PostgreSQL (throwaway)"
PGDIR=$(mktemp -d /tmp/clientele-pg.XXXXXX)
PORT=55432
while (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
PGURL=$(bash scripts/pg-throwaway.sh start "$PGDIR" "$PORT" | tail -n 1)
trap 'bash scripts/pg-throwaway.sh stop "$PGDIR"' EXIT
export CLIENTELE_TEST_POSTGRES_URL="$PGURL"

echo "== Build"
swift build

echo "== Swift tests (SQLite and PostgreSQL)"
swift test

if [ -f tests/api/requirements.txt ]; then
  echo "== API tests (SQLite and PostgreSQL)"
  if [ ! -x .venv-test/bin/pytest ] || ! cmp -s tests/api/requirements.txt .venv-test/requirements.txt; then
    python3 -m venv .venv-test
    .venv-test/bin/pip install -q -r tests/api/requirements.txt
    cp tests/api/requirements.txt .venv-test/requirements.txt
  fi
  CLIENTELE_BIN=.build/debug/clientele .venv-test/bin/pytest -q tests/api
fi
