package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
)

// healthHandler serves the operational endpoints the deployment plan names.
// Component versions and pool sizes are for operators only (isOperator):
// anonymous callers learn whether it works, not what it runs.
type healthHandler struct {
	pool     *pgxpool.Pool
	rdb      *redis.Client
	pending  func(context.Context) (bool, error) // are migrations pending?
	region   string
	operator func(echo.Context) bool
}

// handleHealth is liveness: the process answers. It touches no dependency.
func (h *healthHandler) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is /api/ready's body.
type readiness struct {
	Status  string            `json:"status"`
	Checks  map[string]string `json:"checks"`
	Failing []string          `json:"failing,omitempty"`
}

// handleReady is readiness: PostgreSQL and Redis answer and the schema is current.
// A failure is 503 naming the dependency.
func (h *healthHandler) handleReady(c echo.Context) error {
	r := h.check(c.Request().Context())
	if len(r.Failing) > 0 {
		return c.JSON(http.StatusServiceUnavailable, r)
	}
	return c.JSON(http.StatusOK, r)
}

// check runs the readiness checks (at most 3 s), for /api/ready and /status.
func (h *healthHandler) check(ctx context.Context) readiness {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	r := readiness{Status: "ok", Checks: map[string]string{}}
	check := func(name string, err error) {
		if err != nil {
			r.Checks[name] = "error: " + err.Error()
			r.Failing = append(r.Failing, name)
			return
		}
		r.Checks[name] = "ok"
	}
	pgErr := h.pool.Ping(ctx)
	check("postgres", pgErr)
	check("redis", h.rdb.Ping(ctx).Err())
	if pgErr != nil {
		r.Checks["migrations"] = "unknown: postgres unavailable"
		r.Failing = append(r.Failing, "migrations")
	} else {
		pending, err := h.pending(ctx)
		if err == nil && pending {
			err = errPending
		}
		check("migrations", err)
	}
	if len(r.Failing) > 0 {
		r.Status = "unavailable"
	}
	return r
}

// checks runs the readiness checks for the app_ready metrics: each check's
// name and whether it passed.
func (h *healthHandler) checks(ctx context.Context) map[string]bool {
	r := h.check(ctx)
	out := make(map[string]bool, len(r.Checks))
	for name := range r.Checks {
		out[name] = true
	}
	for _, name := range r.Failing {
		out[name] = false
	}
	return out
}

type pendingError struct{}

func (pendingError) Error() string { return "migrations pending: run qlibpro migrate up" }

var errPending = pendingError{}

// dbHealth is /api/db/health's body; the server version and pool figures
// are shown to operators only.
type dbHealth struct {
	Status          string  `json:"status"`
	RoundTripMillis float64 `json:"round_trip_ms"`
	ServerVersion   string  `json:"server_version,omitempty"`
	Pool            *struct {
		Total    int32 `json:"total"`
		Acquired int32 `json:"acquired"`
		Idle     int32 `json:"idle"`
		Max      int32 `json:"max"`
	} `json:"pool,omitempty"`
}

// handleDBHealth measures a database round trip and reports pool statistics.
func (h *healthHandler) handleDBHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	var out dbHealth
	start := time.Now()
	err := h.pool.QueryRow(ctx, `SELECT current_setting('server_version')`).Scan(&out.ServerVersion)
	out.RoundTripMillis = float64(time.Since(start).Microseconds()) / 1000
	if h.operator(c) {
		st := h.pool.Stat()
		out.Pool = &struct {
			Total    int32 `json:"total"`
			Acquired int32 `json:"acquired"`
			Idle     int32 `json:"idle"`
			Max      int32 `json:"max"`
		}{st.TotalConns(), st.AcquiredConns(), st.IdleConns(), st.MaxConns()}
	} else {
		out.ServerVersion = ""
	}
	if err != nil {
		out.Status = "unavailable"
		return c.JSON(http.StatusServiceUnavailable, out)
	}
	out.Status = "ok"
	return c.JSON(http.StatusOK, out)
}

// handleVersion reports the release and the region this machine runs in;
// operators also get the commit, build time and Go version.
func (h *healthHandler) handleVersion(c echo.Context) error {
	if !h.operator(c) {
		return c.JSON(http.StatusOK, map[string]string{"version": buildinfo.Version, "region": h.region})
	}
	return c.JSON(http.StatusOK, struct {
		buildinfo.Info
		Region string `json:"region"`
	}{buildinfo.Get(), h.region})
}
