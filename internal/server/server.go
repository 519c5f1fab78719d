// Package server assembles a Qlib Pro process from its configuration: it
// builds every service once — accounts, market data, watchlists, paper
// trading, quant jobs, the quote hub — and hands them to the HTTP application
// and the background parts (feed, matcher, job workers). cmd/qlibpro serves
// it; tests build the same thing.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/handlers"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/errorreport"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/lease"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/status"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/migrations"
	"github.com/qlibpro/qlibpro/static"
)

// Server is one assembled process.
type Server struct {
	Config  config.Config
	Log     *slog.Logger
	Pool    *pgxpool.Pool
	Redis   *redis.Client
	Metrics *telemetry.Metrics
	Errors  *errorreport.Reporter // Sentry when SENTRY_DSN is set

	// The services, each built once and shared by the web application and
	// the background parts.
	Users      *auth.Service
	Hashing    *auth.HashLimiter // password hashes at once (PASSWORD_HASH_CONCURRENCY)
	Market     *market.Service
	Watchlists *market.Watchlists
	Portfolio  *portfolio.Service
	Jobs       *jobs.Client
	Quant      *pipeline.Pipeline
	Hub        *hub.Hub
	Quotes     *handlers.QuoteRenderer

	// Matcher fills paper orders; every process feeds it ticks, the one
	// holding its advisory lock matches (see Start).
	Matcher *portfolio.Matcher
	Feed    *feed.Runner // nil when FEED_ENABLED=false

	// HTTP is the web application: pages, JSON API, streams.
	HTTP *echo.Echo

	wg sync.WaitGroup
}

// Options are the parts a caller may supply instead of the defaults.
type Options struct {
	Mailer auth.Mailer
	Clock  provider.Clock // session clock; default: shared demo clock or the real clock
	// StreamsDone is cancelled at shutdown so SSE streams end while
	// ordinary requests finish.
	StreamsDone context.Context
}

// QuotesChannel is the Redis channel of tick batches. Pub/sub channels are
// shared by every database of a Redis server, so the name carries the
// deployment identity (by default the prefix and database number): two
// deployments on one Redis never share it.
func QuotesChannel(cfg config.Config) string { return cfg.RedisPrefix + "quotes:" + cfg.DeploymentID }

// New builds the process: nothing runs until Start.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client, opts Options) (*Server, error) {
	cal := asx.DefaultCalendar()
	clock := opts.Clock
	if clock == nil {
		var err error
		if clock, err = feed.SharedClock(ctx, cfg.FeedProvider, pool, rdb, cfg.RedisPrefix+"demo_clock_start", cfg.FeedSpeed, cal,
			func(err error) { log.Error("simulated session clock", slog.String("error", err.Error())) }); err != nil {
			return nil, err
		}
	}
	migrator, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
	if err != nil {
		return nil, err
	}
	assets, err := static.New("/static")
	if err != nil {
		return nil, err
	}
	metrics := telemetry.New()
	metrics.WatchPool(pool)
	metrics.StreamsMax.Set(float64(cfg.StreamsPerMachine))
	metrics.WatchSession(func() bool {
		now := clock.Session(clock.Now())
		sess, ok := cal.SessionTimes(now)
		return ok && !now.Before(sess.Open) && now.Before(sess.Close)
	})
	s := &Server{Config: cfg, Log: log, Pool: pool, Redis: rdb, Metrics: metrics}
	if s.Errors, err = errorreport.New(cfg.SentryDSN, buildinfo.Version, cfg.Environment); err != nil {
		return nil, err
	}

	s.Hashing = auth.NewHashLimiter(cfg.PasswordHashConcurrency, cfg.PasswordHashWait,
		func() { metrics.AuthRefused.WithLabelValues("password_hash").Inc() })
	metrics.WatchHashing(s.Hashing.InUse, s.Hashing.Size(), s.Hashing.Completed)
	s.Users = auth.NewService(pool, auth.NewThrottle(rdb, cfg.RedisPrefix, auth.DefaultThrottle), opts.Mailer, log,
		auth.Options{
			BaseURL: cfg.BaseURL, LoginTokenTTL: cfg.APITokenTTL, Hashing: s.Hashing, RefuseDemo: cfg.IsProduction(),
			SignUpsPerIP: int64(cfg.SignUpsPerIP), ResetsPerIP: int64(cfg.ResetsPerIP),
			OnLogin:   func(result string) { metrics.UserLogins.WithLabelValues(result).Inc() },
			OnRefused: func(limit string) { metrics.AuthRefused.WithLabelValues(limit).Inc() },
		})
	s.Market = market.NewService(pool, cal)
	s.Watchlists = market.NewWatchlists(pool)

	sessionNow := func() time.Time { return clock.Session(clock.Now()) }
	s.Market.UseClock(sessionNow, clock.Simulated())
	if cfg.FeedEnabled && cfg.FeedProvider == feed.Simulator {
		// The previous closes the board starts from include a simulated
		// session cut short by the change of date.
		if err := feed.FinaliseSim(ctx, db.New(pool), cal, sessionNow()); err != nil {
			return nil, err
		}
	}
	quotes, listings, err := s.Market.SessionQuotes(ctx, sessionNow())
	if err != nil {
		return nil, err
	}
	s.Quotes = handlers.NewQuoteRenderer(listings)
	s.Hub = hub.New(rdb, QuotesChannel(cfg), cfg.DeploymentID, s.Quotes, hub.Options{
		SSEConnections: metrics.SSEConnections, MarketLatency: metrics.MarketLatency,
		BatchesIgnored: metrics.HubBatchesIgnored, Logger: log, Now: sessionNow,
	})
	s.Hub.Seed(quotes)

	// Paper trading: the matcher sees every tick batch this process's hub
	// applies (only its own deployment's current feed leader's); it matches
	// only while it leads (Start).
	s.Portfolio = portfolio.NewService(pool, s.Hub, clock, cal)
	s.Matcher = portfolio.NewMatcher(s.Portfolio, portfolio.MatcherOptions{Gauge: metrics.PortfolioValue, Updated: metrics.PortfolioValueUpdated, Log: log})
	s.Hub.OnTicks(s.Matcher.Observe)
	if cfg.FeedEnabled {
		s.Feed = NewFeed(cfg, pool, rdb, cal, clock, log, metrics)
	}
	// Quant jobs (river): every process can insert them; with JOBS_ENABLED
	// this one works them too, and river's elected leader schedules the
	// after-close refresh and scoring.
	if s.Jobs, err = jobs.New(pool, log, metrics, jobs.Config{Work: cfg.JobsEnabled, Periodic: cfg.JobsEnabled, Calendar: cal}); err != nil {
		return nil, err
	}
	s.Quant = s.Jobs.Pipeline()

	s.HTTP = handlers.New(handlers.Deps{
		Config: cfg, Log: log, Metrics: metrics, Errors: s.Errors, Assets: assets,
		Pool: pool, Redis: rdb, Queries: db.New(pool), PendingMigrations: migrator.HasPending,
		Calendar: cal, Clock: clock,
		Users: s.Users, Market: s.Market, Watchlists: s.Watchlists, Portfolio: s.Portfolio,
		Quant: s.Quant, Jobs: s.Jobs, Hub: s.Hub, Quotes: s.Quotes, Notices: status.NewNotices(pool),
		CorporateActions: corpaction.NewService(pool),
		StreamSlots:      lease.New(rdb, cfg.RedisPrefix+"streams:", cfg.StreamsPerOwner, 3*cfg.StreamHeartbeat),
		// A lab run ends by its timeout; the lease outlives it a little so
		// that a machine that dies mid-run frees it soon after.
		LabRuns:     lease.New(rdb, cfg.RedisPrefix+"lab:", 1, cfg.FactorLabTimeout+10*time.Second),
		StreamsDone: opts.StreamsDone,
	})
	return s, nil
}

// NewFeed builds the feed runner for cfg.
func NewFeed(cfg config.Config, pool *pgxpool.Pool, rdb *redis.Client, cal *asx.Calendar, clock provider.Clock, log *slog.Logger, m *telemetry.Metrics) *feed.Runner {
	return feed.NewRunner(feed.Config{
		Provider: cfg.FeedProvider, Speed: cfg.FeedSpeed, Seed: cfg.FeedSeed, Symbols: cfg.FeedSymbols,
		ReplayFile: cfg.FeedReplayFile, EODHDKey: cfg.EODHDKey, EODHDPoll: cfg.EODHDPoll,
		BatchEvery: cfg.FeedBatchEvery, MaxBatch: 2000, Channel: QuotesChannel(cfg), Deployment: cfg.DeploymentID,
		OnLeader: func(leader bool) {
			if leader {
				m.FeedLeader.Set(1)
			} else {
				m.FeedLeader.Set(0)
			}
		},
	}, pool, rdb, cal, clock, log, func(n int) {
		m.TicksIngested.Add(float64(n))
		m.FeedLastIngest.SetToCurrentTime()
	})
}

// HTTPServer wraps the web application in an http.Server with timeouts that
// protect against slow clients without cutting long-lived SSE streams: there
// is no WriteTimeout; ordinary handlers get a per-request write deadline
// instead (handlers' writeDeadline).
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              ":" + strconv.Itoa(s.Config.Port),
		Handler:           s.HTTP,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
}

// MetricsServer is the separate /metrics server for METRICS_ADDR.
func (s *Server) MetricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	return &http.Server{Addr: s.Config.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// Start runs the hub and, when enabled, the feed until ctx ends.
func (s *Server) Start(ctx context.Context) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.Hub.Run(ctx); err != nil {
			s.Log.Error("quote hub", slog.String("error", err.Error()))
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
		l := feed.NewLeadership(s.Pool, portfolio.MatcherLockKey, 2*time.Second, time.Second, func(leader bool) {
			s.Log.Info("paper matcher leadership", slog.Bool("leader", leader))
		})
		_ = l.Run(ctx, s.Matcher.Lead, func(err error) { s.Log.Error("paper matcher", slog.String("error", err.Error())) })
	}()
	// Quant jobs: river's tables are migrated (under a try-lock) before the
	// workers start; on shutdown running jobs get a short grace period.
	if err := s.Jobs.Start(ctx); err != nil {
		s.Log.Error("quant jobs did not start", slog.String("error", err.Error()))
		return
	}
	s.wg.Add(1)
	go func() { // #nosec G118 -- runs after ctx is done, so the grace period needs its own context
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
	s.Users.Wait()
	s.Errors.Flush(2 * time.Second) // errors reported just before the end
}
