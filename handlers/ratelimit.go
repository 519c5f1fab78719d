package handlers

import (
	"math"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// apiRateLimit bounds each API token's requests (API_RATE_LIMIT per minute,
// bursts of API_RATE_BURST) with GCRA in Redis (go-redis/redis_rate), so
// every machine draws on one budget per token. Every answer carries the
// IETF RateLimit-* headers; past the budget it is 429 with Retry-After.
type apiRateLimit struct {
	limiter *redis_rate.Limiter
	prefix  string
	limit   redis_rate.Limit
	refused prometheus.Counter
}

// perToken is the middleware; it runs after requireToken.
func (rl *apiRateLimit) perToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principal(c)
		res, err := rl.limiter.Allow(c.Request().Context(), rl.prefix+strconv.FormatInt(p.TokenID, 10), rl.limit)
		if err != nil {
			return &apperr.Error{Code: apperr.Unavailable, Message: "The API is unavailable right now.", Err: err}
		}
		h := c.Response().Header()
		window := strconv.Itoa(int(rl.limit.Period / time.Second))
		h.Set("RateLimit-Policy", strconv.Itoa(rl.limit.Rate)+";w="+window+";burst="+strconv.Itoa(rl.limit.Burst))
		h.Set("RateLimit-Limit", strconv.Itoa(rl.limit.Burst))
		h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(res.ResetAfter.Seconds()))))
		if res.Allowed == 0 {
			rl.refused.Inc()
			return &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: res.RetryAfter,
				Message: "This API token has made too many requests; slow down (see RateLimit-* and Retry-After)."}
		}
		return next(c)
	}
}
