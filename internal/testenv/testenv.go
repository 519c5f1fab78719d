// Package testenv gives tests the plain services the application runs on —
// real PostgreSQL, Redis, an SMTP server and a headless Chromium — and the
// literals tests are written in (dates, times, decimals). It reads
// DATABASE_URL and REDIS_URL like the application (make test starts both); a
// test that cannot reach them fails — it is never skipped. The one exception
// is TimescaleDB (TimescaleDBURL), which Debian 12 does not package: those
// tests skip with TimescaleNote unless TIMESCALE_TEST_URL is set, and make
// test prints that they did.
//
// testenv imports nothing of this module, so that any package's tests can use
// it, in-package tests (package asx, package hub …) included: an in-package
// test of X cannot import a package that imports X. What needs the domain is
// built on top of it: testdb (the migrated, seeded database) and testapp (the
// whole application).
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the directory holding go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("testenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// DataDir is the shipped real ASX data.
func DataDir(tb testing.TB) string { return filepath.Join(RepoRoot(tb), "data", "asx") }
