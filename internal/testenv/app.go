package testenv

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/handlers"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/internal/notify"
	"github.com/qlibpro/qlibpro/migrations"
	"github.com/qlibpro/qlibpro/static"
)

// App is the whole web application on a fresh seeded database, real Redis and
// a real SMTP server in the test process.
type App struct {
	*handlers.App
	Deps  handlers.Deps
	Pool  *pgxpool.Pool
	Redis *redis.Client
	SMTP  *SMTPServer
}

// NewApp builds the application as serve does. env overrides configuration
// variables; by default the environment is "test" and hosts example.com,
// localhost and 127.0.0.1 are allowed.
func NewApp(tb testing.TB, env map[string]string) *App {
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
	prov, err := migrations.NewProvider(stdlib.OpenDBFromPool(pool), nil)
	if err != nil {
		tb.Fatal(err)
	}
	assets, err := static.New("/static")
	if err != nil {
		tb.Fatal(err)
	}
	m := telemetry.New()
	m.WatchPool(pool)
	var logOut io.Writer = io.Discard
	if os.Getenv("TEST_LOG") != "" {
		logOut = os.Stderr
	}
	mail := NewSMTPServer(tb)
	d := handlers.Deps{
		Config: cfg, Log: slog.New(slog.NewTextHandler(logOut, nil)), Pool: pool, Redis: rdb,
		Metrics: m, Assets: assets, PendingMigrations: prov.HasPending,
		Mailer: notify.NewSMTPMailer(mail.Config),
	}
	app := handlers.New(d)
	tb.Cleanup(app.Users.Wait)
	return &App{App: app, Deps: d, Pool: pool, Redis: rdb, SMTP: mail}
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

// Serve starts the app on a loopback port for browser tests.
func (a *App) Serve(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(a.Echo)
	tb.Cleanup(srv.Close)
	return srv
}
