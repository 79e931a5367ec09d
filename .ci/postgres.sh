#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the tests (as root: from the distribution's packages).
# Prints the SQLAlchemy URL on success; prints nothing (and the tests skip) when it cannot.
set -u
PORT=${SOPBOT_PG_PORT:-54329}
if [ "$(id -u)" != 0 ]; then
  echo "postgres.sh: not root, PostgreSQL tests will be skipped" >&2
  exit 0
fi
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql) >&2 \
    || { echo "postgres.sh: could not install PostgreSQL, its tests will be skipped" >&2; exit 0; }
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/sopbot-pg.XXXXXX)
chown postgres: "$PGDATA"
su postgres -s /bin/sh -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null 2>&1 \
  || { echo "postgres.sh: initdb failed, PostgreSQL tests will be skipped" >&2; exit 0; }
# The administrator (postgres) is trusted on this throw-away server; every other login must give
# its password, as on a real central server (a wrong one is refused, not waved through).
cat > "$PGDATA/pg_hba.conf" <<'HBA'
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
HBA
for port in $(seq "$PORT" $((PORT + 10))); do  # a port another server holds is skipped
  if su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w \
      -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' start" >/dev/null 2>&1
  then
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    exit 0
  fi
done
echo "postgres.sh: PostgreSQL did not start, its tests will be skipped" >&2
