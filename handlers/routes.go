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

	// Route middleware is listed per route: an Echo group with an empty prefix
	// would register catch-all routes that turn every 405 into a 404.
	ops := []echo.MiddlewareFunc{markRouted, writeDeadline(10 * time.Second)}
	page := []echo.MiddlewareFunc{markRouted, writeDeadline(30 * time.Second)}

	// Operational endpoints (deployment plan).
	e.GET("/api/health", health.handleHealth, ops...)
	e.GET("/api/ready", health.handleReady, ops...)
	e.GET("/api/db/health", health.handleDBHealth, ops...)
	e.GET("/api/version", health.handleVersion, ops...)
	if d.Config.MetricsAddr == "" {
		e.GET("/metrics", metricsHandler(d), ops...)
	}

	// Public pages.
	e.GET("/", home.handleHome, page...)
	e.GET("/overview", home.handleHome, page...)
	// Unknown paths and methods reach the error handler as Echo's 404 and 405.
}

func itoa(n int) string { return strconv.Itoa(n) }
