package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/auth"
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

	// Back office: every /admin route is admins only.
	e.GET("/admin", admin.handleAdmin, adminOnly...)

	// JSON API. Login is also served at /api/auth/login (the deployment plan's smoke test).
	e.POST("/api/v1/auth/login", api.handleLogin, apiOpen...)
	e.POST("/api/auth/login", api.handleLogin, apiOpen...)
	e.GET("/api/v1/me", api.handleMe, apiAuth...)
	// Portfolio (paper trading): pages and API.
	// BEGIN portfolio routes
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
