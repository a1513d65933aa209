#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL. Without a reachable PostgreSQL it runs the SQLite half and
# says so, except under CI (CI=true), where a missing PostgreSQL is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/gridcare}
WORKERS=${TEST_WORKERS:-2}
which=${1:-both}
FUZZ=gridcare/tests/test_api_fuzz.py
status=0

run() {  # label, then env assignments for pytest
    local label=$1; shift
    echo "=== tests on $label"
    if [ -n "${PYTEST_ARGS:-}" ]; then
        env "$@" TASK_BACKEND=immediate "$BIN/python" -m pytest -q -n "$WORKERS" --dist loadfile $PYTEST_ARGS
        note $?
        return
    fi
    env "$@" TASK_BACKEND=immediate "$BIN/python" -m pytest -q -n "$WORKERS" --dist loadfile --durations=25 --ignore="$FUZZ"
    note $?
    # schemathesis runs each API operation as its own test only without xdist (under xdist it folds them into
    # subtests and skips some), so the API fuzz runs on its own.
    echo "=== API fuzz on $label"
    env "$@" TASK_BACKEND=immediate "$BIN/python" -m pytest -q -p no:xdist "$FUZZ"
    note $?
}

note() {
    local rc=$1
    [ $rc -eq 5 ] && rc=0  # pytest's "no tests collected" is not a failure of the suite
    [ $rc -ne 0 ] && status=$rc
    return 0
}

postgres_up() {
    "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
PY
}

if [ "$which" = both ] || [ "$which" = sqlite ]; then
    run SQLite DATABASE_URL=
fi
if [ "$which" = both ] || [ "$which" = postgres ]; then
    if postgres_up; then
        run PostgreSQL "DATABASE_URL=$PG_URL"
        if [ -z "${PYTEST_ARGS:-}" ]; then
            # Only here a replica is configured: the alias mirrors the test database (core/tests/test_replica.py).
            # Not in the whole run: a process a test serves would inherit it, pointing at the non-test database.
            echo "=== replica tests on PostgreSQL"
            env DATABASE_URL="$PG_URL" DATABASE_REPLICA_URL="$PG_URL" TASK_BACKEND=immediate \
                "$BIN/python" -m pytest -q -p no:xdist core/tests/test_replica.py
            note $?
        fi
    elif [ "${CI:-}" = true ]; then
        echo "PostgreSQL is not reachable at $PG_URL and CI=true: failing." >&2
        status=1
    else
        echo "PostgreSQL is not reachable at $PG_URL: ran the SQLite half only."
    fi
fi
exit $status
