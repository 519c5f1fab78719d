// Package server assembles a Qlib Pro process from its configuration: the
// quote hub, the market feed runner, the account service and the HTTP
// application. cmd/qlibpro serves it; tests build the same thing.
package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/handlers"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/migrations"
	"github.com/qlibpro/qlibpro/static"
)

// Server is one assembled process.
type Server struct {
	App  *handlers.App
	Deps handlers.Deps
	Hub  *hub.Hub
	Feed *feed.Runner // nil when FEED_ENABLED=false
	// Matcher fills paper orders; every process feeds it ticks, the one
	// holding its advisory lock matches (see Start).
	Matcher *portfolio.Matcher
	Jobs    *jobs.Client
	Metrics *telemetry.Metrics
	wg      sync.WaitGroup
}

// Options are the parts a caller may supply instead of the defaults.
type Options struct {
	Mailer auth.Mailer
	Clock  provider.Clock // session clock; default: shared demo clock or the real clock
	// StreamsDone closes at shutdown so SSE streams end while ordinary
	// requests finish.
	StreamsDone <-chan struct{}
}

// QuotesChannel is the Redis channel of tick batches.
func QuotesChannel(cfg config.Config) string { return cfg.RedisPrefix + "quotes" }

// New builds the process: nothing runs until Start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client, opts Options) (*Server, error) {
	cal := asx.DefaultCalendar()
	clock := opts.Clock
	if clock == nil {
		var err error
		if clock, err = feed.SharedClock(ctx, cfg.FeedProvider, rdb, cfg.RedisPrefix+"demo_clock_start", cfg.FeedSpeed, cal); err != nil {
			return nil, err
		}
	}
	prov, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
	if err != nil {
		return nil, err
	}
	assets, err := static.New("/static")
	if err != nil {
		return nil, err
	}
	metrics := telemetry.New()
	metrics.WatchPool(pool)

	mkt := market.NewService(pool, cal)
	quotes, listings, err := mkt.SessionQuotes(ctx, time.Now())
	if err != nil {
		return nil, err
	}
	render := handlers.NewQuoteRenderer(listings)
	h := hub.New(rdb, QuotesChannel(cfg), render, hub.Options{
		SSEConnections: metrics.SSEConnections, MarketLatency: metrics.MarketLatency, Logger: log,
	})
	h.Seed(quotes)

	s := &Server{Hub: h, Metrics: metrics}
	// Paper trading: the matcher sees every tick batch this process's hub
	// receives; it matches only while it leads (Start).
	s.Matcher = portfolio.NewMatcher(portfolio.NewService(pool, h, clock, cal),
		portfolio.MatcherOptions{Gauge: metrics.PortfolioValue, Log: log})
	h.OnTicks(s.Matcher.Observe)
	if cfg.FeedEnabled {
		s.Feed = NewFeed(cfg, pool, rdb, cal, clock, log, metrics)
	}
	// Quant jobs (river): every process can insert them; with JOBS_ENABLED
	// this one works them too, and river's elected leader schedules the
	// after-close refresh and scoring.
	if s.Jobs, err = jobs.New(pool, log, metrics, jobs.Config{Work: cfg.JobsEnabled, Periodic: cfg.JobsEnabled, Calendar: cal}); err != nil {
		return nil, err
	}
	s.Deps = handlers.Deps{
		Config: cfg, Log: log, Pool: pool, Redis: rdb, Metrics: metrics, Assets: assets,
		PendingMigrations: prov.HasPending, Mailer: opts.Mailer,
		Hub: h, Quotes: render, Market: mkt, Calendar: cal, Clock: clock,
		Quant: s.Jobs.Pipeline(), Jobs: s.Jobs, StreamsDone: opts.StreamsDone,
	}
	s.App = handlers.New(s.Deps)
	return s, nil
}

// NewFeed builds the feed runner for cfg.
func NewFeed(cfg config.Config, pool *pgxpool.Pool, rdb *redis.Client, cal *asx.Calendar, clock provider.Clock, log *slog.Logger, m *telemetry.Metrics) *feed.Runner {
	return feed.NewRunner(feed.Config{
		Provider: cfg.FeedProvider, Speed: cfg.FeedSpeed, Seed: cfg.FeedSeed, Symbols: cfg.FeedSymbols,
		ReplayFile: cfg.FeedReplayFile, EODHDKey: cfg.EODHDKey, EODHDPoll: cfg.EODHDPoll,
		BatchEvery: cfg.FeedBatchEvery, MaxBatch: 2000, Channel: QuotesChannel(cfg), RollUp: true,
	}, pool, rdb, cal, clock, log, func(n int) { m.TicksIngested.Add(float64(n)) })
}

// Start runs the hub and, when enabled, the feed until ctx ends.
func (s *Server) Start(ctx context.Context) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.Hub.Run(ctx); err != nil {
			s.Deps.Log.Error("quote hub", slog.String("error", err.Error()))
		}
	}()
	if s.Feed != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = s.Feed.Run(ctx)
		}()
	}
	// The paper-order matcher (with the dividend, snapshot and value-gauge
	// jobs) runs on exactly one process: whichever holds its advisory lock.
	// It needs only the quote hub, so web machines with FEED_ENABLED=false
	// compete too.
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		log := s.Deps.Log
		l := feed.NewLeadership(s.Deps.Pool, portfolio.MatcherLockKey, 2*time.Second, time.Second, func(leader bool) {
			log.Info("paper matcher leadership", slog.Bool("leader", leader))
		})
		_ = l.Run(ctx, s.Matcher.Lead, func(err error) { log.Error("paper matcher", slog.String("error", err.Error())) })
	}()
	// Quant jobs: river's tables are migrated (under a try-lock) before the
	// workers start; on shutdown running jobs get a short grace period.
	if err := s.Jobs.Start(ctx); err != nil {
		s.Deps.Log.Error("quant jobs did not start", slog.String("error", err.Error()))
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Jobs.Stop(sctx)
	}()
}

// Wait blocks until everything Start began has stopped and background
// e-mails are handed over.
func (s *Server) Wait() {
	s.wg.Wait()
	s.App.Users.Wait()
}
