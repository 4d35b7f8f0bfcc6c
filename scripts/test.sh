#!/usr/bin/env bash
# Runs the suite twice: everything on SQLite, then the database tests on PostgreSQL.
# PostgreSQL unreachable: started if this machine has it; else skipped loudly, and a failure under CI=true.
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
# A database name of this run's own (pytest-django creates test_<name> and drops it at the
# end), so two runs on one machine never share a test database.
PG_URL=${PLM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/plm_run$$}

pg_up() { "$BIN/python" -c "import psycopg; psycopg.connect('${PG_URL%/*}/postgres', connect_timeout=3).close()" 2>/dev/null; }

if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is down: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 1; done
fi

# Browser tests drive Debian's Chromium (never a downloaded browser).
if ! [ -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's package"
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || echo "!!! could not install chromium"
fi

echo "=== test suite on SQLite ==="
env -u PLM_DATABASE_URL "$BIN/pytest" "$@"
sqlite_rc=$?

if pg_up; then
  echo "=== database tests on PostgreSQL ($PG_URL) ==="
  PLM_DATABASE_URL=$PG_URL "$BIN/pytest" tests/integration tests/e2e "$@"
  pg_rc=$?
else
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! PostgreSQL is NOT reachable at $PG_URL: its tests were SKIPPED. !!!"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  if [ "${CI:-}" = "true" ]; then echo "CI=true: PostgreSQL is required"; exit 1; fi
  pg_rc=0
fi
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
