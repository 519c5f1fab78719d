#!/bin/sh
# render.sh TEMPLATE OUT — replace every ${NAME} in TEMPLATE with the environment variable NAME.
# A variable that is unset or empty is an error (no config with an empty e-mail address or URL).
# Templates put each ${NAME} in YAML single quotes; a ' in a value is doubled to stay inside them.
# POSIX sh and sed only: it runs in the busybox of the prom/* images (docker-compose.yml).
set -eu
in="$1"; out="$2"
script=""
for name in $(grep -o '\${[A-Z_][A-Z0-9_]*}' "$in" | sort -u | sed 's/^\${//; s/}$//'); do
  value="$(printenv "$name" || true)"
  if [ -z "$value" ]; then echo "render.sh: $name is not set (needed by $in)" >&2; exit 1; fi
  # Double ' for YAML; escape what sed's replacement would interpret: \ & and the | delimiter.
  value="$(printf '%s' "$value" | sed "s/'/''/g" | sed 's/[\\&|]/\\&/g')"
  script="${script}s|\${${name}}|${value}|g;"
done
sed "$script" "$in" >"$out.tmp" && mv "$out.tmp" "$out"
