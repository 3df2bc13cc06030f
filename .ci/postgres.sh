#!/usr/bin/env bash
# Start a real PostgreSQL server on 127.0.0.1:5432 for the server's store tests and print its URL.
# Installs postgresql with apt when missing; creates the role and database "copilot". Idempotent.
# Usage: export COPILOT_TEST_PG_URL="$(.ci/postgres.sh | tail -n1)"
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PGUSER_NAME=copilot
PGPASS=copilot
PGDB=copilot
PORT=5432

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "== installing postgresql" >&2
  apt-get update -qq >&2 || true
  apt-get install -y -qq postgresql >/dev/null
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
VER="$(basename "$(dirname "$BIN")")"

as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # Debian's cluster tools: use (or create) the default cluster.
  if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$VER/main"; then
    pg_createcluster "$VER" main -p "$PORT" >&2
  fi
  if ! pg_lsclusters -h | awk -v v="$VER" '$1==v && $2=="main" {print $4}' | grep -qx online; then
    pg_ctlcluster "$VER" main start >&2
  fi
else
  # Plain initdb + pg_ctl in a private data directory.
  DATA="${COPILOT_PG_DATA:-/tmp/copilot-pg}"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres "$DATA"
    as_pg "$BIN/initdb -D $DATA -A trust -U postgres" >&2
  fi
  as_pg "$BIN/pg_ctl -D $DATA -o '-h 127.0.0.1 -p $PORT -k /tmp' -l $DATA/log -w status" >/dev/null 2>&1 \
    || as_pg "$BIN/pg_ctl -D $DATA -o '-h 127.0.0.1 -p $PORT -k /tmp' -l $DATA/log -w start" >&2
fi

for _ in $(seq 1 30); do
  "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q && break
  sleep 1
done
"$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" >&2

psql_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "psql -h 127.0.0.1 -p $PORT -U postgres -tAc \"$1\"" 2>/dev/null \
      || su postgres -s /bin/sh -c "psql -p $PORT -tAc \"$1\""
  else psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "$1"; fi
}
if [ "$(psql_pg "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_NAME'")" != 1 ]; then
  psql_pg "CREATE ROLE $PGUSER_NAME LOGIN PASSWORD '$PGPASS'" >&2
fi
if [ "$(psql_pg "SELECT 1 FROM pg_database WHERE datname='$PGDB'")" != 1 ]; then
  psql_pg "CREATE DATABASE $PGDB OWNER $PGUSER_NAME" >&2
fi
echo "postgresql+psycopg://$PGUSER_NAME:$PGPASS@127.0.0.1:$PORT/$PGDB"
