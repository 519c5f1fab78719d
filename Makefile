# Qlib Pro. The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

BIN := bin/qlibpro

.PHONY: run test fuzz stop services services-test build generate check-generated assets vet unit bench clean

## run: install what is missing, start PostgreSQL and Redis if needed, migrate, seed, train a first
## model if none exists, serve on :8080 with the simulated live feed
run: services build
	$(BIN) migrate up
	$(BIN) seed --demo-user --simulate-to today
	$(BIN) quant bootstrap
	$(BIN) serve

## test: the same bootstrap, then vet, every test (race detector, real services, Chromium), generated-code check
test: services-test lint-workflows
	@$(TIMESCALE_NOTE)
	go vet ./...
	go test -race -count=1 -timeout 20m ./...
	scripts/check-generated.sh
	@$(TIMESCALE_NOTE)

# TimescaleDB is not packaged for Debian 12: its tests skip unless TIMESCALE_TEST_URL is set. Say so.
TIMESCALE_NOTE := [ -n "$${TIMESCALE_TEST_URL:-}" ] && echo "TimescaleDB tests run against TIMESCALE_TEST_URL" || \
	echo "NOTE: the TimescaleDB tests (migrations, internal/market/feed) were SKIPPED: they need TIMESCALE_TEST_URL; scripts/timescale.sh build && scripts/timescale.sh up gives one (docs/timescaledb.md)"

LINT := go tool -modfile=tools/lint/go.mod

## lint-workflows: check the GitHub Actions workflows (they cannot run here)
lint-workflows:
	$(LINT) actionlint

## lint: security scans, as CI runs them: actionlint, gosec, govulncheck (needs vuln.go.dev)
lint: lint-workflows
	$(LINT) gosec -quiet -exclude-generated -exclude=G104,G115,G404,G602 ./...
	$(LINT) govulncheck ./...

## coverage: every test with coverage; fails below .ci/coverage-threshold (which may only go up)
coverage: services-test
	scripts/coverage.sh

## fuzz: run every Go fuzz target for FUZZTIME each (default 10s), one after the other; a failing
## input stops the run and stays in the package's testdata/fuzz/ as a regression test (no services needed)
fuzz:
	scripts/fuzz.sh

## stop: stop only the PostgreSQL and Redis that `make run`/`make test` started
stop:
	scripts/services.sh down

services:
	scripts/services.sh up

services-test:
	scripts/services.sh up --test

build:
	scripts/build.sh $(BIN)

## generate: regenerate templ views and sqlc queries (commit the result)
generate:
	go tool templ generate -path views
	CGO_ENABLED=0 go tool -modfile=tools/go.mod sqlc generate

check-generated:
	scripts/check-generated.sh

## assets: vendor htmx and lightweight-charts from the pinned npm versions
assets:
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js static/vendor/lightweight-charts.standalone.production.js

## bench: the Go benchmarks (numbers in docs/benchmarks.md)
bench: services
	go test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
