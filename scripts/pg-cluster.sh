#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suites, from Debian's packages (postgresql: npm test's set-up step,
# scripts/prerequisites.mjs, installs it when it can): starts a cluster in a temp directory on a free port (socket
# in that directory, trust auth on loopback), creates a database, and prints `export TEST_DATABASE_URL=…` and
# `export PG_TEST_DATA=…` for `eval`. `scripts/pg-cluster.sh stop DIR` stops it and removes the directory. npm test
# starts and stops it itself (scripts/pg-throwaway.mjs). As root the cluster runs as the `postgres` user (PostgreSQL
# refuses to run as root); as anyone else, as that user.
set -euo pipefail

# Runs a command line as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi
}

server_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-cluster.sh: no PostgreSQL server under /usr/lib/postgresql: run  sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$bin"
}

if [ "${1:-}" = "stop" ]; then
  dir="${2:?usage: pg-cluster.sh stop DIR}"
  bin=$(server_bin)
  as_owner "$bin/pg_ctl -D '$dir' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

bin=$(server_bin)
# A free port: ask the kernel, via node (always here).
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
dir=$(mktemp -d /tmp/portone-checkout-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
chmod 700 "$dir"
as_owner "$bin/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --no-instructions" >/dev/null
as_owner "$bin/pg_ctl -D '$dir' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '$dir/log' -w start" >/dev/null
as_owner "$bin/psql -h 127.0.0.1 -p $port -U postgres -qc 'create database portone_checkout_test'" >/dev/null
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/portone_checkout_test"
echo "export PG_TEST_DATA=$dir"
