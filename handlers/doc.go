// Package handlers is Qlib Pro's HTTP layer: Echo routes, middleware, and the
// handlers that bind requests, call the domain and render templ views. It
// builds no domain service: internal/server constructs them once and passes
// them in Deps.
//
// Every route is in routes.go. A handler type is named audience, area, then
// sub-area (portfolioOrdersHandler, adminModelsHandler, apiWatchlistsHandler)
// and lives in the file of the same name (portfolio_orders.go,
// admin_models.go, api_watchlists.go); its methods are handleX. The rest:
//
//	app.go             Deps and New: sessions, renderer, middleware, routes
//	routes.go          every route, by audience: public, signed-in, admin, API, streams
//	respond.go         every htmx convention: page or partial, failed forms, redirects, toasts
//	render.go          the layout and templ rendering
//	errors.go          the one error handler: problem+json, toast or error page
//	input.go           request parsing: JSON bodies, path ids, query parameters, text checks
//	session.go         Redis sessions, CSRF, sign-in, requireUser/requireAdmin
//	middleware.go      request ids and logs, security headers, hosts, deadlines, fly-replay
//	sse.go             the Server-Sent Events writer shared by every stream
//	metrics.go         /metrics on the main port
//	status.go          the header's market-status indicator
//	quote_render.go    QuoteRenderer: board rows and JSON quotes the hub sends
//	charts.go          chart data for the pages' small charts
//	portfolio_views.go paper-trading view models shared by the portfolio pages
//	instruments_dividends.go  dividend tables and coverage notes for the instrument page and dashboard
//	api_portfolio_json.go  the paper-trading API's JSON shapes
//	backtests_views.go backtest requests (form and JSON) and the view models the backtest pages, stream and API share
package handlers
