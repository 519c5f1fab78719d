// Package testenv gives tests real PostgreSQL and Redis: each test database is
// cloned from a template that is migrated and seeded with the real ASX data
// once per schema version, so packages run in parallel without sharing state.
// It reads DATABASE_URL and REDIS_URL like the application (make test starts
// both); a test that cannot reach them fails — it is never skipped.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/testredis"
	"github.com/qlibpro/qlibpro/migrations"
)

const (
	defaultDatabaseURL = "postgres://qlibpro:qlibpro@localhost:5432/qlibpro?sslmode=disable"
)

// DatabaseURL is the server tests create their databases on.
func DatabaseURL() string {
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v
	}
	return defaultDatabaseURL
}

// RedisURL is the Redis tests use (with a unique key prefix each).
func RedisURL() string { return testredis.URL() }

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

// withDatabase returns the server URL pointing at database name.
func withDatabase(tb testing.TB, name string) string {
	tb.Helper()
	u, err := url.Parse(DatabaseURL())
	if err != nil {
		tb.Fatalf("testenv: DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var templateOnce sync.Map // template name → *sync.Once within this process

// DB returns a pool on a fresh database holding the migrated schema and the real
// ASX seed data. The database is dropped when the test ends.
func DB(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return clone(tb, ensureTemplate(tb))
}

// EmptyDBURL creates a fresh empty database and returns its URL.
func EmptyDBURL(tb testing.TB) string {
	tb.Helper()
	name := "qlibpro_t_" + randomSuffix()
	admin := adminConn(tb)
	defer admin.Close(context.Background())
	if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		tb.Fatalf("testenv: create database: %v", err)
	}
	tb.Cleanup(func() { dropDatabase(tb, name) })
	return withDatabase(tb, name)
}

func clone(tb testing.TB, template string) *pgxpool.Pool {
	tb.Helper()
	ctx := context.Background()
	name := "qlibpro_t_" + randomSuffix()
	admin := adminConn(tb)
	_, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize()))
	admin.Close(ctx)
	if err != nil {
		tb.Fatalf("testenv: create database from %s: %v", template, err)
	}
	pool, err := pgxpool.New(ctx, withDatabase(tb, name))
	if err != nil {
		tb.Fatalf("testenv: connect: %v", err)
	}
	tb.Cleanup(func() {
		pool.Close()
		dropDatabase(tb, name)
	})
	return pool
}

// URLOf returns the connection URL of the database pool is connected to.
func URLOf(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	return withDatabase(tb, pool.Config().ConnConfig.Database)
}

// dropDatabase drops a test database. An autovacuum worker may still be in
// it (the role cannot terminate it without pg_signal_backend): retry briefly.
func dropDatabase(tb testing.TB, name string) {
	admin := adminConn(tb)
	defer admin.Close(context.Background())
	var err error
	for range 20 {
		if _, err = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	tb.Errorf("testenv: drop database %s: %v", name, err)
}

func adminConn(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, withDatabase(tb, "postgres"))
	if err != nil {
		tb.Fatalf("testenv: PostgreSQL at DATABASE_URL does not answer (make test starts it): %v", err)
	}
	return conn
}

// ensureTemplate returns the name of the template database for the current
// migrations and seed code, building it under an advisory lock if missing.
func ensureTemplate(tb testing.TB) string {
	tb.Helper()
	name := "qlibpro_tmpl_" + fingerprint(tb)
	onceAny, _ := templateOnce.LoadOrStore(name, &sync.Once{})
	var buildErr error
	onceAny.(*sync.Once).Do(func() { buildErr = buildTemplate(tb, name) })
	if buildErr != nil {
		templateOnce.Delete(name)
		tb.Fatalf("testenv: build template: %v", buildErr)
	}
	return name
}

func buildTemplate(tb testing.TB, name string) error {
	ctx := context.Background()
	admin := adminConn(tb)
	defer admin.Close(ctx)
	// Serialise template builds across test processes (go test runs packages in parallel).
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(8675309)"); err != nil {
		return err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(8675309)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := name + "_b"
	for _, stmt := range []string{
		"DROP DATABASE IF EXISTS " + building + " WITH (FORCE)",
		"CREATE DATABASE " + building + " TEMPLATE template0",
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	pool, err := pgxpool.New(ctx, withDatabase(tb, building))
	if err != nil {
		return err
	}
	err = func() error {
		defer pool.Close()
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
		if _, err := asxdata.Seed(ctx, pool, DataDir(tb)); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		_, err = pool.Exec(ctx, "VACUUM ANALYZE")
		return err
	}()
	if err != nil {
		return err
	}
	// Old templates of earlier schema versions are no longer needed.
	rows, _ := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'qlibpro_tmpl_%' AND datname <> $1", building)
	olds, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, old := range olds {
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{old}.Sanitize()+" IS_TEMPLATE false")
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{old}.Sanitize())
	}
	for _, stmt := range []string{
		"ALTER DATABASE " + building + " RENAME TO " + name,
		"ALTER DATABASE " + name + " IS_TEMPLATE true",
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// fingerprint hashes everything the template depends on: the migrations
// compiled into this test binary, the seed code and the shipped data's file
// list and sizes.
func fingerprint(tb testing.TB) string {
	tb.Helper()
	root := RepoRoot(tb)
	h := sha256.New()
	fmt.Fprintln(h, migrations.Fingerprint())
	var files []string
	for _, dir := range []string{"internal/asxdata", "internal/jobs", "data/asx"} {
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
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Redis returns a client and a unique key prefix; keys under the prefix are
// deleted when the test ends.
func Redis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	return testredis.New(tb)
}
