#!/usr/bin/env bash
# build.sh OUT — build the qlibpro binary. The Makefile and the Dockerfile both
# call this, so the two builds are the same by construction.
set -euo pipefail
out="${1:-bin/qlibpro}"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
commit="${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}"
built="${BUILD_TIME:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
pkg=github.com/qlibpro/qlibpro/internal/buildinfo
CGO_ENABLED=1 go build -trimpath \
  -ldflags "-s -w -X $pkg.Version=$version -X $pkg.Commit=$commit -X $pkg.BuildTime=$built" \
  -o "$out" ./cmd/qlibpro
