package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// apiMarketHandler serves instruments, quotes and candles to programs.
type apiMarketHandler struct {
	q      *db.Queries
	market *market.Service
	hub    *hub.Hub
}

type instrumentJSON struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	Sector        string `json:"sector,omitempty"`
	IndustryGroup string `json:"industry_group,omitempty"`
	Active        bool   `json:"active"`
}

// handleInstruments lists instruments with filters and pagination.
func (h *apiMarketHandler) handleInstruments(c echo.Context) error {
	page, err := intParam(c, "page", 1, 1, 10000)
	if err != nil {
		return err
	}
	per, err := intParam(c, "per_page", 50, 1, 200)
	if err != nil {
		return err
	}
	kind := c.QueryParam("kind")
	if kind != "" && kind != "equity" && kind != "index" {
		return apperr.FieldError("kind", "kind must be equity or index")
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > 40 {
		return apperr.FieldError("q", "q must be at most 40 characters")
	}
	activeOnly := c.QueryParam("active") != "false"
	ctx := c.Request().Context()
	total, err := h.q.CountInstrumentsFiltered(ctx, db.CountInstrumentsFilteredParams{Kind: kind, Sector: c.QueryParam("sector"), Q: q, ActiveOnly: activeOnly})
	if err != nil {
		return err
	}
	rows, err := h.q.ListInstruments(ctx, db.ListInstrumentsParams{Kind: kind, Sector: c.QueryParam("sector"), Q: q, ActiveOnly: activeOnly,
		MaxRows: int32(per), Skip: int32((page - 1) * per)})
	if err != nil {
		return err
	}
	out := make([]instrumentJSON, len(rows))
	for i, r := range rows {
		out[i] = instrumentJSON{Code: r.Code, Name: r.Name, Kind: r.Kind, Sector: r.Sector, IndustryGroup: r.IndustryGroup, Active: r.Active}
	}
	return c.JSON(http.StatusOK, map[string]any{"instruments": out, "page": page, "per_page": per, "total": total})
}

// handleInstrument describes one instrument with its live quote.
func (h *apiMarketHandler) handleInstrument(c echo.Context) error {
	in, err := h.market.Instrument(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	out := map[string]any{"instrument": instrumentJSON{Code: in.Code, Name: in.Name, Kind: in.Kind, Sector: in.Sector, IndustryGroup: in.IndustryGroup, Active: in.Active}}
	if q, ok := h.hub.Quote(in.Code); ok {
		out["quote"] = JSONQuote(q, market.Tick{})
	}
	return c.JSON(http.StatusOK, out)
}

// handleQuotes returns the live quotes of ?symbols=BHP,CBA (also served at
// /api/market/quotes, the deployment plan's smoke-test path). Unknown codes
// are listed, not fatal, unless none is known.
func (h *apiMarketHandler) handleQuotes(c echo.Context) error {
	codes, err := parseCodes(c.QueryParam("symbols"), "symbols")
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		return apperr.FieldError("symbols", "symbols must list one or more ASX codes, e.g. ?symbols=BHP,CBA")
	}
	if len(codes) > 200 {
		return apperr.FieldError("symbols", "at most 200 symbols")
	}
	quotes := []QuoteJSON{}
	unknown := []string{}
	for _, code := range codes {
		if q, ok := h.hub.Quote(code); ok {
			quotes = append(quotes, JSONQuote(q, market.Tick{}))
		} else {
			unknown = append(unknown, code)
		}
	}
	if len(quotes) == 0 {
		return apperr.New(apperr.NotFound, "No quotes for %s.", strings.Join(unknown, ", "))
	}
	return c.JSON(http.StatusOK, map[string]any{"quotes": quotes, "unknown": unknown, "as_of": h.market.Now().UTC().Format(time.RFC3339)})
}

type apiCandle struct {
	Time   string  `json:"time"`
	Open   float64 `json:"open"`
	High   float64 `json:"high"`
	Low    float64 `json:"low"`
	Close  float64 `json:"close"`
	Volume int64   `json:"volume"`
}

// handleCandles returns candles with real UTC times (RFC 3339; dates for
// daily-based intervals), daily-based ones adjusted for corporate actions
// unless prices=raw.
func (h *apiMarketHandler) handleCandles(c echo.Context) error {
	iv, err := market.ParseInterval(c.QueryParam("interval"))
	if err != nil {
		return err
	}
	from, to, err := iv.Range(c.QueryParam("from"), c.QueryParam("to"), h.market.Now())
	if err != nil {
		return err
	}
	prices, err := market.ParsePrices(c.QueryParam("prices"))
	if err != nil {
		return err
	}
	in, err := h.market.Instrument(c.Request().Context(), c.Param("code"))
	if err != nil {
		return err
	}
	bars, err := h.market.CandlesIn(c.Request().Context(), in.Code, iv, from, to, prices)
	if err != nil {
		return err
	}
	out := make([]apiCandle, len(bars))
	for i, b := range bars {
		t := b.Time.UTC().Format(time.RFC3339)
		if !iv.Intraday() {
			t = b.Time.Format(time.DateOnly)
		}
		out[i] = apiCandle{Time: t, Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume}
	}
	if iv.Intraday() {
		prices = market.Raw // intraday candles are always as traded
	}
	return c.JSON(http.StatusOK, map[string]any{"code": in.Code, "interval": iv.Name, "prices": prices,
		"from": from.UTC().Format(time.RFC3339), "to": to.UTC().Format(time.RFC3339), "candles": out, "limit": market.MaxCandles})
}
