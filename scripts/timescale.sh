#!/usr/bin/env bash
# timescale.sh — a private PostgreSQL 15 + TimescaleDB server for the TimescaleDB tests.
#
#   scripts/timescale.sh build   build TimescaleDB $TS_VERSION from source into .run/timescale/root,
#                                beside a private copy of PostgreSQL (about 10–15 minutes on 2 cores)
#   scripts/timescale.sh up      start it on 127.0.0.1:$TS_PORT and print TIMESCALE_TEST_URL
#   scripts/timescale.sh down    stop it
#
# TimescaleDB is not packaged for Debian 12. Nothing is installed system-wide except cmake: the
# PostgreSQL server and headers are the Debian packages of the same version *extracted* (apt-get
# download + dpkg-deb -x) into .run/timescale/root, because installing postgresql-server-dev-15
# upgrades the postgresql-15 package under a running server of an older minor version, and that
# server then cannot load the new plpgsql.so ("undefined symbol"). The shared server is not touched.
#
# TIMESCALE_SRC=DIR builds from a checkout instead of cloning github.com/timescale/timescaledb.
# Then: TIMESCALE_TEST_URL=$(scripts/timescale.sh up) go test -count=1 ./migrations/ ./internal/market/feed/
set -euo pipefail

cd "$(dirname "$0")/.."
TS_VERSION="${TS_VERSION:-2.28.3}"
TS_PORT="${TS_PORT:-5499}"
DIR="${TS_DIR:-$PWD/.run/timescale}"
ROOT="$DIR/root"
BIN="$ROOT/usr/lib/postgresql/15/bin"
DATA="$DIR/data"

say() { printf '[timescale] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

build() {
  command -v cmake >/dev/null || { say "installing cmake (apt)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null; }
  command -v pg_config >/dev/null || { say "installing libpq-dev for pg_config (apt)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev >/dev/null; }
  mkdir -p "$DIR/debs" "$ROOT"
  local pgv; pgv="$(pg_config --version | awk '{print $2}')"
  (cd "$DIR/debs" && apt-get download -q "postgresql-15=$pgv-0+deb12u1" "postgresql-server-dev-15=$pgv-0+deb12u1" >/dev/null) \
    || die "cannot download postgresql-15 and postgresql-server-dev-15 $pgv (pg_config's version)"
  for deb in "$DIR"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
  # pg_config (libpq-dev) names the system's directories: point the server's into $ROOT.
  printf '%s\n' '#!/bin/sh' \
    'case "$1" in' \
    "  --includedir-server|--pkgincludedir|--pkglibdir|--sharedir|--bindir) echo \"$ROOT\$(pg_config \"\$1\")\" ;;" \
    '  *) exec pg_config "$@" ;;' \
    'esac' >"$DIR/pg_config"
  chmod +x "$DIR/pg_config"
  local src="$DIR/src"
  if [ -n "${TIMESCALE_SRC:-}" ]; then
    rm -rf "$src" && mkdir -p "$src" && (cd "$TIMESCALE_SRC" && git archive "$TS_VERSION") | tar -x -C "$src"
  elif [ ! -d "$src" ]; then
    git clone -q --depth 1 --branch "$TS_VERSION" https://github.com/timescale/timescaledb.git "$src"
  fi
  say "building TimescaleDB $TS_VERSION against $("$BIN/postgres" --version) (log $DIR/build.log)"
  (cd "$src" && ./bootstrap -DPG_CONFIG="$DIR/pg_config" -DCMAKE_BUILD_TYPE=Release -DREGRESS_CHECKS=OFF \
      -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF -DGENERATE_DOWNGRADE_SCRIPT=OFF -DLINTER=OFF -DUSE_OPENSSL=OFF >"$DIR/build.log" \
    && cd build && make -j2 >>"$DIR/build.log" && make install >>"$DIR/build.log") \
    || die "build failed: see $DIR/build.log"
  [ -f "$ROOT/usr/lib/postgresql/15/lib/timescaledb-$TS_VERSION.so" ] || die "timescaledb-$TS_VERSION.so not installed under $ROOT"
  say "built: $ROOT"
}

up() {
  [ -x "$BIN/postgres" ] || die "not built: scripts/timescale.sh build"
  if [ ! -d "$DATA/pg" ]; then
    mkdir -p "$DATA" && [ "$(id -u)" -ne 0 ] || chown postgres "$DATA"
    chmod o+rx "$DIR" "$(dirname "$DIR")"
    as_postgres "$BIN/initdb" -D "$DATA/pg" -A trust -U postgres >"$DIR/initdb.log"
    cat >>"$DATA/pg/postgresql.conf" <<EOF
port = $TS_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DATA'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
max_connections = 60
shared_buffers = 64MB
EOF
  fi
  if ! as_postgres "$BIN/pg_ctl" -D "$DATA/pg" status >/dev/null 2>&1; then
    as_postgres "$BIN/pg_ctl" -D "$DATA/pg" -l "$DATA/pg.log" -w start >/dev/null
    say "started on 127.0.0.1:$TS_PORT (log $DATA/pg.log)"
  fi
  echo "postgres://postgres@127.0.0.1:$TS_PORT/postgres?sslmode=disable"
}

down() {
  [ -d "$DATA/pg" ] || return 0
  as_postgres "$BIN/pg_ctl" -D "$DATA/pg" -m fast stop >/dev/null 2>&1 || true
  say "stopped"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  *) die "usage: scripts/timescale.sh build | up | down" ;;
esac
