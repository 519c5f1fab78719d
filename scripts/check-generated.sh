#!/usr/bin/env bash
# check-generated.sh — regenerate templ and sqlc output and fail if anything
# differs from what is in the tree (generated code must be current and committed).
set -euo pipefail
cd "$(dirname "$0")/.."
snap=$(mktemp -d)
trap 'rm -rf "$snap"' EXIT
list() { { find views -name '*_templ.go'; find db -maxdepth 1 -name '*.go' ! -name 'pool.go'; } | sort; }
list | while read -r f; do mkdir -p "$snap/$(dirname "$f")"; cp "$f" "$snap/$f"; done
list >"$snap/.before"
out=$(go tool templ generate -path views 2>&1) || { echo "$out" >&2; exit 1; }
CGO_ENABLED=0 go tool -modfile=tools/go.mod sqlc generate
list >"$snap/.after"
status=0
if ! diff -u "$snap/.before" "$snap/.after"; then
  echo "check-generated: the set of generated files changed (see above)" >&2; status=1
fi
while read -r f; do
  if ! cmp -s "$f" "$snap/$f" 2>/dev/null; then
    echo "check-generated: $f is stale; run 'make generate' and commit it" >&2
    diff -u "$snap/$f" "$f" | head -20 >&2 || true
    status=1
  fi
done <"$snap/.after"
[ $status -eq 0 ] && echo "generated code is current"
exit $status
