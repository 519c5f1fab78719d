package handlers

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// metricsHandler serves the Prometheus registry on the main address, behind
// METRICS_TOKEN when set, or to loopback clients only (development).
// With METRICS_ADDR, internal/server serves it on its own port instead.
func metricsHandler(cfg config.Config, m *telemetry.Metrics) echo.HandlerFunc {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	return func(c echo.Context) error {
		if !isOperator(cfg)(c) {
			if cfg.MetricsToken != "" {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "Metrics need a bearer token.")
			}
			return echo.NewHTTPError(http.StatusForbidden, "Metrics are served to loopback clients only; set METRICS_TOKEN or METRICS_ADDR.")
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// isOperator reports whether a request comes from an operator: it carries
// METRICS_TOKEN as a bearer token or, when no token is set (development),
// comes from a loopback address.
func isOperator(cfg config.Config) func(echo.Context) bool {
	return func(c echo.Context) bool {
		if tok := cfg.MetricsToken; tok != "" {
			got := c.Request().Header.Get("Authorization")
			return subtle.ConstantTimeCompare([]byte(got), []byte("Bearer "+tok)) == 1
		}
		a, ok := remoteAddr(c.Request())
		return ok && a.IsLoopback()
	}
}
