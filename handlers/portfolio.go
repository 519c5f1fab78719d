package handlers

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// PortfolioHandler serves the paper-trading dashboard: summary, holdings,
// allocation, value history, and their live stream.
type PortfolioHandler struct {
	pf  *portfolio.Service
	hub *hub.Hub
	r   *renderer
}

// handleDashboard is /portfolio: the named (?account=) or default account;
// a user's first visit opens the default account.
func (h *PortfolioHandler) handleDashboard(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	return h.render(c, a)
}

// handleAccount is /portfolio/accounts/:id, the same dashboard.
func (h *PortfolioHandler) handleAccount(c echo.Context) error {
	a, err := h.pathAccount(c)
	if err != nil {
		return err
	}
	return h.render(c, a)
}

// handleHoldings is the holdings table's own URL.
func (h *PortfolioHandler) handleHoldings(c echo.Context) error {
	a, err := h.pathAccount(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return h.render(c, a)
	}
	v, err := h.pf.Value(c.Request().Context(), a)
	if err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	return component(c, http.StatusOK, components.Holdings(holdingsView(v)))
}

func (h *PortfolioHandler) pathAccount(c echo.Context) (portfolio.Account, error) {
	id, err := idParam(c, "Paper account")
	if err != nil {
		return portfolio.Account{}, err
	}
	return h.pf.Account(c.Request().Context(), currentUser(c).ID, id)
}

func (h *PortfolioHandler) render(c echo.Context, a portfolio.Account) error {
	ctx := c.Request().Context()
	v, err := h.pf.Value(ctx, a)
	if err != nil {
		return err
	}
	hist, err := h.pf.History(ctx, v)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(a.ID, 10)
	nav, err := portfolioNav(ctx, h.pf, currentUser(c).ID, a, "dashboard", "/portfolio")
	if err != nil {
		return err
	}
	view := pages.PortfolioView{
		Nav:  nav,
		Name: a.Name,
		Details: "Started " + fmtDate(a.CreatedAt) + " with " + fmtMoney(a.StartingBalance) + " · brokerage " + a.FeeSchedule +
			" · parcels " + methodLabel(a.Method),
		Summary:   summaryView(v, hist.TWR),
		Holdings:  holdingsView(v),
		ByHolding: allocationBars(v.ByHolding),
		BySector:  allocationBars(v.BySector),
		History:   historyView(hist),
		StreamURL: "/portfolio/accounts/" + id + "/stream",
		Charts:    h.r.assets.URL("vendor/lightweight-charts.standalone.production.js"),
		Script:    h.r.assets.URL("js/portfolio.js"),
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return component(c, http.StatusOK, components.PortfolioSummary(view.Summary))
	}
	return h.r.page(c, http.StatusOK, a.Name, "portfolio", pages.Portfolio(view))
}

// historyView rebases the account's value and XJO to 100 at their first day.
func historyView(h portfolio.History) pages.ValueHistoryView {
	v := pages.ValueHistoryView{TWR: fmtPct(h.TWR), Benchmark: "has no closes in this period"}
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
		v.Benchmark = fmtPct(decimal.NewFromFloat(h.BenchmarkReturn)) + " over the same days"
	}
	if v.Data.Value == nil {
		v.Data.Value = []pages.ValuePoint{}
	}
	if v.Data.Bench == nil {
		v.Data.Bench = []pages.ValuePoint{}
	}
	return v
}

// handleStream pushes the re-rendered summary and holdings rows as SSE
// events ("summary", "holdings") when the account's quotes move, and every
// few seconds for fills and dividends. Unchanged renders are not sent.
func (h *PortfolioHandler) handleStream(c echo.Context) error {
	a, err := h.pathAccount(c)
	if err != nil {
		return err
	}
	ctx, cancel := h.r.streamContext(c)
	defer cancel()
	user := currentUser(c).ID
	v, err := h.pf.Value(ctx, a)
	if err != nil {
		return err
	}
	hist, err := h.pf.History(ctx, v)
	if err != nil {
		return err
	}
	past := hist.Points[:len(hist.Points)-1]

	w := c.Response()
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	w.WriteHeader(http.StatusOK)

	var sub *hub.Subscription
	var codes []string
	defer func() {
		if sub != nil {
			sub.Close()
		}
	}()
	var lastSummary, lastRows []byte
	send := func(v portfolio.Valuation) error {
		var held []string
		for _, x := range v.Holdings {
			held = append(held, x.Code)
		}
		slices.Sort(held)
		if !slices.Equal(held, codes) {
			if sub != nil {
				sub.Close()
				sub = nil
			}
			if codes = held; len(codes) > 0 {
				sub = h.hub.Subscribe(codes, hub.JSON)
			}
		}
		twr := portfolio.TimeWeightedReturn(append(slices.Clone(past), portfolio.Point{Value: v.Total, Live: true}))
		summary, err := renderBytes(components.PortfolioSummaryBody(summaryView(v, twr)))
		if err != nil {
			return err
		}
		rows, err := renderBytes(components.HoldingsRows(holdingsView(v)))
		if err != nil {
			return err
		}
		_ = rc.SetWriteDeadline(time.Now().Add(15 * time.Second))
		if !bytes.Equal(summary, lastSummary) {
			if err := writeSSE(w, "summary", summary); err != nil {
				return err
			}
			lastSummary = summary
		}
		if !bytes.Equal(rows, lastRows) {
			if err := writeSSE(w, "holdings", rows); err != nil {
				return err
			}
			lastRows = rows
		}
		_, err = w.Write([]byte(": hb\n\n"))
		if err == nil {
			err = rc.Flush()
		}
		return err
	}
	if err := send(v); err != nil {
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	dirty, last := false, time.Now()
	for {
		var notify, done <-chan struct{}
		if sub != nil {
			notify, done = sub.Notify(), sub.Done()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			return nil // dropped by the hub: the browser reconnects
		case <-notify:
			sub.Drain(nil)
			dirty = true
		case <-tick.C:
			if !dirty && time.Since(last) < 5*time.Second {
				continue
			}
			cur, err := h.pf.Account(ctx, user, a.ID)
			if err != nil {
				return nil
			}
			v, err := h.pf.Value(ctx, cur)
			if err != nil || send(v) != nil {
				return nil
			}
			dirty, last = false, time.Now()
		}
	}
}

// writeSSE writes one event, one data line per line of html.
func writeSSE(w http.ResponseWriter, name string, html []byte) error {
	var b bytes.Buffer
	b.WriteString("event: " + name + "\n")
	for _, l := range bytes.Split(bytes.TrimRight(html, "\n"), []byte("\n")) {
		b.WriteString("data: ")
		b.Write(l)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// newPortfolioService is the paper-trading domain over the process's pool,
// quote hub and session clock.
func newPortfolioService(d Deps) *portfolio.Service {
	return portfolio.NewService(d.Pool, d.Hub, d.Clock, d.Calendar)
}
