// Package testdb gives tests a fresh PostgreSQL database holding the
// application's migrated schema and the real ASX seed data, cloned from a
// template built once per schema version, so packages run in parallel
// without sharing state. It stands apart from internal/testenv, which does
// the cloning, because building the template imports the migrations, the job
// queue and the seeder — much of the domain — and testenv must stay
// importable from any package's in-package tests.
package testdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/migrations"
)

// New returns a pool on a fresh database holding the migrated schema and the
// real ASX seed data. The database is dropped when the test ends.
func New(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	dataDir := testenv.DataDir(tb)
	return testenv.TemplateDB(tb, fingerprint(tb), func(ctx context.Context, pool *pgxpool.Pool) error {
		p, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
		if err != nil {
			return err
		}
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := jobs.Migrate(ctx, pool, nil); err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		if _, err := asxdata.Seed(ctx, pool, dataDir); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if _, err := portfolio.SeedDividends(ctx, pool, filepath.Join(dataDir, portfolio.DividendFile)); err != nil {
			return fmt.Errorf("seed dividends: %w", err)
		}
		_, err = pool.Exec(ctx, "VACUUM ANALYZE")
		return err
	})
}

// QuantTables are the tables the quant pipeline and its jobs write in bulk.
var QuantTables = []string{"features", "signals", "model_daily_ic", "model_versions", "daily_bars", "job_progress"}

// QuietDB is New with autovacuum off on tables (see Quiet).
func QuietDB(tb testing.TB, tables ...string) *pgxpool.Pool {
	tb.Helper()
	pool := New(tb)
	Quiet(tb, pool, tables...)
	return pool
}

// Quiet turns autovacuum off on tables of pool's database, for tests that
// fill them in bulk: an autovacuum worker still running when the test ends
// belongs to the superuser, and testenv (not a superuser) could not end it to
// drop the database.
func Quiet(tb testing.TB, pool *pgxpool.Pool, tables ...string) {
	tb.Helper()
	for _, table := range tables {
		if _, err := pool.Exec(tb.Context(), "ALTER TABLE "+table+" SET (autovacuum_enabled = false)"); err != nil {
			tb.Fatalf("quiet %s: %v", table, err)
		}
	}
}

// fingerprint hashes everything the template depends on: the migrations
// compiled into this test binary, the seed code and the shipped data's file
// list and sizes.
func fingerprint(tb testing.TB) string {
	tb.Helper()
	root := testenv.RepoRoot(tb)
	h := sha256.New()
	fmt.Fprintln(h, migrations.Fingerprint())
	var files []string
	for _, dir := range []string{"internal/asxdata", "internal/corpaction", "internal/jobs", "data/asx", "internal/portfolio/dividends_csv.go", "internal/portfolio/dividends.go"} {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintln(h, strings.TrimPrefix(f, root))
		if strings.HasPrefix(f, filepath.Join(root, "data")) {
			if st, err := os.Stat(f); err == nil {
				fmt.Fprintln(h, st.Size())
			}
			continue
		}
		b, err := os.ReadFile(f) // #nosec G304 -- files of this repository, listed by the test itself
		if err != nil {
			tb.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
