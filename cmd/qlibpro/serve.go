package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/server"
)

const serveUsage = `Usage: qlibpro serve

Serve Qlib Pro on $PORT (default 8080). Needs PostgreSQL (DATABASE_URL) with the
schema migrated and Redis (REDIS_URL). SIGINT or SIGTERM stops accepting
connections, lets in-flight requests finish (SHUTDOWN_TIMEOUT), ends streams,
closes the pools and exits 0.`

func cmdServe(ctx context.Context, e env, args []string) error {
	start := time.Now()
	fs := newFlags("serve")
	if err := parse(e, fs, serveUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "serve takes no arguments", usage: serveUsage + "\n"}
	}
	return withServices(ctx, e, func(cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client) error {
		return serve(ctx, cfg, log, pool, rdb, start)
	})
}

// serve runs the HTTP server(s) and the background parts until ctx ends,
// then shuts down in order: stop accepting, end streams, drain requests,
// stop the hub, feed and jobs.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client, start time.Time) error {
	if pending, err := pendingMigrations(pool); err == nil {
		if p, err := pending(ctx); err == nil && p {
			log.Warn("database migrations are pending; /api/ready answers 503 until `qlibpro migrate up` runs")
		}
	}
	// Background parts (hub, feed) stop with this context, after the servers.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	// Streams end when shutdown begins; ordinary requests keep their own
	// contexts and get SHUTDOWN_TIMEOUT to finish.
	streams, endStreams := context.WithCancel(context.Background())
	defer endStreams()
	proc, err := server.New(bg, cfg, log, pool, rdb, server.Options{Mailer: newMailer(cfg, log), StreamsDone: streams})
	if err != nil {
		return err
	}
	proc.Start(bg)
	defer proc.Wait() // the hub and feed have stopped and e-mails in flight are handed over
	defer stopBG()
	srv := proc.HTTPServer()
	srv.RegisterOnShutdown(endStreams) // Shutdown alone would wait for streams forever

	servers := []*http.Server{srv}
	if cfg.MetricsAddr != "" {
		servers = append(servers, proc.MetricsServer())
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, s := range servers {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", s.Addr, err)
		}
		log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("version", buildinfo.Version),
			slog.String("environment", cfg.Environment), slog.String("region", cfg.FlyRegion))
		g.Go(func() error {
			if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down", slog.Duration("deadline", cfg.ShutdownTimeout))
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, s := range servers {
			errs = append(errs, s.Shutdown(sctx))
		}
		return errors.Join(errs...)
	})
	err = g.Wait()
	log.Info("stopped", slog.Any("error", err), slog.Duration("uptime", time.Since(start)))
	return err
}
