package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/market"
)

// addRoutes maps every route of the application: the one place to read them all.
func addRoutes(e *echo.Echo, d Deps, r *renderer, s *sessions, users *auth.Service) {
	q := db.New(d.Pool)
	health := &HealthHandler{pool: d.Pool, rdb: d.Redis, pending: d.PendingMigrations, region: d.Config.FlyRegion}
	home := &HomeHandler{q: q, r: r}
	account := &AccountHandler{users: users, s: s, r: r}
	settings := &SettingsHandler{users: users, s: s, r: r}
	admin := &AdminHandler{q: q, r: r}
	api := &APIAuthHandler{users: users}
	lists := market.NewWatchlists(d.Pool)
	markets := &MarketsHandler{q: q, hub: d.Hub, quotes: d.Quotes, lists: lists, clock: d.Clock, r: r}
	instruments := &InstrumentHandler{q: q, quant: d.Quant, market: d.Market, hub: d.Hub, quotes: d.Quotes, lists: lists, s: s, r: r}
	watchlists := &WatchlistHandler{lists: lists, s: s, r: r}
	stream := &StreamHandler{hub: d.Hub, heartbeat: 15 * time.Second, r: r}
	apiMarket := &APIMarketHandler{q: q, market: d.Market, hub: d.Hub, lists: lists}
	quant := &QuantHandler{q: q, quant: d.Quant, s: s, r: r}
	factorLab := &FactorLabHandler{pool: d.Pool, r: r}
	modelsAdmin := &ModelsAdminHandler{quant: d.Quant, jobs: d.Jobs, s: s, r: r}
	apiQuant := &APIQuantHandler{pool: d.Pool, quant: d.Quant}

	// Static files carry their content hash in the URL.
	e.GET("/static/*", echo.WrapHandler(d.Assets))

	// Route middleware is listed per route: an Echo group with an empty prefix
	// would register catch-all routes that turn every 405 into a 404.
	ops := []echo.MiddlewareFunc{markRouted, writeDeadline(10 * time.Second)}
	// Pages carry the session (and with it CSRF checks on state changes).
	page := append([]echo.MiddlewareFunc{markRouted, writeDeadline(30 * time.Second)}, s.middleware()...)
	signedIn := append(page[:len(page):len(page)], requireUser)
	adminOnly := append(page[:len(page):len(page)], requireAdmin)
	// The JSON API authenticates by bearer token only: no cookies, so no CSRF.
	apiOpen := []echo.MiddlewareFunc{markRouted, writeDeadline(30 * time.Second), noStore}
	apiAuth := append(apiOpen[:len(apiOpen):len(apiOpen)], api.requireToken)
	// Streams are long-lived: no write deadline (the handler sets its own per write).
	streamPage := append([]echo.MiddlewareFunc{markRouted}, s.middleware()...)
	streamPage = append(streamPage, requireUser)
	streamAPI := []echo.MiddlewareFunc{markRouted, noStore, api.requireToken}

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

	// Accounts.
	e.GET("/signin", account.handleSignInPage, page...)
	e.POST("/signin", account.handleSignIn, page...)
	e.GET("/signup", account.handleSignUpPage, page...)
	e.POST("/signup", account.handleSignUp, page...)
	e.POST("/signout", account.handleSignOut, page...)
	e.GET("/forgot", account.handleForgotPage, page...)
	e.POST("/forgot", account.handleForgot, page...)
	e.GET("/reset", account.handleResetPage, page...)
	e.POST("/reset", account.handleReset, page...)

	// Signed-in users.
	e.GET("/settings", settings.handleSettings, signedIn...)
	e.POST("/settings/profile", settings.handleProfile, signedIn...)
	e.POST("/settings/password", settings.handlePassword, signedIn...)
	e.POST("/settings/keys", settings.handleCreateKey, signedIn...)
	e.POST("/settings/keys/:id/revoke", settings.handleRevokeKey, signedIn...)
	e.POST("/settings/sessions/:id/end", settings.handleEndSession, signedIn...)
	e.POST("/settings/delete", settings.handleDelete, signedIn...)

	// Markets (signed-in users: live data).
	e.GET("/markets", markets.handleMarkets, signedIn...)
	e.GET("/stream/quotes", stream.handlePageStream, streamPage...)
	e.GET("/instruments/:code", instruments.handleInstrument, signedIn...)
	e.GET("/instruments/:code/chart", instruments.handleChart, signedIn...)
	e.GET("/instruments/:code/candles.json", instruments.handleCandlesJSON, signedIn...)
	e.GET("/instruments/:code/history", instruments.handleHistory, signedIn...)
	e.POST("/instruments/:code/watch", instruments.handleWatch, signedIn...)
	e.GET("/watchlists", watchlists.handleList, signedIn...)
	e.POST("/watchlists", watchlists.handleCreate, signedIn...)
	e.POST("/watchlists/:id/rename", watchlists.handleRename(), signedIn...)
	e.POST("/watchlists/:id/up", watchlists.handleMove(-1), signedIn...)
	e.POST("/watchlists/:id/down", watchlists.handleMove(+1), signedIn...)
	e.POST("/watchlists/:id/delete", watchlists.handleDelete(), signedIn...)
	e.POST("/watchlists/:id/items", watchlists.handleAddItem(), signedIn...)
	e.POST("/watchlists/:id/items/:code/delete", watchlists.handleRemoveItem(), signedIn...)

	// Quant: signals, model evidence, factor lab.
	e.GET("/signals", quant.handleSignals, signedIn...)
	e.GET("/models", quant.handleModels, signedIn...)
	e.GET("/models/:id", quant.handleModel, signedIn...)
	e.GET("/factors", factorLab.handleLab, signedIn...)
	e.GET("/factors/evaluate", factorLab.handleEvaluate, signedIn...)

	// Back office: every /admin route is admins only.
	e.GET("/admin", admin.handleAdmin, adminOnly...)
	e.GET("/admin/models", modelsAdmin.handlePage, adminOnly...)
	e.POST("/admin/models/train", modelsAdmin.handleTrain, adminOnly...)
	// The upload's own body limit applies before anything (the CSRF check) reads the body.
	e.POST(modelUploadPath, modelsAdmin.handleUpload, append([]echo.MiddlewareFunc{middleware.BodyLimit("70M")}, adminOnly...)...)
	e.POST("/admin/models/:id/activate", modelsAdmin.handleActivate, adminOnly...)
	e.GET("/admin/jobs/:id", modelsAdmin.handleJob, adminOnly...)

	// JSON API. Login is also served at /api/auth/login (the deployment plan's smoke test).
	e.POST("/api/v1/auth/login", api.handleLogin, apiOpen...)
	e.POST("/api/auth/login", api.handleLogin, apiOpen...)
	e.GET("/api/v1/me", api.handleMe, apiAuth...)
	e.GET("/api/v1/instruments", apiMarket.handleInstruments, apiAuth...)
	e.GET("/api/v1/instruments/:code", apiMarket.handleInstrument, apiAuth...)
	e.GET("/api/v1/instruments/:code/candles", apiMarket.handleCandles, apiAuth...)
	e.GET("/api/v1/quotes", apiMarket.handleQuotes, apiAuth...)
	e.GET("/api/market/quotes", apiMarket.handleQuotes, apiAuth...)
	e.GET("/api/v1/stream/quotes", stream.handleAPIStream, streamAPI...)
	e.GET("/api/v1/watchlists", apiMarket.handleListWatchlists, apiAuth...)
	e.POST("/api/v1/watchlists", apiMarket.handleCreateWatchlist, apiAuth...)
	e.GET("/api/v1/watchlists/:id", apiMarket.handleGetWatchlist, apiAuth...)
	e.PATCH("/api/v1/watchlists/:id", apiMarket.handleUpdateWatchlist, apiAuth...)
	e.DELETE("/api/v1/watchlists/:id", apiMarket.handleDeleteWatchlist, apiAuth...)
	e.POST("/api/v1/watchlists/:id/items", apiMarket.handleAddWatchlistItem, apiAuth...)
	e.DELETE("/api/v1/watchlists/:id/items/:code", apiMarket.handleRemoveWatchlistItem, apiAuth...)
	e.POST("/api/v1/signals", apiQuant.handleSignal, apiAuth...)
	e.POST("/api/trading/signals", apiQuant.handleSignal, apiAuth...)
	e.GET("/api/v1/signals", apiQuant.handleRanking, apiAuth...)
	e.GET("/api/v1/models", apiQuant.handleModels, apiAuth...)
	e.GET("/api/v1/factors", apiQuant.handleFactors, apiAuth...)
	// Portfolio (paper trading): pages and API.
	// BEGIN portfolio routes
	pf := newPortfolioService(d)
	paper := &PortfolioHandler{pf: pf, hub: d.Hub, r: r}
	paperAccounts := &PaperAccountsHandler{pf: pf, s: s, r: r}
	paperOrders := &PaperOrdersHandler{pf: pf, s: s, r: r}
	ticket := &TicketHandler{pf: pf, hub: d.Hub, s: s, r: r}
	paperReports := &PaperReportsHandler{pf: pf, r: r}
	dividends := &DividendAdminHandler{pf: pf, s: s, r: r}
	apiPaper := &PortfolioAPIHandler{pf: pf}
	// The live dashboard stream is long-lived: no write deadline (it sets its own).
	paperStream := append(append([]echo.MiddlewareFunc{markRouted}, s.middleware()...), requireUser)
	e.GET("/portfolio", paper.handleDashboard, signedIn...)
	e.GET("/portfolio/accounts", paperAccounts.handleList, signedIn...)
	e.POST("/portfolio/accounts", paperAccounts.handleCreate, signedIn...)
	e.GET("/portfolio/accounts/:id", paper.handleAccount, signedIn...)
	e.GET("/portfolio/accounts/:id/holdings", paper.handleHoldings, signedIn...)
	e.GET("/portfolio/accounts/:id/stream", paper.handleStream, paperStream...)
	e.POST("/portfolio/accounts/:id/reset", paperAccounts.handleReset, signedIn...)
	e.GET("/portfolio/trade", ticket.handleTicket, signedIn...)
	e.GET("/portfolio/trade/preview", ticket.handlePreview, signedIn...)
	e.GET("/portfolio/trade/parcels", ticket.handleParcels, signedIn...)
	e.GET("/portfolio/orders", paperOrders.handleList, signedIn...)
	e.POST("/portfolio/orders", ticket.handlePlace, signedIn...)
	e.GET("/portfolio/orders/:id", paperOrders.handleShow, signedIn...)
	e.POST("/portfolio/orders/:id/cancel", paperOrders.handleCancel, signedIn...)
	e.GET("/portfolio/ledger", paperReports.handleLedger, signedIn...)
	e.GET("/portfolio/tax", paperReports.handleTax, signedIn...)
	e.GET("/portfolio/tax/cgt.csv", paperReports.handleCGTCSV, signedIn...)
	e.GET("/admin/dividends", dividends.handleList, adminOnly...)
	e.POST("/admin/dividends", dividends.handleImport, adminOnly...)
	e.GET("/api/v1/portfolio", apiPaper.handlePortfolio, apiAuth...)
	e.GET("/api/portfolio", apiPaper.handlePortfolio, apiAuth...)
	e.GET("/api/v1/holdings", apiPaper.handleHoldings, apiAuth...)
	e.POST("/api/v1/orders", apiPaper.handlePlaceOrder, apiAuth...)
	e.GET("/api/v1/orders", apiPaper.handleListOrders, apiAuth...)
	e.GET("/api/v1/orders/:id", apiPaper.handleGetOrder, apiAuth...)
	e.DELETE("/api/v1/orders/:id", apiPaper.handleCancelOrder, apiAuth...)
	e.GET("/api/v1/transactions", apiPaper.handleTransactions, apiAuth...)
	e.GET("/api/v1/tax/cgt", apiPaper.handleCGT, apiAuth...)
	// END portfolio routes

	// Unknown paths and methods reach the error handler as Echo's 404 and 405.
}

func itoa(n int) string { return strconv.Itoa(n) }

// noStore keeps API responses out of shared caches.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}
