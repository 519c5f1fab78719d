package migrations_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/migrations"
)

// TestTimescalePlan: each partial TimescaleDB falls back as far as it must,
// and says why in its line.
func TestTimescalePlan(t *testing.T) {
	full := migrations.TimescaleCaps{Available: true, Installed: false, Preloaded: true, CanCreate: true, License: "timescale"}
	with := func(f func(*migrations.TimescaleCaps)) migrations.TimescaleCaps { c := full; f(&c); return c }
	for _, tc := range []struct {
		name string
		caps migrations.TimescaleCaps
		want migrations.TimescaleLevel
		says string
	}{
		{"NotInstalled", migrations.TimescaleCaps{}, migrations.Plain, "not installed on this server"},
		{"NotPreloaded", with(func(c *migrations.TimescaleCaps) { c.Preloaded = false }), migrations.Plain, "not in shared_preload_libraries"},
		{"CreatedButNotPreloaded", with(func(c *migrations.TimescaleCaps) { c.Installed, c.Preloaded = true, false }), migrations.Plain, "not in shared_preload_libraries"},
		{"RoleMayNotCreate", with(func(c *migrations.TimescaleCaps) { c.CanCreate = false }), migrations.Plain, "may not create the extension"},
		{"RoleMayNotCreateButItExists", with(func(c *migrations.TimescaleCaps) { c.CanCreate, c.Installed = false, true }), migrations.Full, "continuous aggregate"},
		{"Apache", with(func(c *migrations.TimescaleCaps) { c.License = "apache" }), migrations.Hypertables, "Apache-licensed"},
		{"Full", full, migrations.Full, "compression, retention"},
		{"LicenseUnknownBeforeCreate", with(func(c *migrations.TimescaleCaps) { c.License = "" }), migrations.Full, "continuous aggregate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.caps.Plan()
			if got != tc.want || !strings.Contains(why, tc.says) {
				t.Errorf("Plan() = %v, %q; want %v, containing %q", got, why, tc.want, tc.says)
			}
			if got == migrations.Plain && !strings.Contains(why, "using plain PostgreSQL") {
				t.Errorf("fallback line %q does not say it uses plain PostgreSQL", why)
			}
		})
	}
}

// TestDetectTimescale reads this server's capabilities: whatever they are,
// migrate up logs exactly the one line that Plan gives for them, and bars_1m
// is a table unless TimescaleDB is fully usable.
func TestDetectTimescale(t *testing.T) {
	db := mustOpen(t, testenv.EmptyDBURL(t))
	caps, err := migrations.DetectTimescale(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	var super bool
	if err := db.QueryRow(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if super && !caps.CanCreate {
		t.Errorf("superuser role: CanCreate = false")
	}
	level, why := caps.Plan()
	lines := mustUp(t, db, nil)
	if len(lines) != 1 || lines[0] != why {
		t.Errorf("log lines %q, want exactly %q", lines, why)
	}
	wantKind := "r"
	if level == migrations.Full {
		wantKind = "v"
	}
	if got := relkind(t, db, "bars_1m"); got != wantKind {
		t.Errorf("bars_1m relkind %q, want %q (level %v)", got, wantKind, level)
	}
}

// TestTimescaleFallbacks: a server whose TimescaleDB is installed but not
// preloaded, or that the role may not create, migrates as plain PostgreSQL
// with one line saying so (the capabilities are given, as this server has no
// TimescaleDB to show them).
func TestTimescaleFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps migrations.TimescaleCaps
		says string
	}{
		{"NotPreloaded", migrations.TimescaleCaps{Available: true, CanCreate: true}, "not in shared_preload_libraries"},
		{"RoleMayNotCreate", migrations.TimescaleCaps{Available: true, Preloaded: true}, "may not create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t, testenv.EmptyDBURL(t))
			lines := mustUp(t, db, func(context.Context, *sql.DB) (migrations.TimescaleCaps, error) { return tc.caps, nil })
			if len(lines) != 1 || !strings.Contains(lines[0], tc.says) || !strings.Contains(lines[0], "using plain PostgreSQL") {
				t.Fatalf("log lines %q, want one saying %q and plain PostgreSQL", lines, tc.says)
			}
			if got := relkind(t, db, "bars_1m"); got != "r" {
				t.Errorf("bars_1m relkind %q, want a table", got)
			}
			var ext bool
			if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')`).Scan(&ext); err != nil || ext {
				t.Errorf("timescaledb extension created on fallback (%v)", err)
			}
		})
	}
}

// TestTimescaleCreateFailsCleanly: when capabilities promise TimescaleDB and
// CREATE EXTENSION still fails, migrate up stops before the first TimescaleDB
// step with the reason, leaving the versions below it applied and nothing
// else.
func TestTimescaleCreateFailsCleanly(t *testing.T) {
	db := mustOpen(t, testenv.EmptyDBURL(t))
	if caps, err := migrations.DetectTimescale(t.Context(), db); err != nil || caps.Available {
		t.Skipf("this server has TimescaleDB (%v): CREATE EXTENSION would not fail", err)
	}
	p, err := migrations.NewProvider(db, nil, migrations.WithTimescaleCaps(func(context.Context, *sql.DB) (migrations.TimescaleCaps, error) {
		return migrations.TimescaleCaps{Available: true, Preloaded: true, CanCreate: true}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(t.Context())
	if err == nil || !strings.Contains(err.Error(), "create extension timescaledb") {
		t.Fatalf("up error = %v, want create extension timescaledb", err)
	}
	if v, _ := p.GetDBVersion(t.Context()); v != 2 {
		t.Errorf("version after failed up = %d, want 2", v)
	}
}

func mustOpen(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustUp migrates db up and returns the TimescaleDB lines it logged.
func mustUp(t *testing.T, db *sql.DB, detect func(context.Context, *sql.DB) (migrations.TimescaleCaps, error)) []string {
	t.Helper()
	var buf bytes.Buffer
	opts := []migrations.Option{migrations.WithTimescaleLog(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key != slog.MessageKey {
				return slog.Attr{}
			}
			return a
		},
	})))}
	if detect != nil {
		opts = append(opts, migrations.WithTimescaleCaps(detect))
	}
	p, err := migrations.NewProvider(db, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l != "" {
			lines = append(lines, strings.TrimSuffix(strings.TrimPrefix(l, `msg="`), `"`))
		}
	}
	return lines
}

func relkind(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var kind sql.NullString
	err := db.QueryRow(`SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)`, name).Scan(&kind)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return kind.String
}
