// Package migrations holds Qlib Pro's goose migrations, embedded in the binary:
// SQL files for the schema and Go migrations for the TimescaleDB steps that must
// run outside a transaction and only where the extension exists.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var sqlFiles embed.FS

// goMigrations are registered explicitly (no goose global registry).
var goMigrations = []*goose.Migration{
	goose.NewGoMigration(3,
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			return hypertable(ctx, db, "daily_bars", "date", "365 days")
		}},
		&goose.GoFunc{RunDB: keepHypertable},
	),
	goose.NewGoMigration(6, &goose.GoFunc{RunDB: timescaleMarket}, &goose.GoFunc{RunDB: timescaleMarketDown}),
}

// NewProvider returns a goose provider over the embedded migrations. Concurrent
// migrators (several machines starting at once) serialise on an advisory lock.
func NewProvider(db *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithGoMigrations(goMigrations...),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	return goose.NewProvider(goose.DialectPostgres, db, sqlFiles, opts...)
}

// TimescaleAvailable reports whether the server can install TimescaleDB.
func TimescaleAvailable(ctx context.Context, db *sql.DB) (bool, error) {
	var ok bool
	err := db.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')`).Scan(&ok)
	return ok, err
}

// hypertable turns table into a TimescaleDB hypertable partitioned on column
// when the extension is available; on plain PostgreSQL it does nothing, and the
// table stays an ordinary table with the same columns and keys.
func hypertable(ctx context.Context, db *sql.DB, table, column, chunk string) error {
	ok, err := TimescaleAvailable(ctx, db)
	if err != nil || !ok {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS timescaledb`); err != nil {
		return fmt.Errorf("timescaledb is available but cannot be created (is it in shared_preload_libraries?): %w", err)
	}
	_, err = db.ExecContext(ctx,
		`SELECT create_hypertable($1::regclass, $2::name, chunk_time_interval => $3::interval,
		        migrate_data => true, if_not_exists => true)`,
		table, column, chunk)
	return err
}

// keepHypertable is the Down of a hypertable step. A hypertable is a valid
// table for the schema of the previous version (same columns, keys and
// indexes), and the table's own Down migration drops it, so going down needs no
// conversion back; doing it would copy every row for nothing.
func keepHypertable(context.Context, *sql.DB) error { return nil }

// Fingerprint identifies this binary's migrations (the embedded SQL and the
// versions of the Go migrations), e.g. to name a test template database.
func Fingerprint() string {
	h := sha256.New()
	_ = fs.WalkDir(sqlFiles, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := sqlFiles.ReadFile(p)
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return err
	})
	for _, m := range goMigrations {
		fmt.Fprintf(h, "go %d\n", m.Version)
	}
	return hex.EncodeToString(h.Sum(nil))
}
