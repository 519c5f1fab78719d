#!/usr/bin/env bash
# rollback.sh [RELEASE] — redeploy an earlier release of the Fly app and
# verify that the app reports it.
#
#   RELEASE  a Fly release number (v41 or 41), an image reference
#            (ghcr.io/…/qlibpro:<version>), or nothing: the release before
#            the current one.
#   APP               Fly app (default: app in fly.toml)
#   ROLLBACK_URL      where to check /api/version (default https://$APP.fly.dev)
#   ROLLBACK_TIMEOUT  seconds to wait for the version to show (default 300)
#
# Images are tagged with the version they report at /api/version (CI builds
# them so), so the tag is what the app must report afterwards. Safe because
# every release's migrations stay compatible with the release before it
# (docs/operations.md, "Migrations"): rolling back code never needs a schema
# rollback.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "rollback: $*" >&2; exit 1; }
target="${1:-}"
app="${APP:-$(sed -n 's/^app = "\(.*\)"/\1/p' fly.toml)}"
[ -n "$app" ] || die "no APP and no app in fly.toml"
url="${ROLLBACK_URL:-https://$app.fly.dev}"
timeout="${ROLLBACK_TIMEOUT:-300}"

# Complete releases, newest first.
releases=$(flyctl releases --app "$app" --json) || die "flyctl releases failed"
complete=$(jq -c '[.[] | select(.Status == "complete")] | sort_by(.Version) | reverse' <<<"$releases") ||
  die "flyctl releases: not the JSON expected"

case "$target" in
  "")
    image=$(jq -r '.[1].ImageRef // empty' <<<"$complete")
    [ -n "$image" ] || die "no earlier complete release of $app to go back to" ;;
  v[0-9]* | [0-9]*)
    n="${target#v}"
    image=$(jq -r --argjson n "$n" '[.[] | select(.Version == $n)][0].ImageRef // empty' <<<"$complete")
    [ -n "$image" ] || die "release v$n of $app is not a complete release" ;;
  *:*) image="$target" ;;
  *) die "RELEASE must be a release number (v41) or an image reference (…/qlibpro:<version>), got $target" ;;
esac
want="${image##*:}"

echo "rollback: deploying $image to $app"
flyctl deploy --app "$app" --image "$image" --strategy bluegreen --wait-timeout 10m ||
  die "flyctl deploy of $image failed"

deadline=$((SECONDS + timeout))
while :; do
  got=$(curl -fsS --max-time 10 "$url/api/version" 2>/dev/null | jq -r '.version // empty' 2>/dev/null || true)
  if [ "$got" = "$want" ]; then
    echo "rollback: $app reports version $got"
    exit 0
  fi
  [ $SECONDS -lt $deadline ] || die "$url/api/version reports '${got:-nothing}' after ${timeout}s, want $want"
  sleep 2
done
