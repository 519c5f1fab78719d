package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/pages"
)

// MarketsHandler serves the live quote board.
type MarketsHandler struct {
	q      *db.Queries
	hub    *hub.Hub
	quotes *QuoteRenderer
	lists  *market.Watchlists
	clock  provider.Clock
	r      *renderer
}

type boardQuery struct {
	Sector    string `query:"sector"`
	Query     string `query:"q"`
	Watchlist string `query:"watchlist"`
}

func (h *MarketsHandler) handleMarkets(c echo.Context) error {
	var in boardQuery
	if err := c.Bind(&in); err != nil {
		return apperr.New(apperr.Invalid, "Bad query string.")
	}
	v, err := h.board(c, in)
	if err != nil {
		return err
	}
	return h.r.pageOrPartial(c, "Markets", "markets", pages.Markets(v), components.QuoteBoard(v))
}

// board filters the live quotes by sector, search text and watchlist.
func (h *MarketsHandler) board(c echo.Context, in boardQuery) (components.QuoteBoardView, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	sectors, err := h.q.ListSectors(ctx)
	if err != nil {
		return components.QuoteBoardView{}, err
	}
	if in.Sector != "" && !slices.Contains(sectors, in.Sector) {
		return components.QuoteBoardView{}, apperr.FieldError("sector", "Unknown sector %q.", in.Sector)
	}
	in.Query = strings.TrimSpace(in.Query)
	if len(in.Query) > 40 {
		return components.QuoteBoardView{}, apperr.FieldError("q", "Search with at most 40 characters.")
	}
	v := components.QuoteBoardView{Sector: in.Sector, Query: in.Query, Sectors: sectors, Simulated: h.clock != nil && h.clock.Simulated()}
	lists, err := h.lists.List(ctx, u.ID)
	if err != nil {
		return v, err
	}
	for _, l := range lists {
		v.Watchlists = append(v.Watchlists, components.WatchlistOption{ID: l.ID, Name: l.Name})
	}
	var only map[string]bool
	if in.Watchlist != "" {
		id, err := strconv.ParseInt(in.Watchlist, 10, 64)
		if err != nil {
			return v, apperr.FieldError("watchlist", "Unknown watchlist.")
		}
		wl, err := h.lists.Get(ctx, u.ID, id)
		if err != nil {
			return v, err
		}
		v.Watchlist = id
		only = map[string]bool{}
		for _, code := range wl.Codes {
			only[code] = true
		}
	}
	q := strings.ToUpper(in.Query)
	var codes []string
	for _, quote := range h.hub.Quotes() {
		l := h.quotes.listing(quote.Code)
		if l.Kind != "equity" || (in.Sector != "" && l.Sector != in.Sector) || (only != nil && !only[quote.Code]) {
			continue
		}
		if q != "" && !strings.HasPrefix(quote.Code, q) && !strings.Contains(strings.ToUpper(l.Name), q) {
			continue
		}
		v.Rows = append(v.Rows, h.quotes.Row(quote, market.Quote{}))
		codes = append(codes, quote.Code)
	}
	v.StreamURL = "/stream/quotes?codes=" + url.QueryEscape(strings.Join(codes, ","))
	return v, nil
}

// InstrumentHandler serves an instrument's page, chart and history.
type InstrumentHandler struct {
	q      *db.Queries
	quant  *pipeline.Pipeline
	market *market.Service
	hub    *hub.Hub
	quotes *QuoteRenderer
	lists  *market.Watchlists
	s      *sessions
	r      *renderer
}

const historyPageSize = 20

func (h *InstrumentHandler) instrument(c echo.Context) (db.Instrument, error) {
	return h.market.Instrument(c.Request().Context(), c.Param("code"))
}

func (h *InstrumentHandler) handleInstrument(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	chart, err := h.chart(in.Code, c.QueryParam("interval"), c.QueryParam("range"), c.QueryParam("overlay"))
	if err != nil {
		return err
	}
	v, err := h.view(c, in, chart, 1)
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, in.Code, "markets", pages.Instrument(v))
}

func (h *InstrumentHandler) handleChart(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	chart, err := h.chart(in.Code, c.QueryParam("interval"), c.QueryParam("range"), c.QueryParam("overlay"))
	if err != nil {
		return err
	}
	if isHTMX(c) {
		c.Response().Header().Add("Vary", "HX-Request")
		return component(c, http.StatusOK, pages.ChartPanel(chart))
	}
	v, err := h.view(c, in, chart, 1)
	if err != nil {
		return err
	}
	return h.r.pageOrPartial(c, in.Code, "markets", pages.Instrument(v), pages.ChartPanel(chart))
}

func (h *InstrumentHandler) handleHistory(c echo.Context) error {
	in, err := h.instrument(c)
	if err != nil {
		return err
	}
	page := 1
	if p := c.QueryParam("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 {
			return apperr.FieldError("page", "page must be a whole number from 1")
		}
	}
	hist, err := h.history(c, in.Code, page)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		c.Response().Header().Add("Vary", "HX-Request")
		return component(c, http.StatusOK, pages.History(hist))
	}
	chart, _ := h.chart(in.Code, "", "", "")
	v, err := h.view(c, in, chart, page)
	if err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	return h.r.page(c, http.StatusOK, in.Code, "markets", pages.Instrument(v))
}

// handleWatch adds the instrument to one of the user's watchlists.
func (h *InstrumentHandler) handleWatch(c echo.Context) error {
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
}

func (h *InstrumentHandler) handleCandlesJSON(c echo.Context) error {
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
	now := time.Now()
	bars, err := h.market.Candles(c.Request().Context(), in.Code, iv, now.Add(-span), now.Add(time.Minute))
	if err != nil {
		return err
	}
	out := make([]candleJSON, len(bars))
	for i, b := range bars {
		out[i] = candleJSON{Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume}
		if iv.Intraday() {
			_, off := b.Time.In(asx.Sydney()).Zone()
			out[i].Time = b.Time.Unix() + int64(off)
		} else {
			out[i].Time = b.Time.Format(time.DateOnly)
		}
	}
	resp := map[string]any{"code": in.Code, "interval": iv.Name, "intraday": iv.Intraday(), "bars": out}
	// The model's score history as a line over daily candles.
	if model := c.QueryParam("overlay"); model != "" && !iv.Intraday() && h.quant != nil {
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
	return c.JSON(http.StatusOK, resp)
}
