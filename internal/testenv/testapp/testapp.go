// Package testapp builds the whole Qlib Pro application for tests, assembled
// as serve assembles it, on the plain services of internal/testenv and the
// seeded database of internal/testenv/testdb.
package testapp

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/internal/server"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// App is the whole application, started, on a fresh seeded database, real
// Redis and a real SMTP server in the test process: every service of the
// process (Users, Portfolio, Hub, Matcher …) and its HTTP handler.
type App struct {
	*server.Server
	SMTP *testenv.SMTPServer
}

// New builds and starts the application. env overrides configuration
// variables; by default the environment is "test", hosts example.com,
// localhost and 127.0.0.1 are allowed, and the feed and the job workers are
// off (FEED_ENABLED=true or JOBS_ENABLED=true start them).
func New(tb testing.TB, env map[string]string) *App {
	tb.Helper()
	return NewWithClock(tb, env, nil)
}

// NewWithClock is New with a chosen session clock (nil: the default).
func NewWithClock(tb testing.TB, env map[string]string, clock provider.Clock) *App {
	tb.Helper()
	pool := testdb.New(tb)
	rdb, prefix := testenv.Redis(tb)
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "DATABASE_URL":
			return testenv.URLOf(tb, pool)
		case "REDIS_URL":
			return testenv.RedisURL()
		case "REDIS_PREFIX":
			return prefix
		case "ENVIRONMENT":
			return "test"
		case "ALLOWED_HOSTS":
			return "example.com,localhost,127.0.0.1"
		case "DATA_DIR":
			return testenv.DataDir(tb)
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
	if cfg.RedisURL != testenv.RedisURL() {
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
	mail := testenv.NewSMTPServer(tb)
	mailer := notify.NewSMTPMailer(notify.SMTPConfig{Host: mail.Host, Port: mail.Port, From: "Qlib Pro <noreply@qlibpro.test>"})
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(logOut, nil)), pool, rdb,
		server.Options{Mailer: mailer, Clock: clock})
	if err != nil {
		cancel()
		tb.Fatalf("testenv: server: %v", err)
	}
	srv.Start(ctx)
	tb.Cleanup(func() {
		cancel()
		srv.Wait()
	})
	return &App{Server: srv, SMTP: mail}
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
	a.HTTP.ServeHTTP(rec, req)
	return rec
}

// Serve starts the app on a loopback port for browser tests. Streams end
// when the test ends.
func (a *App) Serve(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(a.HTTP)
	ctx, cancel := context.WithCancel(context.Background())
	srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	srv.Start()
	tb.Cleanup(func() {
		cancel()
		srv.Close()
	})
	return srv
}
