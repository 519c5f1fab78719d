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
		if tok := cfg.MetricsToken; tok != "" {
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
