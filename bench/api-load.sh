#!/usr/bin/env bash
# The API under load (issue 5, item 10): 10,000 apps and 100,000 candidates
# (reports of ~3 KB with 2 to 4 findings) seeded through the store, every
# change audited in its transaction; then `runway up` on SQLite and on
# PostgreSQL, driven from a loopback load generator at a steady RATE for
# SECONDS per phase, each phase after a 5 s warm-up:
#
#   list: GET /api/v1/apps?limit=50 with a random `after` (sometimes team= or
#         q=), GET /api/v1/apps/{app}/candidates?limit=50 (sometimes after=)
#   get:  GET /api/v1/apps/{app}, GET /api/v1/apps/{app}/candidates/{n}
#
# The generator is open-loop: requests leave on schedule whatever the server
# does, and latency counts from the scheduled time, so queueing shows. It
# prints count, errors, p50/p90/p99/max and the achieved rate per endpoint and
# per class and database, with the load average and the CPU the server and the
# generator used. Goal: p99 under 50 ms for both classes on both databases;
# exits 1 when a class misses it or any request failed.
#
# Seeding 110,000 durable transactions takes minutes: here about 2 minutes on
# SQLite (synchronous=FULL, one writer) and 4 on PostgreSQL, where 8 writers
# are only ~25% faster than one because every change holds the audit chain's
# head row until it commits. So the seeded database is kept in the user's
# cache, keyed by a hash of the seeding code and of the store's code and
# migrations, and restored on later runs: SQLite's file is copied,
# PostgreSQL's tables are loaded into the run's fresh schema and analyzed.
# The server always runs with its own settings. RUNWAY_BENCH_RESEED=1 seeds
# again.
#
# Needs: go, and PostgreSQL at $RUNWAY_BENCH_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/test), where a schema bench_* is made for
# the run and dropped at the end. RUNWAY_BENCH_DATABASES=sqlite (or postgres)
# runs one; RUNWAY_BENCH_APPS and RUNWAY_BENCH_CANDIDATES change the sizes.
#
# Usage: bench/api-load.sh [RATE] [SECONDS]   (default 200 requests/s, 30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-200}
secs=${2:-30}
pg_url=${RUNWAY_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
databases=${RUNWAY_BENCH_DATABASES:-sqlite,postgres}
apps=${RUNWAY_BENCH_APPS:-10000}
cands=${RUNWAY_BENCH_CANDIDATES:-100000}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/runway-test/api-load"

work=$(mktemp -d)
server_pid=""
schema=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  if [ -n "$schema" ]; then
    "$work/apiload" schema drop -db "$pg_url" -name "$schema" || echo "could not drop the schema $schema: drop it by hand" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "building runway and the load generator..." >&2
go build -o "$work/runway" ./cmd/runway
go build -o "$work/apiload" bench/apiload.go bench/apiseed.go bench/apicache.go
key=$( { cat bench/apiseed.go bench/apicache.go sqlstore/migrations/*/*.sql
         find sqlstore -maxdepth 1 -name '*.go' ! -name '*_test.go' | sort | xargs cat; } | sha256sum | cut -c1-16)
seed_args=(-apps "$apps" -candidates "$cands" -cache "$cache" -key "$key")
[ "${RUNWAY_BENCH_RESEED:-}" = 1 ] && seed_args+=(-reseed)

# start_server ARGS...: `runway up` on port 0 with ARGS, away from the
# user's Runway settings; sets server_pid and url.
start_server() {
  mkdir -p "$work/config"
  env -u RUNWAY_CONFIG -u RUNWAY_DATABASE_URL -u RUNWAY_PUBLIC_URL XDG_CONFIG_HOME="$work/config" \
    "$work/runway" up --addr 127.0.0.1:0 "$@" >"$work/server.out" 2>"$work/server.log" &
  server_pid=$!
  url=""
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^Runway is up at \([^ ]*\) .*/\1/p' "$work/server.out")
    [ -n "$url" ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "runway up stopped:" >&2
      cat "$work/server.out" "$work/server.log" >&2
      server_pid=""
      return 1
    fi
    sleep 0.1
  done
  echo "runway up did not start within 30 s" >&2
  return 1
}

echo "machine: $(nproc) CPUs, $(go env GOVERSION), loadavg $(cut -d' ' -f1-3 /proc/loadavg); $rate requests/s, ${secs} s per phase"
status=0
if [[ ,$databases, == *,sqlite,* ]]; then
  mkdir -p "$work/sqlite"
  "$work/apiload" seed -db "$work/sqlite/runway.db" -out "$work/sqlite.json" -workers 1 "${seed_args[@]}"
  start_server --data "$work/sqlite"
  "$work/apiload" load -url "$url" -seed "$work/sqlite.json" -rate "$rate" -duration "${secs}s" -label sqlite -server-pid "$server_pid" -server-log "$work/server.log" || status=1
  stop_server
fi
if [[ ,$databases, == *,postgres,* ]]; then
  schema="bench_$(date +%Y%m%d%H%M%S)_$$"
  "$work/apiload" schema create -db "$pg_url" -name "$schema"
  sep='?'
  [[ $pg_url == *\?* ]] && sep='&'
  pg_db="$pg_url${sep}search_path=$schema"
  "$work/apiload" seed -db "$pg_db" -out "$work/postgres.json" -workers 8 "${seed_args[@]}"
  start_server --data "$work/pgdata" --database-url "$pg_db"
  "$work/apiload" load -url "$url" -seed "$work/postgres.json" -rate "$rate" -duration "${secs}s" -label postgres -server-pid "$server_pid" -server-log "$work/server.log" || status=1
  stop_server
  "$work/apiload" schema drop -db "$pg_url" -name "$schema"
  schema=""
fi
echo "loadavg at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
