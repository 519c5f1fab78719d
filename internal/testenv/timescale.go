package testenv

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TimescaleNote is the line a test needing TimescaleDB skips with when
// TIMESCALE_TEST_URL is unset; make test prints it too, so that a run without
// TimescaleDB says what it did not cover.
const TimescaleNote = "needs TIMESCALE_TEST_URL (a PostgreSQL server with TimescaleDB preloaded; TimescaleDB is not packaged for Debian 12: scripts/timescale.sh builds and starts one, docs/timescaledb.md)"

// TimescaleDBURL creates a fresh empty database on the server at
// TIMESCALE_TEST_URL (whose role may create databases and, normally, the
// extension) and returns its URL; the database is dropped when the test ends.
// Without TIMESCALE_TEST_URL the test is skipped with TimescaleNote.
func TimescaleDBURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("TIMESCALE_TEST_URL")
	if base == "" {
		tb.Skip(TimescaleNote)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("testenv: TIMESCALE_TEST_URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("testenv: TimescaleDB at TIMESCALE_TEST_URL does not answer: %v", err)
	}
	defer admin.Close(context.Background())
	name := "qlibpro_ts_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		tb.Fatalf("testenv: create database: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("testenv: drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv: drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
