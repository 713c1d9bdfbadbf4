# Shared by scripts/test and bench/: a throwaway PostgreSQL cluster from the server binaries on
# this machine (initdb + pg_ctl), on a free loopback port, data in a temporary directory.
# Source it, call start_throwaway_postgres [postgres -c options...], and stop_throwaway_postgres
# (e.g. from an EXIT trap). Sets PG_BIN, PG_DIR, PG_PORT and PG_URL.

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  local dir
  for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /opt/homebrew/bin /usr/local/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR=""
PG_BIN=""
PG_USER_RUN=()

stop_throwaway_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  return 0
}

start_throwaway_postgres() {
  if ! PG_BIN=$(find_pg_bin); then
    cat >&2 <<'MSG'
error: PostgreSQL is needed, no DATABASE_URL is set and no PostgreSQL server binaries
(initdb, pg_ctl) were found. Either install them:
    Debian/Ubuntu:  sudo apt-get install postgresql
    macOS:          brew install postgresql@15
or point DATABASE_URL at a PostgreSQL server whose user may create databases:
    DATABASE_URL=postgres://USER@HOST:5432/postgres scripts/test
MSG
    return 1
  fi
  PG_DIR=$(mktemp -d -t assetql-pg.XXXXXX)
  # initdb refuses to run as root: run the cluster as the `postgres` user when we are root.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres "$PG_DIR"
    PG_USER_RUN=(runuser -u postgres --)
  else
    PG_USER_RUN=(env)
  fi
  PG_PORT=$(free_port)
  "${PG_USER_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  local options="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR $*"
  "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o "$options" \
    start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; return 1; }
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}
