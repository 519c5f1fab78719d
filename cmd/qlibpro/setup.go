package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/migrations"
)

// loadConfig reads the environment; a bad variable is a usage error (exit 2).
func loadConfig(e env) (config.Config, error) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		return cfg, &usageError{msg: "configuration:\n  " + strings.ReplaceAll(err.Error(), "\n", "\n  ")}
	}
	return cfg, nil
}

// newLogger builds the process logger: JSON in production, text otherwise.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// withPool loads the configuration, opens the database pool, runs fn and
// closes the pool: the frame of every command that only needs PostgreSQL.
func withPool(ctx context.Context, e env, fn func(config.Config, *pgxpool.Pool) error) error {
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	return fn(cfg, pool)
}

// withServices is withPool plus the logger and Redis: the frame of serve and feed.
func withServices(ctx context.Context, e env, fn func(config.Config, *slog.Logger, *pgxpool.Pool, *redis.Client) error) error {
	return withPool(ctx, e, func(cfg config.Config, pool *pgxpool.Pool) error {
		rdb, err := openRedis(ctx, cfg)
		if err != nil {
			return err
		}
		defer rdb.Close()
		return fn(cfg, newLogger(cfg, e.stderr), pool, rdb)
	})
}

func openPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	return db.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
}

func openRedis(ctx context.Context, cfg config.Config) (*redis.Client, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.PoolSize = 50
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to Redis: %w", err)
	}
	return rdb, nil
}

// pendingMigrations returns a check that the schema is current, for /api/ready.
func pendingMigrations(pool *pgxpool.Pool) (func(context.Context) (bool, error), error) {
	p, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
	if err != nil {
		return nil, err
	}
	return p.HasPending, nil
}

// newMailer sends through SMTP_HOST, or, without it (development), writes
// each message to the log with a clear label.
func newMailer(cfg config.Config, log *slog.Logger) auth.Mailer {
	if cfg.SMTPHost == "" {
		log.Warn("SMTP_HOST is unset: e-mails are written to this log instead of being sent")
		return notify.LogMailer{Log: log}
	}
	return notify.NewSMTPMailer(notify.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.FromEmail})
}
