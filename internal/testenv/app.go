package testenv

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/handlers"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/internal/server"
)

// App is the whole web application on a fresh seeded database, real Redis and
// a real SMTP server in the test process, assembled as serve assembles it.
type App struct {
	*handlers.App
	Server *server.Server
	Deps   handlers.Deps
	Pool   *pgxpool.Pool
	Redis  *redis.Client
	SMTP   *SMTPServer
}

// NewApp builds and starts the application. env overrides configuration
// variables; by default the environment is "test", hosts example.com,
// localhost and 127.0.0.1 are allowed, and the feed and the job workers are
// off (FEED_ENABLED=true or JOBS_ENABLED=true start them). clock, when not nil, replaces the session clock.
func NewApp(tb testing.TB, env map[string]string) *App {
	tb.Helper()
	return NewAppWithClock(tb, env, nil)
}

// NewAppWithClock is NewApp with a chosen session clock.
func NewAppWithClock(tb testing.TB, env map[string]string, clock provider.Clock) *App {
	tb.Helper()
	pool := DB(tb)
	rdb, prefix := Redis(tb)
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "DATABASE_URL":
			return URLOf(tb, pool)
		case "REDIS_URL":
			return RedisURL()
		case "REDIS_PREFIX":
			return prefix
		case "ENVIRONMENT":
			return "test"
		case "ALLOWED_HOSTS":
			return "example.com,localhost,127.0.0.1"
		case "DATA_DIR":
			return DataDir(tb)
		case "FEED_ENABLED", "JOBS_ENABLED":
			return "false"
		case "FEED_BATCH_INTERVAL":
			return "100ms"
		}
		return ""
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		tb.Fatalf("testenv: config: %v", err)
	}
	if cfg.RedisURL != RedisURL() {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			tb.Fatal(err)
		}
		rdb = redis.NewClient(opt)
		tb.Cleanup(func() { rdb.Close() })
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("TEST_LOG") != "" {
		logOut = os.Stderr
	}
	mail := NewSMTPServer(tb)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(logOut, nil)), pool, rdb,
		server.Options{Mailer: notify.NewSMTPMailer(mail.Config), Clock: clock})
	if err != nil {
		cancel()
		tb.Fatalf("testenv: server: %v", err)
	}
	srv.Start(ctx)
	tb.Cleanup(func() {
		cancel()
		srv.Wait()
	})
	return &App{App: srv.App, Server: srv, Deps: srv.Deps, Pool: pool, Redis: rdb, SMTP: mail}
}

// Do sends one request through the app (Host example.com, peer 192.0.2.1).
func (a *App) Do(tb testing.TB, method, target string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, body)
	req.Host = "example.com"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, req)
	return rec
}

// Serve starts the app on a loopback port for browser tests. Streams end
// when the test ends.
func (a *App) Serve(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(a.Echo)
	ctx, cancel := context.WithCancel(context.Background())
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	tb.Cleanup(func() {
		cancel()
		srv.Close()
	})
	return srv
}
