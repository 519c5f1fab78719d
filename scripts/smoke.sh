#!/usr/bin/env bash
# smoke.sh BASE_URL — the deployment plan's smoke test against a running Qlib Pro:
# liveness, readiness, database health, version, the home page, an API sign-in
# (SMOKE_EMAIL / SMOKE_PASSWORD), live quotes, the portfolio and a model's
# signals. It prints one line per check and stops at the first failure with a
# non-zero exit and the reason.
#
#   SMOKE_EMAIL, SMOKE_PASSWORD  an account on the target (required)
#   SMOKE_SYMBOL                 code for the quote and signal checks (default BHP)
#   SMOKE_MODEL                  model whose signals are checked (default: the first active one)
#   SMOKE_VERSION                when set, /api/version must report it (after a deploy)
#   SMOKE_TIMEOUT                seconds per request (default 10)
set -uo pipefail

base="${1:-}"
if [ -z "$base" ] || [ "${base#http}" = "$base" ]; then
  echo "usage: scripts/smoke.sh BASE_URL   (e.g. https://qlibpro.fly.dev)" >&2
  exit 2
fi
base="${base%/}"
: "${SMOKE_EMAIL:?set SMOKE_EMAIL and SMOKE_PASSWORD to an account on the target}"
: "${SMOKE_PASSWORD:?set SMOKE_EMAIL and SMOKE_PASSWORD to an account on the target}"
symbol="${SMOKE_SYMBOL:-BHP}"
timeout="${SMOKE_TIMEOUT:-10}"
body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() { echo "smoke: FAIL $1" >&2; exit 1; }
ok() { echo "smoke: ok   $1"; }

# request NAME WANT_STATUS curl-args... — the body lands in $body.
request() {
  local name="$1" want="$2"
  shift 2
  local got
  got=$(curl -sS --max-time "$timeout" -o "$body" -w '%{http_code}' "$@" 2>&1) ||
    fail "$name: request failed: $got"
  [ "$got" = "$want" ] || fail "$name: HTTP $got, want $want: $(head -c 300 "$body")"
}

# field NAME — a top-level string or number field of the JSON body.
field() { jq -r --arg f "$1" '.[$f] // empty' "$body" 2>/dev/null; }

request "health" 200 "$base/api/health"
[ "$(field status)" = "ok" ] || fail "health: status is not ok: $(head -c 200 "$body")"
ok "health"

request "ready" 200 "$base/api/ready"
ok "ready (PostgreSQL, Redis, migrations)"

request "db health" 200 "$base/api/db/health"
[ "$(field status)" = "ok" ] || fail "db health: $(head -c 200 "$body")"
ok "db health ($(field round_trip_ms) ms)"

request "version" 200 "$base/api/version"
version=$(field version)
if [ -n "${SMOKE_VERSION:-}" ] && [ "$version" != "$SMOKE_VERSION" ]; then
  fail "version: the server reports $version, want $SMOKE_VERSION"
fi
ok "version $version ($(field region))"

request "home page" 200 "$base/"
grep -q 'data-testid="benchmark"' "$body" || fail "home page: no benchmark card in the page"
ok "home page"

request "sign in" 200 -X POST "$base/api/auth/login" -H 'Content-Type: application/json' \
  --data "$(jq -nc --arg e "$SMOKE_EMAIL" --arg p "$SMOKE_PASSWORD" '{email: $e, password: $p}')"
token=$(field access_token)
[ -n "$token" ] || fail "sign in: no access_token in the answer"
ok "sign in (token)"
auth=(-H "Authorization: Bearer $token")

request "quotes" 200 "${auth[@]}" "$base/api/market/quotes?symbols=$symbol"
jq -e --arg c "$symbol" '.quotes | map(select(.code == $c and .last > 0)) | length == 1' "$body" >/dev/null ||
  fail "quotes: no live quote for $symbol: $(head -c 200 "$body")"
ok "quotes ($symbol $(jq -r '.quotes[0].last' "$body"))"

request "portfolio" 200 "${auth[@]}" "$base/api/portfolio"
[ -n "$(jq -r '.total_value // empty' "$body")" ] || fail "portfolio: no total_value"
ok "portfolio (value $(jq -r '.total_value' "$body"))"

model="${SMOKE_MODEL:-}"
if [ -z "$model" ]; then
  request "models" 200 "${auth[@]}" "$base/api/v1/models"
  model=$(jq -r '[.models[] | select(.active)][0].name // empty' "$body")
  [ -n "$model" ] || fail "models: no active model to take signals from"
fi
request "signals" 200 "${auth[@]}" -X POST "$base/api/trading/signals" -H 'Content-Type: application/json' \
  --data "$(jq -nc --arg s "$symbol" --arg m "$model" '{symbol: $s, model: $m}')"
ok "signals ($model for $symbol)"

echo "smoke: all checks passed against $base"
