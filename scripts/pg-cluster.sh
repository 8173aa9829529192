#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suites, from Debian's packages: installs postgresql when
# initdb is missing, starts a cluster in a temp directory on a free port (socket in that directory, trust
# auth on loopback), creates a database, and prints `export TEST_DATABASE_URL=…` and `export PG_TEST_DATA=…`
# for `eval`. `scripts/pg-cluster.sh stop DIR` stops it and removes the directory. Needs root (CI, these
# machines): the cluster runs as the `postgres` user.
set -euo pipefail

if [ "${1:-}" = "stop" ]; then
  dir="${2:?usage: pg-cluster.sh stop DIR}"
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  su postgres -c "$bin/pg_ctl -D '$dir' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "--- installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

# A free port: ask the kernel, via node (always here).
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
dir=$(mktemp -d /tmp/portone-checkout-pg.XXXXXX)
chown postgres:postgres "$dir"
chmod 700 "$dir"
su postgres -c "$bin/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --no-instructions" >/dev/null
su postgres -c "$bin/pg_ctl -D '$dir' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '$dir/log' -w start" >/dev/null
su postgres -c "$bin/psql -h 127.0.0.1 -p $port -U postgres -qc 'create database portone_checkout_test'" >/dev/null
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/portone_checkout_test"
echo "export PG_TEST_DATA=$dir"
