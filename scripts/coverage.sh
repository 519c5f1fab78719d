#!/usr/bin/env bash
# coverage.sh — run every test with coverage of the whole module and fail when
# the total is below .ci/coverage-threshold. The threshold may only go up:
# with COVERAGE_BASE (a git ref, e.g. origin/main) it must not be lower than
# the base's. Raise it when coverage rises (the script says by how much).
set -euo pipefail
cd "$(dirname "$0")/.."
threshold=$(tr -d ' \n' <.ci/coverage-threshold)
if [ -n "${COVERAGE_BASE:-}" ]; then
  base=$(git show "$COVERAGE_BASE:.ci/coverage-threshold" 2>/dev/null | tr -d ' \n' || true)
  if [ -n "$base" ] && awk -v a="$threshold" -v b="$base" 'BEGIN { exit !(a < b) }'; then
    echo "coverage: .ci/coverage-threshold went down from $base to $threshold; it may only go up" >&2
    exit 1
  fi
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go test -count=1 -timeout 30m -coverpkg=./... -coverprofile=coverage.out ./... >"$log" 2>&1; then
  grep -v '^ok\|no test files' "$log" | tail -60 >&2
  echo "coverage: the tests failed" >&2
  exit 1
fi
go tool cover -func=coverage.out >coverage.txt
total=$(awk '/^total:/ { sub("%", "", $3); print $3 }' coverage.txt)
echo "coverage: total $total% (threshold $threshold%)"
if awk -v t="$total" -v h="$threshold" 'BEGIN { exit !(t < h) }'; then
  echo "coverage: $total% is below the threshold $threshold%" >&2
  exit 1
fi
if awk -v t="$total" -v h="$threshold" 'BEGIN { exit !(t >= h + 1) }'; then
  echo "coverage: $total% is a point or more above the threshold: raise .ci/coverage-threshold to $(awk -v t="$total" 'BEGIN { printf "%.1f", int(t * 10) / 10 }')"
fi
