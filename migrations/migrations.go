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

// goMigrations are registered explicitly (no goose global registry). Both
// TimescaleDB steps share one decision t, made when the first of them runs.
func goMigrations(t *timescale) []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(3,
			&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
				level, err := t.levelFor(ctx, db)
				if err != nil || level == Plain {
					return err
				}
				return hypertable(ctx, db, "daily_bars", "date", "365 days")
			}},
			&goose.GoFunc{RunDB: keepHypertable},
		),
		goose.NewGoMigration(6,
			&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
				level, err := t.levelFor(ctx, db)
				if err != nil {
					return err
				}
				return timescaleMarket(ctx, db, level)
			}},
			&goose.GoFunc{RunDB: timescaleMarketDown},
		),
	}
}

// Option configures NewProvider.
type Option func(*timescale)

// WithTimescaleLog sends the one line that says how much of TimescaleDB the
// migrations use (and why not more) to log at Info.
func WithTimescaleLog(log *slog.Logger) Option {
	return func(t *timescale) { t.notify = func(msg string) { log.Info(msg) } }
}

// WithTimescaleCaps replaces the detection of the server's TimescaleDB
// capabilities (tests that exercise a fallback the server cannot show).
func WithTimescaleCaps(detect func(context.Context, *sql.DB) (TimescaleCaps, error)) Option {
	return func(t *timescale) { t.detect = detect }
}

// NewProvider returns a goose provider over the embedded migrations. Concurrent
// migrators (several machines starting at once) serialise on an advisory lock.
// log, when not nil, receives goose's own messages.
func NewProvider(db *sql.DB, log *slog.Logger, options ...Option) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	t := &timescale{detect: DetectTimescale}
	for _, o := range options {
		o(t)
	}
	opts := []goose.ProviderOption{
		goose.WithGoMigrations(goMigrations(t)...),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
	}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	return goose.NewProvider(goose.DialectPostgres, db, sqlFiles, opts...)
}

// hypertable turns table into a TimescaleDB hypertable partitioned on column
// (the caller has checked that hypertables are usable and the extension
// exists).
func hypertable(ctx context.Context, db execer, table, column, chunk string) error {
	_, err := db.ExecContext(ctx,
		`SELECT create_hypertable($1::regclass, $2::name, chunk_time_interval => $3::interval,
		        migrate_data => true, if_not_exists => true)`,
		table, column, chunk)
	return err
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
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
	for _, m := range goMigrations(&timescale{}) {
		fmt.Fprintf(h, "go %d\n", m.Version)
	}
	return hex.EncodeToString(h.Sum(nil))
}
