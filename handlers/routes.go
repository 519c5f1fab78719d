package handlers

import (
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/quant/lab"
)

// addRoutes maps every route of the application: the one place to read them
// all. A handler variable names its file: adminModels is adminModelsHandler
// in admin_models.go.
func addRoutes(e *echo.Echo, d Deps, r *renderer, s *sessions, streams *liveStreams, limit *apiRateLimit) {
	health := &healthHandler{pool: d.Pool, rdb: d.Redis, pending: d.PendingMigrations, region: d.Config.FlyRegion, operator: isOperator(d.Config)}
	d.Metrics.WatchReadiness(health.checks) // app_ready for the alert rules (deploy/monitoring)
	home := &homeHandler{q: d.Queries, r: r}
	account := &accountHandler{users: d.Users, s: s, r: r}
	settings := &settingsHandler{users: d.Users, s: s, r: r}
	markets := &marketsHandler{q: d.Queries, hub: d.Hub, quotes: d.Quotes, lists: d.Watchlists, clock: d.Clock, r: r}
	instruments := &instrumentsHandler{q: d.Queries, quant: d.Quant, market: d.Market, hub: d.Hub, quotes: d.Quotes, lists: d.Watchlists, runs: d.Jobs.Backtests(), s: s, r: r}
	watchlists := &watchlistsHandler{lists: d.Watchlists, s: s, r: r}
	signals := &signalsHandler{q: d.Queries, quant: d.Quant, r: r}
	models := &modelsHandler{quant: d.Quant, s: s, r: r}
	factors := &factorsHandler{pool: d.Pool, runs: d.LabRuns, r: r,
		limits: lab.Limits{Budget: d.Config.FactorLabBudget, Timeout: d.Config.FactorLabTimeout}}
	portfolio := &portfolioHandler{pf: d.Portfolio, r: r}
	portfolioAccounts := &portfolioAccountsHandler{pf: d.Portfolio, s: s, r: r}
	portfolioTrade := &portfolioTradeHandler{pf: d.Portfolio, hub: d.Hub, s: s, r: r}
	portfolioOrders := &portfolioOrdersHandler{pf: d.Portfolio, s: s, r: r}
	portfolioReports := &portfolioReportsHandler{pf: d.Portfolio, r: r}
	status := &statusHandler{health: health, hub: d.Hub, notices: d.Notices, region: d.Config.FlyRegion, r: r}
	admin := &adminHandler{q: d.Queries, r: r}
	adminNotices := &adminNoticesHandler{notices: d.Notices, s: s, r: r}
	adminModels := &adminModelsHandler{quant: d.Quant, jobs: d.Jobs, s: s, r: r}
	adminDividends := &adminDividendsHandler{pf: d.Portfolio, s: s, r: r}
	adminCorporateActions := &adminCorporateActionsHandler{actions: d.CorporateActions, jobs: d.Jobs, s: s, r: r}
	apiAuth := &apiAuthHandler{users: d.Users}
	apiMarket := &apiMarketHandler{q: d.Queries, market: d.Market, hub: d.Hub}
	apiCorporateActions := &apiCorporateActionsHandler{market: d.Market, actions: d.CorporateActions}
	apiDividends := &apiDividendsHandler{q: d.Queries, market: d.Market}
	apiWatchlists := &apiWatchlistsHandler{lists: d.Watchlists}
	apiQuant := &apiQuantHandler{pool: d.Pool, quant: d.Quant}
	apiPortfolio := &apiPortfolioHandler{pf: d.Portfolio}
	backtests := &backtestsHandler{jobs: d.Jobs, runs: d.Jobs.Backtests(), quant: d.Quant, s: s, r: r}
	backtestsStream := &backtestsStreamHandler{runs: d.Jobs.Backtests(), streams: streams, s: s}
	apiBacktests := &apiBacktestsHandler{jobs: d.Jobs, runs: d.Jobs.Backtests()}
	stream := &streamHandler{hub: d.Hub, streams: streams, s: s, api: apiAuth}
	portfolioStream := &portfolioStreamHandler{pf: d.Portfolio, hub: d.Hub, streams: streams, s: s}

	// Route middleware is listed per route: an Echo group with an empty prefix
	// would register catch-all routes that turn every 405 into a 404.
	ops := []echo.MiddlewareFunc{markRouted, writeDeadline(10 * time.Second)}
	// Pages carry the session (and with it CSRF checks on state changes).
	page := chain([]echo.MiddlewareFunc{markRouted, writeDeadline(30 * time.Second)}, s.middleware()...)
	signedIn := chain(page, requireUser)
	adminOnly := chain(page, requireAdmin)
	upload := chain([]echo.MiddlewareFunc{middleware.BodyLimit("70M"), markRouted, writeDeadline(60 * time.Second)},
		chain(s.sessionOnly(), s.checkOrigin, requireAdmin)...)
	// The JSON API authenticates by bearer token only: no cookies, so no CSRF.
	apiOpen := []echo.MiddlewareFunc{markRouted, writeDeadline(30 * time.Second), noStore}
	// Every API route needs a token with its scope: read for reads (and the
	// signal lookup), trade for orders and watchlist changes.
	apiRead := chain(apiOpen, apiAuth.requireToken, limit.perToken, requireScope(auth.ScopeRead))
	apiTrade := chain(apiOpen, apiAuth.requireToken, limit.perToken, requireScope(auth.ScopeTrade))
	// Streams are long-lived: no write deadline (each write sets its own).
	streamPage := chain(chain([]echo.MiddlewareFunc{markRouted}, s.middleware()...), requireUser)
	streamAPI := []echo.MiddlewareFunc{markRouted, noStore, apiAuth.requireToken, limit.perToken, requireScope(auth.ScopeRead)}

	// Static files carry their content hash in the URL.
	e.GET("/static/*", echo.WrapHandler(d.Assets))

	// Operational endpoints (deployment plan).
	e.GET("/api/health", health.handleHealth, ops...)
	e.GET("/api/ready", health.handleReady, ops...)
	e.GET("/api/db/health", health.handleDBHealth, ops...)
	e.GET("/api/version", health.handleVersion, ops...)
	if d.Config.MetricsAddr == "" {
		e.GET("/metrics", metricsHandler(d.Config, d.Metrics), ops...)
	}

	// Public pages and accounts.
	e.GET("/", home.handleHome, page...)
	e.GET("/overview", home.handleHome, page...)
	e.GET("/status", status.handleStatus, page...)
	e.GET("/signin", account.handleSignInPage, page...)
	e.POST("/signin", account.handleSignIn, page...)
	e.GET("/signup", account.handleSignUpPage, page...)
	e.POST("/signup", account.handleSignUp, page...)
	e.GET("/signup/confirm", account.handleSignUpConfirmPage, page...)
	e.POST("/signup/confirm", account.handleSignUpConfirm, page...)
	e.POST("/signout", account.handleSignOut, page...)
	e.GET("/forgot", account.handleForgotPage, page...)
	e.POST("/forgot", account.handleForgot, page...)
	e.GET("/reset", account.handleResetPage, page...)
	e.POST("/reset", account.handleReset, page...)

	// Signed-in users: settings.
	e.GET("/settings", settings.handleSettings, signedIn...)
	e.POST("/settings/profile", settings.handleProfile, signedIn...)
	e.POST("/settings/password", settings.handlePassword, signedIn...)
	e.POST("/settings/keys", settings.handleCreateKey, signedIn...)
	e.POST("/settings/keys/:id/revoke", settings.handleRevokeKey, signedIn...)
	e.POST("/settings/sessions/:id/end", settings.handleEndSession, signedIn...)
	e.POST("/settings/delete", settings.handleDelete, signedIn...)

	// Signed-in users: markets and watchlists (live data).
	e.GET("/markets", markets.handleMarkets, signedIn...)
	e.GET("/instruments/:code", instruments.handleInstrument, signedIn...)
	e.GET("/instruments/:code/chart", instruments.handleChart, signedIn...)
	e.GET("/instruments/:code/candles.json", instruments.handleCandlesJSON, signedIn...)
	e.GET("/instruments/:code/history", instruments.handleHistory, signedIn...)
	e.POST("/instruments/:code/watch", instruments.handleWatch, signedIn...)
	e.GET("/watchlists", watchlists.handleList, signedIn...)
	e.POST("/watchlists", watchlists.handleCreate, signedIn...)
	e.POST("/watchlists/:id/rename", watchlists.handleRename, signedIn...)
	e.POST("/watchlists/:id/up", watchlists.handleUp, signedIn...)
	e.POST("/watchlists/:id/down", watchlists.handleDown, signedIn...)
	e.POST("/watchlists/:id/delete", watchlists.handleDelete, signedIn...)
	e.POST("/watchlists/:id/items", watchlists.handleAddItem, signedIn...)
	e.POST("/watchlists/:id/items/:code/delete", watchlists.handleRemoveItem, signedIn...)

	// Signed-in users: quant (signals, model evidence, factor lab).
	e.GET("/signals", signals.handleSignals, signedIn...)
	e.GET("/models", models.handleModels, signedIn...)
	e.GET("/models/:id", models.handleModel, signedIn...)
	e.GET("/factors", factors.handleLab, signedIn...)
	e.GET("/factors/evaluate", factors.handleEvaluate, signedIn...)

	// Signed-in users: backtests (runs are background jobs; each is its user's).
	e.GET("/backtests", backtests.handleList, signedIn...)
	e.POST("/backtests", backtests.handleCreate, signedIn...)
	e.GET("/backtests/compare", backtests.handleCompare, signedIn...)
	e.GET("/backtests/:id", backtests.handleShow, signedIn...)
	e.POST("/backtests/:id/cancel", backtests.handleCancel, signedIn...)
	e.GET("/backtests/:id/trades", backtests.handleTrades, signedIn...)
	e.GET("/backtests/:id/trades.csv", backtests.handleTradesCSV, signedIn...)
	e.GET("/backtests/:id/positions", backtests.handlePositions, signedIn...)

	// Signed-in users: paper trading.
	e.GET("/portfolio", portfolio.handleDashboard, signedIn...)
	e.GET("/portfolio/accounts/:id", portfolio.handleAccount, signedIn...)
	e.GET("/portfolio/accounts/:id/holdings", portfolio.handleHoldings, signedIn...)
	e.GET("/portfolio/accounts", portfolioAccounts.handleList, signedIn...)
	e.POST("/portfolio/accounts", portfolioAccounts.handleCreate, signedIn...)
	e.POST("/portfolio/accounts/:id/reset", portfolioAccounts.handleReset, signedIn...)
	e.GET("/portfolio/trade", portfolioTrade.handleTicket, signedIn...)
	e.GET("/portfolio/trade/preview", portfolioTrade.handlePreview, signedIn...)
	e.GET("/portfolio/trade/parcels", portfolioTrade.handleParcels, signedIn...)
	e.POST("/portfolio/orders", portfolioTrade.handlePlace, signedIn...)
	e.GET("/portfolio/orders", portfolioOrders.handleList, signedIn...)
	e.GET("/portfolio/orders/:id", portfolioOrders.handleShow, signedIn...)
	e.POST("/portfolio/orders/:id/cancel", portfolioOrders.handleCancel, signedIn...)
	e.GET("/portfolio/ledger", portfolioReports.handleLedger, signedIn...)
	e.GET("/portfolio/tax", portfolioReports.handleTax, signedIn...)
	e.GET("/portfolio/tax/cgt.csv", portfolioReports.handleCGTCSV, signedIn...)

	// Back office: every /admin route is admins only.
	e.GET("/admin", admin.handleAdmin, adminOnly...)
	e.GET("/admin/models", adminModels.handlePage, adminOnly...)
	e.POST("/admin/models/train", adminModels.handleTrain, adminOnly...)
	// The upload has its own body limit, and checks the session and role
	// before any of the body is read; the handler checks CSRF as it streams.
	e.POST(modelUploadPath, adminModels.handleUpload, upload...)
	e.POST("/admin/models/:id/activate", adminModels.handleActivate, adminOnly...)
	e.GET("/admin/jobs/:id", adminModels.handleJob, adminOnly...)
	e.GET("/admin/notices", adminNotices.handleList, adminOnly...)
	e.POST("/admin/notices", adminNotices.handlePost, adminOnly...)
	e.POST("/admin/notices/:id/end", adminNotices.handleEnd, adminOnly...)
	e.GET("/admin/dividends", adminDividends.handleList, adminOnly...)
	e.POST("/admin/dividends", adminDividends.handleImport, adminOnly...)
	e.GET("/admin/corporate-actions", adminCorporateActions.handleList, adminOnly...)
	e.POST("/admin/corporate-actions", adminCorporateActions.handleSave, adminOnly...)
	e.POST("/admin/corporate-actions/import", adminCorporateActions.handleImport, adminOnly...)
	e.POST("/admin/corporate-actions/:id/delete", adminCorporateActions.handleDelete, adminOnly...)

	// JSON API. Some routes are also served at the deployment plan's paths
	// (/api/auth/login, /api/market/quotes, /api/trading/signals, /api/portfolio).
	e.POST("/api/v1/auth/login", apiAuth.handleLogin, apiOpen...)
	e.POST("/api/auth/login", apiAuth.handleLogin, apiOpen...)
	e.GET("/api/v1/me", apiAuth.handleMe, apiRead...)
	e.GET("/api/v1/instruments", apiMarket.handleInstruments, apiRead...)
	e.GET("/api/v1/instruments/:code", apiMarket.handleInstrument, apiRead...)
	e.GET("/api/v1/instruments/:code/candles", apiMarket.handleCandles, apiRead...)
	e.GET("/api/v1/instruments/:code/corporate-actions", apiCorporateActions.handleList, apiRead...)
	e.GET("/api/v1/quotes", apiMarket.handleQuotes, apiRead...)
	e.GET("/api/market/quotes", apiMarket.handleQuotes, apiRead...)
	e.GET("/api/v1/watchlists", apiWatchlists.handleList, apiRead...)
	e.POST("/api/v1/watchlists", apiWatchlists.handleCreate, apiTrade...)
	e.GET("/api/v1/watchlists/:id", apiWatchlists.handleGet, apiRead...)
	e.PATCH("/api/v1/watchlists/:id", apiWatchlists.handleUpdate, apiTrade...)
	e.DELETE("/api/v1/watchlists/:id", apiWatchlists.handleDelete, apiTrade...)
	e.POST("/api/v1/watchlists/:id/items", apiWatchlists.handleAddItem, apiTrade...)
	e.DELETE("/api/v1/watchlists/:id/items/:code", apiWatchlists.handleRemoveItem, apiTrade...)
	e.POST("/api/v1/signals", apiQuant.handleSignal, apiRead...) // a lookup: it changes nothing
	e.POST("/api/trading/signals", apiQuant.handleSignal, apiRead...)
	e.GET("/api/v1/signals", apiQuant.handleRanking, apiRead...)
	e.GET("/api/v1/models", apiQuant.handleModels, apiRead...)
	e.GET("/api/v1/factors", apiQuant.handleFactors, apiRead...)
	e.GET("/api/v1/portfolio", apiPortfolio.handlePortfolio, apiRead...)
	e.GET("/api/portfolio", apiPortfolio.handlePortfolio, apiRead...)
	e.GET("/api/v1/holdings", apiPortfolio.handleHoldings, apiRead...)
	e.POST("/api/v1/orders", apiPortfolio.handlePlaceOrder, apiTrade...)
	e.GET("/api/v1/orders", apiPortfolio.handleListOrders, apiRead...)
	e.GET("/api/v1/orders/:id", apiPortfolio.handleGetOrder, apiRead...)
	e.DELETE("/api/v1/orders/:id", apiPortfolio.handleCancelOrder, apiTrade...)
	e.GET("/api/v1/transactions", apiPortfolio.handleTransactions, apiRead...)
	e.GET("/api/v1/tax/cgt", apiPortfolio.handleCGT, apiRead...)
	e.GET("/api/v1/instruments/:code/dividends", apiDividends.handleInstrumentDividends, apiRead...)
	e.GET("/api/v1/dividends/coverage", apiDividends.handleCoverage, apiRead...)
	// Backtests: queuing or cancelling a run changes state (trade scope).
	e.POST("/api/v1/backtests", apiBacktests.handleCreate, apiTrade...)
	e.GET("/api/v1/backtests", apiBacktests.handleList, apiRead...)
	e.GET("/api/v1/backtests/:id", apiBacktests.handleGet, apiRead...)
	e.POST("/api/v1/backtests/:id/cancel", apiBacktests.handleCancel, apiTrade...)
	e.GET("/api/v1/backtests/:id/returns", apiBacktests.handleReturns, apiRead...)
	e.GET("/api/v1/backtests/:id/trades", apiBacktests.handleTrades, apiRead...)
	e.GET("/api/v1/backtests/:id/positions", apiBacktests.handlePositions, apiRead...)

	// Streams (Server-Sent Events).
	e.GET("/stream/quotes", stream.handlePageStream, streamPage...)
	e.GET("/portfolio/accounts/:id/stream", portfolioStream.handleStream, streamPage...)
	e.GET("/backtests/:id/stream", backtestsStream.handleStream, streamPage...)
	e.GET("/api/v1/stream/quotes", stream.handleAPIStream, streamAPI...)

	// The API's OpenAPI 3.1 document (handlers/openapi/openapi.json).
	e.GET("/api/openapi.json", apiOpenAPIHandler{}.handleSpec, ops...)

	// Unknown paths and methods reach the error handler as Echo's 404 and 405.
}

// chain is base followed by more, in a new slice: chains built from one base
// never share (and overwrite) its backing array.
func chain(base []echo.MiddlewareFunc, more ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
	return append(slices.Clip(base), more...)
}
