// Package handlers is Qlib Pro's HTTP layer: Echo routes, middleware, and the
// handlers that bind requests, call the domain and render templ views.
package handlers

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/static"
)

// Deps are what the HTTP layer is built from; main constructs them once.
type Deps struct {
	Config  config.Config
	Log     *slog.Logger
	Pool    *pgxpool.Pool
	Redis   *redis.Client
	Metrics *telemetry.Metrics
	Assets  *static.Assets
	// PendingMigrations reports whether the schema is behind the binary.
	PendingMigrations func(context.Context) (bool, error)
	Mailer            auth.Mailer
	Hub               *hub.Hub
	Quotes            *QuoteRenderer
	Market            *market.Service
	Calendar          *asx.Calendar
	Clock             provider.Clock // the ASX session clock (simulated with the demo feed)
	Quant             *pipeline.Pipeline
	Jobs              *jobs.Client
	// StreamsDone closes at shutdown to end SSE streams (nil: never).
	StreamsDone <-chan struct{}
}

// App is the HTTP application and the services it started.
type App struct {
	*echo.Echo
	Users *auth.Service
}

// New builds the Echo application with every route and middleware.
func New(d Deps) *App {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientIP(d.Config)

	sm := newSessionManager(d.Config, d.Redis)
	users := auth.NewService(d.Pool, auth.NewThrottle(d.Redis, d.Config.RedisPrefix, auth.DefaultThrottle), d.Mailer, d.Log,
		auth.Options{
			BaseURL: d.Config.BaseURL, LoginTokenTTL: d.Config.APITokenTTL,
			OnLogin: func(result string) { d.Metrics.UserLogins.WithLabelValues(result).Inc() },
		})
	sess := newSessions(sm, auth.NewSessionIndex(d.Redis, d.Config.RedisPrefix, sm.Store.(auth.SessionStore)), users)
	r := &renderer{assets: d.Assets, region: d.Config.FlyRegion, user: shellUser, csrf: sess.existingCSRF,
		market: marketStatus(d.Calendar, d.Clock), streamsDone: d.StreamsDone}
	e.HTTPErrorHandler = errorHandler(d.Log, r)

	e.Use(observe(d.Log, d.Metrics))
	e.Use(securityHeaders(d.Config))
	e.Use(allowedHosts(d.Config))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: d.Config.BodyLimit,
		// Model uploads have their own, larger limit on their route.
		Skipper: func(c echo.Context) bool { return c.Path() == modelUploadPath },
	}))
	e.Use(rejectBadText)
	e.Use(replayWrites(d.Config))
	addRoutes(e, d, r, sess, users)
	return &App{Echo: e, Users: users}
}

// metricsHandler serves the Prometheus registry on the main address, behind
// METRICS_TOKEN when set, or to loopback clients only (development).
func metricsHandler(d Deps) echo.HandlerFunc {
	h := promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{})
	return func(c echo.Context) error {
		if tok := d.Config.MetricsToken; tok != "" {
			got := c.Request().Header.Get("Authorization")
			if subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) != 1 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "Metrics need a bearer token.")
			}
		} else if a, ok := remoteAddr(c.Request()); !ok || !a.IsLoopback() {
			return echo.NewHTTPError(http.StatusForbidden, "Metrics are served to loopback clients only; set METRICS_TOKEN or METRICS_ADDR.")
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// MetricsServer returns the separate /metrics server for METRICS_ADDR.
func MetricsServer(d Deps) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics.Registry, promhttp.HandlerOpts{}))
	return &http.Server{Addr: d.Config.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// HTTPServer wraps the Echo app in an http.Server with timeouts that protect
// against slow clients without cutting long-lived SSE streams: there is no
// WriteTimeout; ordinary handlers get a per-request write deadline instead.
func HTTPServer(d Deps, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              ":" + itoa(d.Config.Port),
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.Log.Handler(), slog.LevelWarn),
	}
}
