#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#
#   url=$(scripts/pg-test.sh start DIR)   # prints postgresql://memebot@127.0.0.1:PORT/memebot_test
#   MEMEBOT_TEST_POSTGRES_URL=$url pytest
#   scripts/pg-test.sh stop DIR           # stops the server and removes DIR
#
# `start` installs the Debian `postgresql` package when `initdb` is missing (needs root), creates a
# cluster in DIR (owned by the system user `memebot-pg` when run as root: PostgreSQL refuses to run
# as root), listens on 127.0.0.1 at a free port with its unix socket inside DIR, and creates the
# database `memebot_test`. Only the URL goes to stdout; progress and errors go to stderr.
set -euo pipefail

PG_USER=memebot            # the database superuser created by initdb (trust auth, local only)
PG_DB=memebot_test
RUN_AS=memebot-pg          # the system user owning the cluster when we are root
MARKER=.memebot-pg-test    # `stop` only removes directories `start` created

die() { echo "pg-test: $*" >&2; exit 1; }
usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }

pg_bindir() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  return 1
}

ensure_postgres() {
  local dir
  if dir=$(pg_bindir); then echo "$dir"; return 0; fi
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root: apt-get install -y postgresql"
  echo "pg-test: installing the Debian postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed"
  apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
  dir=$(pg_bindir) || die "postgresql installed but initdb was not found under /usr/lib/postgresql/*/bin"
  echo "$dir"
}

# Run a command as the cluster owner (ourselves unless we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$RUN_AS" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

start() {
  local dir=$1 bindir port attempt url
  bindir=$(ensure_postgres)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  if [ -n "$(ls -A "$dir")" ]; then
    die "$dir is not empty; give start a new or empty directory (e.g. \$(mktemp -d))"
  fi
  touch "$dir/$MARKER"
  if [ "$(id -u)" = 0 ]; then
    if ! id -u "$RUN_AS" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_AS" >&2 \
        || die "could not create the system user $RUN_AS"
    fi
    chown -R "$RUN_AS:" "$dir"
    runuser -u "$RUN_AS" -- test -w "$dir" \
      || die "$RUN_AS cannot reach $dir (a parent directory is private); use a directory made by mktemp -d"
  fi
  as_owner mkdir "$dir/sock"
  if [ ${#dir} -gt 90 ]; then
    die "$dir is too long for a unix socket path (max ~90 characters); use a shorter directory"
  fi

  as_owner "$bindir/initdb" -D "$dir/data" -U "$PG_USER" --auth=trust --encoding=UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }

  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
      start >&2; then
      break
    fi
    grep -q "could not bind\|already in use" "$dir/server.log" 2>/dev/null || { cat "$dir/server.log" >&2; die "the server did not start (log above)"; }
    echo "pg-test: port $port taken, trying another (attempt $attempt)" >&2
    port=
  done
  [ -n "$port" ] || die "no free port found after 5 attempts"
  echo "$port" >"$dir/port"
  if ! as_owner "$bindir/createdb" -h "$dir/sock" -p "$port" -U "$PG_USER" "$PG_DB" >&2; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    die "createdb $PG_DB failed"
  fi
  url="postgresql://$PG_USER@127.0.0.1:$port/$PG_DB"
  echo "pg-test: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') serving $url (data in $dir)" >&2
  echo "$url"
}

stop() {
  local dir=$1 bindir
  [ -d "$dir" ] || { echo "pg-test: $dir does not exist; nothing to stop" >&2; return 0; }
  [ -e "$dir/$MARKER" ] || die "$dir was not created by '$0 start'; refusing to remove it"
  if [ -f "$dir/data/postmaster.pid" ] && bindir=$(pg_bindir); then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || echo "pg-test: pg_ctl stop failed; removing $dir anyway" >&2
  fi
  rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case $1 in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
