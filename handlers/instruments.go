package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// instrumentsHandler serves an instrument's page, chart and history, and
// adds it to a watchlist.
type instrumentsHandler struct {
	q      *db.Queries
	quant  *pipeline.Pipeline
	market *market.Service
	hub    *hub.Hub
	quotes *QuoteRenderer
	lists  *market.Watchlists
	runs   *runs.Service // a chosen backtest's trades, drawn as markers
	s      *sessions
	r      *renderer
}

const historyPageSize = 20

func (h *instrumentsHandler) instrument(c echo.Context) (db.Instrument, error) {
	return h.market.Instrument(c.Request().Context(), c.Param("code"))
}

// instrumentChart is the instrument in the path and its chart as the query
// asks for it.
func (h *instrumentsHandler) instrumentChart(c echo.Context) (db.Instrument, pages.ChartView, error) {
	in, err := h.instrument(c)
	if err != nil {
		return in, pages.ChartView{}, err
	}
	chart, err := h.chart(in.Code, c.QueryParam("interval"), c.QueryParam("range"), c.QueryParam("overlay"), c.QueryParam("prices"))
	if err != nil {
		return in, chart, err
	}
	if chart.Backtest, err = backtestParam(c); err != nil {
		return in, chart, err
	}
	if chart.Backtest > 0 {
		chart.Src += "&backtest=" + strconv.FormatInt(chart.Backtest, 10)
	}
	return in, chart, h.labelSimulated(c.Request().Context(), &chart)
}

// labelSimulated captions a chart whose bars come from simulated sessions:
// intraday bars of the demo feed, daily bars with source sim.
func (h *instrumentsHandler) labelSimulated(ctx context.Context, v *pages.ChartView) error {
	if v.Intraday {
		if h.market.Simulated() {
			v.Simulated = "Simulated session (demo feed, not real ASX trading); times are the session's, in Sydney"
		}
		return nil
	}
	first, last, ok, err := h.market.SimSpan(ctx, v.Code)
	if err != nil || !ok {
		return err
	}
	v.Simulated = "Simulated daily bars " + display.ShortDate(first) + " – " + display.ShortDate(last) +
		" (demo sessions after the real history, not real ASX prices; drawn faded)"
	return nil
}

func (h *instrumentsHandler) handleInstrument(c echo.Context) error {
	in, chart, err := h.instrumentChart(c)
	if err != nil {
		return err
	}
	v, err := h.view(c, in, chart, 1)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, in.Code, "markets", pages.Instrument(v))
}

func (h *instrumentsHandler) handleChart(c echo.Context) error {
	in, chart, err := h.instrumentChart(c)
	if err != nil {
		return err
	}
	page := func() (templ.Component, error) {
		v, err := h.view(c, in, chart, 1)
		return pages.Instrument(v), err
	}
	return h.r.respond(c, http.StatusOK, in.Code, "markets", page, ready(pages.ChartPanel(chart)))
}

func (h *instrumentsHandler) handleHistory(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	n := 1
	if p := c.QueryParam("page"); p != "" {
		if n, err = strconv.Atoi(p); err != nil || n < 1 {
			return apperr.FieldError("page", "page must be a whole number from 1")
		}
	}
	page := func() (templ.Component, error) {
		chart, _ := h.chart(in.Code, "", "", "", "")
		if err := h.labelSimulated(c.Request().Context(), &chart); err != nil {
			return nil, err
		}
		v, err := h.view(c, in, chart, n)
		return pages.Instrument(v), err
	}
	partial := func() (templ.Component, error) {
		hist, err := h.history(c, in.Code, n)
		return pages.History(hist), err
	}
	return h.r.respond(c, http.StatusOK, in.Code, "markets", page, partial)
}

// handleWatch adds the instrument to one of the user's watchlists.
func (h *instrumentsHandler) handleWatch(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.FormValue("watchlist"), 10, 64)
	if err != nil {
		return apperr.FieldError("watchlist", "Choose a watchlist.")
	}
	if err := h.lists.Add(c.Request().Context(), currentUser(c).ID, id, in.Code); err != nil {
		return err
	}
	return redirect(c, "/watchlists")
}

// candleJSON is one bar for the chart script: intraday times are Unix
// seconds of Sydney wall-clock time (lightweight-charts draws UTC), daily
// ones "YYYY-MM-DD".
type candleJSON struct {
	Time   any     `json:"time"`
	Open   float64 `json:"open"`
	High   float64 `json:"high"`
	Low    float64 `json:"low"`
	Close  float64 `json:"close"`
	Volume int64   `json:"volume"`
	Sim    bool    `json:"sim,omitempty"` // a simulated session's bar (daily-based intervals)
}

func (h *instrumentsHandler) handleCandlesJSON(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	iv, err := market.ParseInterval(c.QueryParam("interval"))
	if err != nil {
		return err
	}
	span, err := rangeSpan(iv, c.QueryParam("range"))
	if err != nil {
		return err
	}
	prices, err := market.ParsePrices(c.QueryParam("prices"))
	if err != nil {
		return err
	}
	now := h.market.Now() // the session clock: a simulated session's bars carry its times
	bars, err := h.market.CandlesIn(c.Request().Context(), in.Code, iv, now.Add(-span), now.Add(time.Minute), prices)
	if err != nil {
		return err
	}
	// Daily-based candles holding a simulated day are marked (and drawn
	// faded): days with source sim, and today's live bar of a simulated feed.
	simBuckets := map[time.Time]bool{}
	if !iv.Intraday() {
		days, err := h.market.SimDays(c.Request().Context(), in.Code, now.Add(-span), now)
		if err != nil {
			return err
		}
		if h.market.Simulated() {
			days[asx.TradeDate(now)] = true
		}
		for d := range days {
			simBuckets[market.PeriodStart(d, iv.Period)] = true
		}
	}
	out := make([]candleJSON, len(bars))
	for i, b := range bars {
		out[i] = candleJSON{Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume}
		if iv.Intraday() {
			_, off := b.Time.In(asx.Sydney()).Zone()
			out[i].Time = b.Time.Unix() + int64(off)
		} else {
			out[i].Time = b.Time.Format(time.DateOnly)
			out[i].Sim = simBuckets[b.Time]
		}
	}
	resp := map[string]any{"code": in.Code, "interval": iv.Name, "intraday": iv.Intraday(), "bars": out}
	// The model's score history as a line over daily candles.
	if model := c.QueryParam("overlay"); model != "" && !iv.Intraday() {
		pts, err := h.quant.SignalHistory(c.Request().Context(), in.Code, model, now.Add(-span), now)
		if err != nil {
			return err
		}
		overlay := make([]point, len(pts))
		for i, p := range pts {
			overlay[i] = point{p.Date.Format(time.DateOnly), p.Score}
		}
		resp["overlay"] = map[string]any{"model": model, "points": overlay}
	}
	if !iv.Intraday() {
		markers, err := h.tradeMarkers(c, in.Code)
		if err != nil {
			return err
		}
		if markers != nil {
			resp["markers"] = markers
		}
	}
	return c.JSON(http.StatusOK, resp)
}

// chartRanges are the range presets with their spans.
var chartRanges = []struct {
	Name string
	Span time.Duration
}{
	{"1d", 24 * time.Hour}, {"5d", 5 * 24 * time.Hour}, {"1m", 31 * 24 * time.Hour}, {"3m", 92 * 24 * time.Hour},
	{"6m", 183 * 24 * time.Hour}, {"1y", 366 * 24 * time.Hour}, {"5y", 5 * 366 * 24 * time.Hour}, {"max", 12 * 366 * 24 * time.Hour},
}

// rangeSpan resolves a range preset for iv ("" = the interval's default).
func rangeSpan(iv market.Interval, name string) (time.Duration, error) {
	if name == "" {
		return iv.Default, nil
	}
	for _, r := range chartRanges {
		if r.Name == name {
			if r.Span > iv.MaxSpan {
				return 0, apperr.FieldError("range", "range %s is too long for %s candles", name, iv.Name)
			}
			return r.Span, nil
		}
	}
	return 0, apperr.FieldError("range", "range must be one of 1d, 5d, 1m, 3m, 6m, 1y, 5y, max")
}

// rangesFor lists the presets that fit iv.
func rangesFor(iv market.Interval) []string {
	var out []string
	for _, r := range chartRanges {
		if r.Span <= iv.MaxSpan && r.Span*10 >= iv.Default {
			out = append(out, r.Name)
		}
	}
	return out
}

// chart validates interval and range and builds the chart panel; overlay
// names a model whose score history is drawn over daily candles, prices
// chooses adjusted (the default) or raw daily history.
func (h *instrumentsHandler) chart(code, interval, rng, overlay, prices string) (pages.ChartView, error) {
	iv, err := market.ParseInterval(interval)
	if err != nil {
		return pages.ChartView{}, err
	}
	p, err := market.ParsePrices(prices)
	if err != nil {
		return pages.ChartView{}, err
	}
	if _, err := rangeSpan(iv, rng); err != nil {
		return pages.ChartView{}, err
	}
	overlay = strings.ToLower(strings.TrimSpace(overlay))
	if len(overlay) > 40 {
		return pages.ChartView{}, apperr.FieldError("overlay", "overlay must name a model")
	}
	v := pages.ChartView{Code: code, Interval: iv.Name, Range: rng, Ranges: rangesFor(iv), Intraday: iv.Intraday(), Overlay: overlay,
		Raw: p == market.Raw,
		Src: "/instruments/" + code + "/candles.json?interval=" + iv.Name + "&range=" + rng + "&overlay=" + url.QueryEscape(overlay) +
			"&prices=" + string(p),
		Stream: "/stream/quotes?codes=" + code + "&charts=" + code}
	for _, i := range market.Intervals {
		v.Intervals = append(v.Intervals, i.Name)
	}
	return v, nil
}

func (h *instrumentsHandler) history(c echo.Context, code string, page int) (pages.HistoryView, error) {
	ctx := c.Request().Context()
	n, err := h.q.CountDailyBarsFor(ctx, code)
	if err != nil {
		return pages.HistoryView{}, err
	}
	v := pages.HistoryView{Code: code, Page: page, Pages: max(1, int((n+historyPageSize-1)/historyPageSize))}
	if page > v.Pages {
		return v, apperr.FieldError("page", "page %d is past the last page (%d)", page, v.Pages)
	}
	rows, err := h.q.ListDailyHistory(ctx, db.ListDailyHistoryParams{Code: code, Limit: historyPageSize, Offset: int32((page - 1) * historyPageSize)})
	if err != nil {
		return v, err
	}
	var sim map[time.Time]bool
	if len(rows) > 0 {
		if sim, err = h.market.SimDays(ctx, code, rows[len(rows)-1].Date, rows[0].Date); err != nil {
			return v, err
		}
	}
	for _, r := range rows {
		row := pages.HistoryRow{Date: display.Date(r.Date), Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Simulated: sim[r.Date]}
		if r.Volume != nil {
			row.Volume = *r.Volume
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// view builds the whole instrument page.
func (h *instrumentsHandler) view(c echo.Context, in db.Instrument, chart pages.ChartView, page int) (pages.InstrumentView, error) {
	ctx := c.Request().Context()
	v := pages.InstrumentView{Code: in.Code, Name: in.Name, Sector: in.Sector, IndustryGroup: in.IndustryGroup, Kind: in.Kind, Chart: chart}
	if q, ok := h.hub.Quote(in.Code); ok {
		v.Row = h.quotes.Row(q, market.Quote{})
	} else {
		v.Row = components.QuoteRowView{Code: in.Code, Name: in.Name, Event: hub.HTMLEventName(in.Code)}
	}
	st, err := h.q.GetInstrumentStats(ctx, in.Code)
	if err != nil && !db.IsNotFound(err) {
		return v, err
	}
	v.High52, v.Low52, v.AvgVolume, v.LastDate = st.High52w, st.Low52w, int64(st.AvgVolume), display.Date(st.LastDate)
	if v.History, err = h.history(c, in.Code, page); err != nil {
		return v, err
	}
	actions, err := h.q.ListCorporateActions(ctx, db.ListCorporateActionsParams{Code: in.Code, MaxRows: 50})
	if err != nil {
		return v, err
	}
	for _, a := range actions {
		row := components.CorporateActionRow{Kind: a.Kind, Ratio: a.Ratio, Factor: "—"}
		if a.ExDate != nil {
			row.ExDate = display.ShortDate(*a.ExDate)
		}
		if a.AdjustmentFactor != nil {
			row.Factor = strconv.FormatFloat(*a.AdjustmentFactor, 'g', 8, 64)
		}
		v.Actions = append(v.Actions, row)
	}
	if v.Dividends, err = instrumentDividends(ctx, h.q, in.Code); err != nil {
		return v, err
	}
	lists, err := h.lists.List(ctx, currentUser(c).ID)
	if err != nil {
		return v, err
	}
	for _, l := range lists {
		v.Watchlists = append(v.Watchlists, components.WatchlistOption{ID: l.ID, Name: l.Name})
	}
	if len(lists) > 0 {
		v.CSRF = h.s.csrfToken(c)
	}
	return v, nil
}

// backtestParam reads ?backtest=, the signed-in user's run whose trades the
// daily chart marks (0: none).
func backtestParam(c echo.Context) (int64, error) {
	raw := c.QueryParam("backtest")
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.FieldError("backtest", "backtest must be a run id")
	}
	return id, nil
}

// markerJSON is one lightweight-charts series marker.
type markerJSON struct {
	Time     string `json:"time"`
	Position string `json:"position"`
	Color    string `json:"color"`
	Shape    string `json:"shape"`
	Text     string `json:"text"`
}

// tradeMarkers are the buys and sells of code in the user's chosen run.
func (h *instrumentsHandler) tradeMarkers(c echo.Context, code string) ([]markerJSON, error) {
	id, err := backtestParam(c)
	if err != nil || id == 0 {
		return nil, err
	}
	run, err := h.runs.Get(c.Request().Context(), currentUser(c).ID, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, errNotFound("Backtest")
	}
	if err != nil {
		return nil, err
	}
	ts, err := h.runs.TradesOf(c.Request().Context(), run, code)
	if err != nil {
		return nil, err
	}
	out := make([]markerJSON, len(ts))
	for i, t := range ts {
		m := markerJSON{Time: t.Date.Format(time.DateOnly), Position: "belowBar", Color: "#22c55e", Shape: "arrowUp",
			Text: "B " + strconv.FormatInt(t.Shares, 10)}
		if t.Side == "sell" {
			m.Position, m.Color, m.Shape, m.Text = "aboveBar", "#ef4444", "arrowDown", "S "+strconv.FormatInt(t.Shares, 10)
		}
		out[i] = m
	}
	return out, nil
}
