package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/server"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

const feedUsage = `Usage: qlibpro feed

Run the market feed alone, for a dedicated machine: compete for the feed
leadership (a PostgreSQL advisory lock; exactly one feed runs across all
machines, another takes over within seconds when the leader dies) and, while
leader, run FEED_PROVIDER, write tick batches with COPY, publish them on Redis,
keep one-minute bars current and finalise daily bars after the close (the
simulator's as source sim). Set FEED_ENABLED=false on the web machines when you use this.`

func cmdFeed(ctx context.Context, e env, args []string) error {
	fs := newFlags("feed")
	if err := parse(e, fs, feedUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "feed takes no arguments", usage: feedUsage + "\n"}
	}
	return withServices(ctx, e, func(cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client) error {
		cal := asx.DefaultCalendar()
		clock, err := feed.SharedClock(ctx, cfg.FeedProvider, pool, rdb, cfg.RedisPrefix+"demo_clock_start", cfg.FeedSpeed, cal,
			func(err error) { log.Error("simulated session clock", slog.String("error", err.Error())) })
		if err != nil {
			return err
		}
		log.Info("feed starting", slog.String("provider", cfg.FeedProvider))
		return server.NewFeed(cfg, pool, rdb, cal, clock, log, telemetry.New()).Run(ctx)
	})
}
