package migrations_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/migrations"
)

// These tests need a real TimescaleDB (TIMESCALE_TEST_URL, a superuser on a
// server with timescaledb preloaded); without it they skip with
// testenv.TimescaleNote, which make test also prints.

// TestTimescaleRoundTrip (F4): full TimescaleDB up; down to 5 keeps the bars
// as a table and removes the policies; up again adds each policy once and
// the bars come back; down to 0 and up work.
func TestTimescaleRoundTrip(t *testing.T) {
	db := mustOpen(t, testenv.TimescaleDBURL(t))
	ctx := t.Context()
	lines := mustUp(t, db, nil)
	if len(lines) != 1 || !strings.Contains(lines[0], "continuous aggregate") {
		t.Fatalf("log lines %q, want one saying full TimescaleDB", lines)
	}
	if got := relkind(t, db, "bars_1m"); got != "v" {
		t.Fatalf("bars_1m relkind %q, want the continuous aggregate's view", got)
	}
	wantPolicies := "policy_compression,policy_refresh_continuous_aggregate,policy_retention"
	if got := policies(t, db); got != wantPolicies {
		t.Fatalf("policies %q, want %q", got, wantPolicies)
	}
	if _, err := db.Exec(`INSERT INTO ticks (time, code, price, size, seq) VALUES
		(now() - interval '3 days', 'BHP', 10, 1, 2), (now() - interval '3 days', 'BHP', 11, 1, 1),
		(now() - interval '10 minutes', 'BHP', 12, 5, 3)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CALL refresh_continuous_aggregate('bars_1m', NULL, now() - interval '1 minute')`); err != nil {
		t.Fatal(err)
	}
	bars := barsDump(t, db)
	p, err := migrations.NewProvider(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 5); err != nil {
		t.Fatalf("down to 5: %v", err)
	}
	if got := relkind(t, db, "bars_1m"); got != "r" {
		t.Fatalf("bars_1m relkind %q at version 5, want a table", got)
	}
	if got := barsDump(t, db); got != bars {
		t.Errorf("bars at version 5:\n%s\nwant the aggregate's:\n%s", got, bars)
	}
	if got := policies(t, db); got != "" {
		t.Errorf("policies left at version 5: %q", got)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := policies(t, db); got != wantPolicies {
		t.Errorf("policies after up again %q, want %q", got, wantPolicies)
	}
	if got := barsDump(t, db); got != bars {
		t.Errorf("bars after up again:\n%s\nwant:\n%s", got, bars)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up from 0: %v", err)
	}
}

// TestTimescaleApacheLicense: an Apache-licensed TimescaleDB gets hypertables
// only (bars_1m stays a table for the roll-up) and goes down to 0 and up.
// The license is a server setting, so the server's capabilities are read
// and only the license is changed.
func TestTimescaleApacheLicense(t *testing.T) {
	db := mustOpen(t, testenv.TimescaleDBURL(t))
	apache := func(ctx context.Context, db *sql.DB) (migrations.TimescaleCaps, error) {
		c, err := migrations.DetectTimescale(ctx, db)
		c.License = "apache"
		return c, err
	}
	lines := mustUp(t, db, apache)
	if len(lines) != 1 || !strings.Contains(lines[0], "hypertables only") {
		t.Fatalf("log lines %q, want one saying hypertables only", lines)
	}
	if got := relkind(t, db, "bars_1m"); got != "r" {
		t.Errorf("bars_1m relkind %q, want a table", got)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name IN ('ticks', 'daily_bars') AND NOT compression_enabled`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d uncompressed hypertables (%v), want ticks and daily_bars", n, err)
	}
	if got := policies(t, db); got != "" {
		t.Errorf("policies %q under the Apache license", got)
	}
	p, err := migrations.NewProvider(db, nil, migrations.WithTimescaleCaps(apache))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

// TestTimescaleRoleMayNotCreate (F5): a role without CREATE on the database
// cannot create the extension: migrate up falls back to plain PostgreSQL
// with one line and creates nothing of TimescaleDB.
func TestTimescaleRoleMayNotCreate(t *testing.T) {
	dbURL := testenv.TimescaleDBURL(t)
	admin := mustOpen(t, dbURL)
	role := "qlibpro_ts_noext"
	for _, stmt := range []string{
		`DROP ROLE IF EXISTS ` + role,
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'noext'`,
		`REVOKE CREATE ON DATABASE ` + dbName(t, dbURL) + ` FROM PUBLIC`,
		`GRANT CREATE ON SCHEMA public TO ` + role,
	} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	u, _ := url.Parse(dbURL)
	u.User = url.UserPassword(role, "noext")
	db := mustOpen(t, u.String())
	t.Cleanup(func() {
		db.Close()
		_, _ = admin.Exec(`DROP OWNED BY ` + role)
		_, _ = admin.Exec(`DROP ROLE IF EXISTS ` + role)
	})
	lines := mustUp(t, db, nil)
	if len(lines) != 1 || !strings.Contains(lines[0], "may not create") || !strings.Contains(lines[0], "using plain PostgreSQL") {
		t.Fatalf("log lines %q, want one saying the role may not create it", lines)
	}
	var ext bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')`).Scan(&ext); err != nil || ext {
		t.Errorf("extension created (%v)", err)
	}
	if got := relkind(t, db, "bars_1m"); got != "r" {
		t.Errorf("bars_1m relkind %q, want a table", got)
	}
}

func dbName(t *testing.T, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func policies(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT coalesce(string_agg(proc_name, ',' ORDER BY proc_name), '') FROM timescaledb_information.jobs
		WHERE hypertable_name IN ('ticks', 'bars_1m') OR proc_name = 'policy_refresh_continuous_aggregate'`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func barsDump(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT coalesce(string_agg(concat_ws(' ', code, time, open, high, low, close, volume, trades), E'\n' ORDER BY code, time), '') FROM bars_1m`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
