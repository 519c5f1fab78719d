package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

const ctxRequestID = "request_id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._\-]{1,64}$`)

// requestID returns the request's id (honoured from X-Request-ID or generated).
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// observe is the outermost middleware: it assigns the request id, recovers
// panics, runs the error handler itself (so the final status is known), then
// logs one line and records the request duration by route template.
func observe(log *slog.Logger, m *telemetry.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			start := time.Now()
			req := c.Request()
			id := req.Header.Get(echo.HeaderXRequestID)
			if !validRequestID.MatchString(id) {
				id = newRequestID()
			}
			c.Set(ctxRequestID, id)
			c.Response().Header().Set(echo.HeaderXRequestID, id)

			func() {
				defer func() {
					if p := recover(); p != nil {
						if p == http.ErrAbortHandler {
							panic(p)
						}
						stack := make([]byte, 4<<10)
						stack = stack[:runtime.Stack(stack, false)]
						err = fmt.Errorf("panic: %v\n%s", p, stack)
					}
				}()
				err = next(c)
			}()
			if err != nil {
				c.Error(err)
			}

			res := c.Response()
			route := c.Path()
			if route == "" || res.Status == http.StatusNotFound && c.Get(ctxRouteMatched) == nil {
				route = "unmatched"
			}
			dur := time.Since(start)
			m.RequestDuration.WithLabelValues(route, req.Method, strconv.Itoa(res.Status)).Observe(dur.Seconds())
			level := slog.LevelInfo
			if res.Status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(req.Context(), level, "request",
				slog.Group("req",
					slog.String("id", id),
					slog.String("method", req.Method),
					slog.String("route", route),
					slog.String("path", req.URL.Path),
					slog.String("ip", c.RealIP()),
				),
				slog.Group("res",
					slog.Int("status", res.Status),
					slog.Int64("bytes", res.Size),
					slog.Duration("duration", dur),
				),
			)
			return nil
		}
	}
}

// ctxRouteMatched marks requests that reached a registered route, so 404s
// raised by handlers are told apart from unknown paths in metrics.
const ctxRouteMatched = "route_matched"

func markRouted(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxRouteMatched, true)
		return next(c)
	}
}

// contentSecurityPolicy allows only this origin's scripts and styles: no
// inline script, no eval, no plugins, no framing, no <base> rewriting.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets the security baseline on every response, errors included.
func securityHeaders(cfg config.Config) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
			if isHTTPS(c.Request(), cfg.TrustedProxies) {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

// isHTTPS reports whether the client connected over TLS: directly, or to a
// trusted proxy that says so.
func isHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	return fromTrustedProxy(r, trusted) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func remoteAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

func fromTrustedProxy(r *http.Request, trusted []netip.Prefix) bool {
	a, ok := remoteAddr(r)
	return ok && inPrefixes(a, trusted)
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP returns Echo's IP extractor: the peer address, unless the peer is a
// trusted proxy, in which case the proxy's header names the client (for
// X-Forwarded-For, the right-most address that is not itself a trusted proxy).
func clientIP(cfg config.Config) echo.IPExtractor {
	return func(r *http.Request) string {
		peer, ok := remoteAddr(r)
		if !ok {
			return r.RemoteAddr
		}
		if !inPrefixes(peer, cfg.TrustedProxies) {
			return peer.String()
		}
		v := r.Header.Get(cfg.ClientIPHeader)
		parts := strings.Split(v, ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			a = a.Unmap()
			if !inPrefixes(a, cfg.TrustedProxies) || i == 0 {
				return a.String()
			}
		}
		return peer.String()
	}
}

// allowedHosts answers 400 to requests for a Host not in ALLOWED_HOSTS (DNS
// rebinding, cache poisoning), except the liveness and readiness probes, which
// platforms call by machine address.
func allowedHosts(cfg config.Config) echo.MiddlewareFunc {
	allowed := map[string]bool{}
	for _, h := range cfg.AllowedHosts {
		allowed[h] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if len(allowed) == 0 || allowed["*"] {
				return next(c)
			}
			p := c.Request().URL.Path
			if p == "/api/health" || p == "/api/ready" {
				return next(c)
			}
			host := c.Request().Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			host = strings.ToLower(strings.Trim(host, "[]"))
			if !allowed[host] {
				return echo.NewHTTPError(http.StatusBadRequest, "Unknown host.")
			}
			return next(c)
		}
	}
}

// writeDeadline bounds how long an ordinary response may take to write. The
// server itself has no WriteTimeout so that SSE streams, which clear this
// deadline, are not cut.
func writeDeadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now().Add(d))
			return next(c)
		}
	}
}

// replayWrites sends state-changing requests that reach a machine outside the
// primary region back through Fly's proxy to the primary region (the
// database's writer lives there): Fly replays a response carrying a
// fly-replay header. Reads are served where they land.
func replayWrites(cfg config.Config) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			if cfg.IsPrimaryRegion() {
				return next(c)
			}
			c.Response().Header().Set("Fly-Replay", "region="+cfg.PrimaryRegion)
			return c.NoContent(http.StatusConflict)
		}
	}
}

// noStore keeps API responses out of shared caches.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}
