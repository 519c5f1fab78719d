package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
)

// addRoutes maps every route of the application: the one place to read them all.
func addRoutes(e *echo.Echo, d Deps, r *renderer) {
	q := db.New(d.Pool)
	health := &HealthHandler{pool: d.Pool, rdb: d.Redis, pending: d.PendingMigrations, region: d.Config.FlyRegion}
	home := &HomeHandler{q: q, r: r}

	// Static files carry their content hash in the URL.
	e.GET("/static/*", echo.WrapHandler(d.Assets))

	// Operational endpoints (deployment plan).
	ops := e.Group("", markRouted, writeDeadline(10*time.Second))
	ops.GET("/api/health", health.handleHealth)
	ops.GET("/api/ready", health.handleReady)
	ops.GET("/api/db/health", health.handleDBHealth)
	ops.GET("/api/version", health.handleVersion)
	if d.Config.MetricsAddr == "" {
		ops.GET("/metrics", metricsHandler(d))
	}

	// Pages.
	pages := e.Group("", markRouted, writeDeadline(30*time.Second))
	pages.GET("/", home.handleHome)
	pages.GET("/overview", home.handleHome)

	// Unknown paths: 404 through the error handler (problem+json under /api).
	e.RouteNotFound("/*", func(echo.Context) error { return errNotFound("Page") })
}

func itoa(n int) string { return strconv.Itoa(n) }
