package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const defaultDatabaseURL = "postgres://qlibpro:qlibpro@localhost:5432/qlibpro?sslmode=disable" // #nosec G101 -- the local test cluster's published default, not a secret

// templatePrefix names template databases; TemplateDB drops those of other
// versions, so there is one kind of template (testdb's).
const templatePrefix = "qlibpro_tmpl_"

// DatabaseURL is the server tests create their databases on.
func DatabaseURL() string {
	if v := os.Getenv("DATABASE_URL"); v != "" {
		return v
	}
	return defaultDatabaseURL
}

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

// EmptyDBURL creates a fresh empty database and returns its URL. The database
// is dropped when the test ends.
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

// URLOf returns the connection URL of the database pool is connected to.
func URLOf(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	return withDatabase(tb, pool.Config().ConnConfig.Database)
}

var templateOnce sync.Map // template name → *sync.Once within this process

// TemplateDB returns a pool on a fresh database cloned from the template of
// version, dropped when the test ends. Cloning takes a fraction of a second
// where filling a database (migrating, seeding) takes many, and gives every
// test its own state. The first test of any process to ask for a version
// builds its template: build fills an empty database, under an advisory lock
// (go test runs packages in parallel processes); templates of other versions
// are then dropped. version must change whenever what build does changes.
func TemplateDB(tb testing.TB, version string, build func(ctx context.Context, pool *pgxpool.Pool) error) *pgxpool.Pool {
	tb.Helper()
	name := templatePrefix + version
	onceAny, _ := templateOnce.LoadOrStore(name, &sync.Once{})
	var buildErr error
	onceAny.(*sync.Once).Do(func() { buildErr = buildTemplate(tb, name, build) })
	if buildErr != nil {
		templateOnce.Delete(name)
		tb.Fatalf("testenv: build template: %v", buildErr)
	}
	return clone(tb, name)
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

// buildTemplate builds template name with build unless another process
// already has.
func buildTemplate(tb testing.TB, name string, build func(context.Context, *pgxpool.Pool) error) error {
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
	err = build(ctx, pool)
	pool.Close()
	if err != nil {
		return err
	}
	// Templates of earlier versions are no longer needed once they have not
	// been built for a while: another checkout on the same server (a second
	// worktree, an older branch) may still be cloning its own. Each template
	// records when it was built in its comment.
	rows, _ := admin.Query(ctx, `SELECT d.datname FROM pg_database d
		LEFT JOIN pg_shdescription c ON c.objoid = d.oid AND c.classoid = 'pg_database'::regclass
		WHERE d.datname LIKE '`+templatePrefix+`%' AND d.datname <> $1
		  AND coalesce(to_timestamp(nullif(substring(c.description FROM '^built ([0-9]+)$'), '')::bigint), 'epoch') < now() - interval '6 hours'`, building)
	olds, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, old := range olds {
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{old}.Sanitize()+" IS_TEMPLATE false")
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{old}.Sanitize())
	}
	for _, stmt := range []string{
		"ALTER DATABASE " + building + " RENAME TO " + name,
		"ALTER DATABASE " + name + " IS_TEMPLATE true",
		"COMMENT ON DATABASE " + name + " IS 'built " + strconv.FormatInt(time.Now().Unix(), 10) + "'",
	} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
