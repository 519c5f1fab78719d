package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/errorreport"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/lease"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/status"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/static"
)

// Deps are the services the HTTP layer is built from. internal/server
// constructs each of them once, for this layer and the background parts alike.
type Deps struct {
	Config  config.Config
	Log     *slog.Logger
	Metrics *telemetry.Metrics
	Errors  *errorreport.Reporter // internal errors to Sentry (SENTRY_DSN); nil or disabled: only logged
	Assets  *static.Assets
	Pool    *pgxpool.Pool // readiness checks and factor evaluation
	Redis   *redis.Client // sessions and readiness checks
	Queries *db.Queries   // read-only page queries (overview, sectors, stats)
	// PendingMigrations reports whether the schema is behind the binary.
	PendingMigrations func(context.Context) (bool, error)
	Calendar          *asx.Calendar
	Clock             provider.Clock // the ASX session clock (simulated with the demo feed)

	Users      *auth.Service
	Market     *market.Service
	Watchlists *market.Watchlists
	Portfolio  *portfolio.Service
	Quant      *pipeline.Pipeline
	Jobs       *jobs.Client
	Hub        *hub.Hub
	Quotes     *QuoteRenderer
	Notices    *status.Notices
	// CorporateActions are the splits, consolidations and demergers that
	// adjust daily history.
	CorporateActions *corpaction.Service

	// StreamSlots counts each user's and API token's open streams across
	// machines (STREAMS_PER_OWNER).
	StreamSlots *lease.Pool
	// LabRuns holds each user's factor-lab evaluation (one at a time, across
	// machines).
	LabRuns *lease.Pool
	// StreamsDone is cancelled at shutdown to end SSE streams (nil: never).
	StreamsDone context.Context
}

// New builds the Echo application: the sessions, the renderer, the stream
// admission, the middleware and every route.
func New(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientIP(d.Config)

	sm := newSessionManager(d.Config, d.Redis)
	sess := newSessions(sm, d.Redis, d.Config.RedisPrefix, d.Users)
	r := &renderer{assets: d.Assets, region: d.Config.FlyRegion, csrf: sess.existingCSRF,
		market: marketStatus(d.Calendar, d.Clock), notices: bannerNotices(d.Notices)}
	e.HTTPErrorHandler = errorHandler(d.Log, r, d.Errors)

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
	streams := &liveStreams{owners: d.StreamSlots, machineMax: int64(d.Config.StreamsPerMachine),
		heartbeat: d.Config.StreamHeartbeat, lifetime: d.Config.StreamLifetime, shutdown: d.StreamsDone, metrics: d.Metrics}
	if streams.shutdown == nil {
		streams.shutdown = context.Background()
	}
	limit := &apiRateLimit{limiter: redis_rate.NewLimiter(d.Redis), prefix: d.Config.RedisPrefix + "api:",
		limit:   redis_rate.Limit{Rate: d.Config.APIRateLimit, Burst: d.Config.APIRateBurst, Period: time.Minute},
		refused: d.Metrics.APIRateLimited}
	addRoutes(e, d, r, sess, streams, limit)
	return e
}
