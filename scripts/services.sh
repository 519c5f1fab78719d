#!/usr/bin/env bash
# services.sh — make sure PostgreSQL and Redis answer at DATABASE_URL / REDIS_URL.
#
#   scripts/services.sh up [--test]   install what is missing (apt), start local servers that do
#                                     not answer, create the role and database; --test also installs
#                                     what the test suite needs (Debian chromium, curl, jq)
#   scripts/services.sh down          stop only what `up` started (recorded in .run/started)
#   scripts/services.sh status        show what answers
#
# Servers that already answer are left alone. Only local hosts (localhost, 127.0.0.1, ::1) are
# ever started; a remote URL that does not answer is an error.
set -euo pipefail

cd "$(dirname "$0")/.."
RUN_DIR="$PWD/.run"
STATE="$RUN_DIR/started"
DATABASE_URL="${DATABASE_URL:-postgres://qlibpro:qlibpro@localhost:5432/qlibpro?sslmode=disable}"
REDIS_URL="${REDIS_URL:-redis://localhost:6379/0}"

say() { printf '[services] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"; fi
}

# apt_ensure PKG... installs the packages that are not installed yet.
apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# tcp_open HOST PORT: does something listen there?
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

is_local() { case "$1" in localhost|127.0.0.1|::1|"[::1]") return 0;; *) return 1;; esac; }

record() { mkdir -p "$RUN_DIR"; echo "$*" >>"$STATE"; }

# parse_url URL DEFAULT_PORT: sets U_USER U_PASS U_HOST U_PORT U_PATH.
parse_url() {
  local rest="${1#*://}"
  rest="${rest%%\?*}"
  local auth="" hostport="${rest%%/*}"
  U_PATH="${rest#*/}"; [ "$U_PATH" = "$rest" ] && U_PATH=""
  if [[ "$hostport" == *@* ]]; then auth="${hostport%@*}"; hostport="${hostport##*@}"; fi
  U_USER="${auth%%:*}"; U_PASS=""; [[ "$auth" == *:* ]] && U_PASS="${auth#*:}"
  if [[ "$hostport" == \[*\]* ]]; then U_HOST="${hostport%%]*}"; U_HOST="${U_HOST#[}"; U_PORT="${hostport##*]:}"
    [ "$U_PORT" = "$hostport" ] && U_PORT=""
  else U_HOST="${hostport%%:*}"; U_PORT="${hostport##*:}"; [ "$U_PORT" = "$hostport" ] && U_PORT=""; fi
  U_HOST="${U_HOST:-localhost}"; U_PORT="${U_PORT:-$2}"
}

pg_answers() { PGCONNECT_TIMEOUT=3 psql "$DATABASE_URL" -XAtqc 'SELECT 1' >/dev/null 2>&1; }

postgres_up() {
  parse_url "$DATABASE_URL" 5432
  local user="$U_USER" pass="$U_PASS" host="$U_HOST" port="$U_PORT" dbname="${U_PATH:-qlibpro}"
  command -v psql >/dev/null || apt_ensure postgresql-client
  if pg_answers; then say "PostgreSQL answers at $host:$port"; return 0; fi
  is_local "$host" || die "DATABASE_URL ($host:$port) does not answer and is not local"
  apt_ensure postgresql
  if ! tcp_open 127.0.0.1 "$port"; then
    local line ver name
    line=$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p {print $1, $2; exit}')
    if [ -z "$line" ]; then
      ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
      say "creating PostgreSQL $ver cluster 'qlibpro' on port $port"
      as_root pg_createcluster "$ver" qlibpro -p "$port" >/dev/null
      line="$ver qlibpro"
    fi
    read -r ver name <<<"$line"
    say "starting PostgreSQL cluster $ver/$name on port $port"
    as_root pg_ctlcluster "$ver" "$name" start -o "-c synchronous_commit=off"
    record "postgres $ver $name"
    for _ in $(seq 1 50); do tcp_open 127.0.0.1 "$port" && break; sleep 0.2; done
  fi
  [ -n "$user" ] || die "DATABASE_URL has no user name"
  say "ensuring role $user and database $dbname"
  as_postgres psql -XAtq -p "$port" -v ON_ERROR_STOP=1 \
    -v user="$user" -v pass="$pass" -v dbname="$dbname" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pass')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pass') \gexec
SELECT format('GRANT pg_signal_backend TO %I', :'user') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'dbname', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
SQL
  pg_answers || die "PostgreSQL runs on port $port but DATABASE_URL still does not connect"
  say "PostgreSQL ready at $host:$port/$dbname"
}

redis_up() {
  parse_url "$REDIS_URL" 6379
  local host="$U_HOST" port="$U_PORT"
  if tcp_open "$host" "$port"; then say "Redis answers at $host:$port"; return 0; fi
  is_local "$host" || die "REDIS_URL ($host:$port) does not answer and is not local"
  apt_ensure redis-server
  mkdir -p "$RUN_DIR"
  say "starting redis-server on port $port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR"
  record "redis $RUN_DIR/redis.pid"
  for _ in $(seq 1 50); do tcp_open 127.0.0.1 "$port" && break; sleep 0.1; done
  tcp_open 127.0.0.1 "$port" || die "redis-server did not start; see $RUN_DIR/redis.log"
  say "Redis ready at $host:$port"
}

down() {
  [ -f "$STATE" ] || { say "nothing was started by services.sh"; return 0; }
  tac "$STATE" | while read -r kind a b; do
    case "$kind" in
      postgres) say "stopping PostgreSQL cluster $a/$b"; as_root pg_ctlcluster "$a" "$b" stop || true ;;
      redis) if [ -f "$a" ]; then say "stopping redis-server"; kill "$(cat "$a")" 2>/dev/null || true; fi ;;
    esac
  done
  rm -f "$STATE"
}

status() {
  parse_url "$DATABASE_URL" 5432
  if pg_answers; then say "PostgreSQL: answers ($U_HOST:$U_PORT)"; else say "PostgreSQL: not answering ($U_HOST:$U_PORT)"; fi
  parse_url "$REDIS_URL" 6379
  if tcp_open "$U_HOST" "$U_PORT"; then say "Redis: answers ($U_HOST:$U_PORT)"; else say "Redis: not answering ($U_HOST:$U_PORT)"; fi
  [ -f "$STATE" ] && say "started by services.sh: $(tr '\n' ';' <"$STATE")"
  return 0
}

case "${1:-}" in
  up)
    # Build-time C libraries: XGBoost for in-app training (cgo), gcc for cgo itself.
    apt_ensure gcc libc6-dev libxgboost-dev libgomp1 tzdata ca-certificates
    # Tests: Chromium for the browser tests, curl and jq for scripts/smoke.sh.
    [ "${2:-}" = "--test" ] && apt_ensure chromium curl jq prometheus prometheus-alertmanager
    postgres_up
    redis_up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up [--test] | down | status" >&2; exit 2 ;;
esac
