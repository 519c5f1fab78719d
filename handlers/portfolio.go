package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// portfolioHandler serves the paper-trading dashboard: summary, holdings,
// allocation and value history (the live stream is portfolioStreamHandler).
type portfolioHandler struct {
	pf *portfolio.Service
	r  *renderer
}

// handleDashboard is /portfolio: the named (?account=) or default account;
// a user's first visit opens the default account.
func (h *portfolioHandler) handleDashboard(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	return h.respond(c, a)
}

// handleAccount is /portfolio/accounts/:id, the same dashboard.
func (h *portfolioHandler) handleAccount(c echo.Context) error {
	a, err := pathAccount(c, h.pf)
	if err != nil {
		return err
	}
	return h.respond(c, a)
}

// respond serves the dashboard, or its summary cards to htmx.
func (h *portfolioHandler) respond(c echo.Context, a portfolio.Account) error {
	v, err := h.dashboard(c, a)
	if err != nil {
		return err
	}
	return h.r.respond(c, http.StatusOK, a.Name, "portfolio", ready(pages.Portfolio(v)), ready(components.PortfolioSummary(v.Summary)))
}

// handleHoldings is the holdings table's own URL.
func (h *portfolioHandler) handleHoldings(c echo.Context) error {
	a, err := pathAccount(c, h.pf)
	if err != nil {
		return err
	}
	page := func() (templ.Component, error) {
		v, err := h.dashboard(c, a)
		return pages.Portfolio(v), err
	}
	partial := func() (templ.Component, error) {
		v, err := h.pf.Value(c.Request().Context(), a)
		return components.Holdings(holdingsView(v)), err
	}
	return h.r.respond(c, http.StatusOK, a.Name, "portfolio", page, partial)
}

// dashboard builds the whole dashboard of account a.
func (h *portfolioHandler) dashboard(c echo.Context, a portfolio.Account) (pages.PortfolioView, error) {
	ctx := c.Request().Context()
	v, err := h.pf.Value(ctx, a)
	if err != nil {
		return pages.PortfolioView{}, err
	}
	hist, err := h.pf.History(ctx, v)
	if err != nil {
		return pages.PortfolioView{}, err
	}
	nav, err := portfolioNav(ctx, h.pf, currentUser(c).ID, a, "dashboard", "/portfolio")
	if err != nil {
		return pages.PortfolioView{}, err
	}
	divs, err := holdingsDividendNote(ctx, h.pf, v)
	if err != nil {
		return pages.PortfolioView{}, err
	}
	return pages.PortfolioView{
		Nav:  nav,
		Name: a.Name,
		Details: "Started " + display.ShortDate(a.CreatedAt) + " with " + display.Money(a.StartingBalance) + " · brokerage " + a.FeeSchedule +
			" · parcels " + methodLabel(a.Method),
		Summary:   summaryView(v, hist.TWR),
		Holdings:  holdingsView(v),
		ByHolding: allocationBars(v.ByHolding),
		BySector:  allocationBars(v.BySector),
		History:   historyView(hist),
		StreamURL: "/portfolio/accounts/" + strconv.FormatInt(a.ID, 10) + "/stream",
		Charts:    h.r.assets.URL("vendor/lightweight-charts.standalone.production.js"),
		Script:    h.r.assets.URL("js/portfolio.js"),
		Dividends: divs,
	}, nil
}

// historyView rebases the account's value and XJO to 100 at their first day.
func historyView(h portfolio.History) pages.ValueHistoryView {
	v := pages.ValueHistoryView{TWR: display.PctOf(h.TWR), Benchmark: "has no closes in this period"}
	if len(h.Points) > 0 && h.Points[0].Value.IsPositive() {
		base := h.Points[0].Value
		for _, p := range h.Points {
			r, _ := p.Value.Div(base).Mul(decimal.NewFromInt(100)).Float64()
			v.Data.Value = append(v.Data.Value, pages.ValuePoint{Time: p.Date.Format(time.DateOnly), Value: r})
		}
	}
	if len(h.Benchmark) > 0 && h.Benchmark[0].Close > 0 {
		for _, b := range h.Benchmark {
			v.Data.Bench = append(v.Data.Bench, pages.ValuePoint{Time: b.Date.Format(time.DateOnly), Value: b.Close / h.Benchmark[0].Close * 100})
		}
	}
	if len(h.Benchmark) >= 2 {
		v.Benchmark = display.Pct(h.BenchmarkReturn) + " over the same days"
	}
	if v.Data.Value == nil {
		v.Data.Value = []pages.ValuePoint{}
	}
	if v.Data.Bench == nil {
		v.Data.Bench = []pages.ValuePoint{}
	}
	return v
}
