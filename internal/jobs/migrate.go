package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/qlibpro/qlibpro/db"
)

// Migrate brings river's tables up to date. River's migrations cannot run
// inside one transaction (a new enum value is used by the next statement),
// so they are not goose migrations; instead every machine runs them at
// start-up, one at a time under a PostgreSQL advisory lock, and whoever
// comes second finds nothing left to do.
//
// The migrator works through the pool, so a machine waiting for the lock
// must not sit on a pooled connection meanwhile: it tries the lock and, when
// another holds it, gives the connection back and tries again shortly.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conn, err := lockMigrations(ctx, pool)
	if err != nil {
		return err
	}
	defer conn.Release()
	defer db.New(conn).UnlockJobMigrations(context.WithoutCancel(ctx))

	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("river migration applied", slog.Int("version", v.Version), slog.String("name", v.Name))
	}
	return nil
}

// lockMigrations returns a connection holding the migration lock.
func lockMigrations(ctx context.Context, pool *pgxpool.Pool) (*pgxpool.Conn, error) {
	wait := 20 * time.Millisecond
	for {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		ok, err := db.New(conn).TryLockJobMigrations(ctx)
		if err == nil && ok {
			return conn, nil
		}
		conn.Release()
		if err != nil {
			return nil, fmt.Errorf("lock river migrations: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
