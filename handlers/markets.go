package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// marketsHandler serves the live quote board.
type marketsHandler struct {
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

func (h *marketsHandler) handleMarkets(c echo.Context) error {
	var in boardQuery
	if err := c.Bind(&in); err != nil {
		return apperr.New(apperr.Invalid, "Bad query string.")
	}
	v, err := h.board(c, in)
	if err != nil {
		return err
	}
	return h.r.respond(c, http.StatusOK, "Markets", "markets", ready(pages.Markets(v)), ready(components.QuoteBoard(v)))
}

// board filters the live quotes by sector, search text and watchlist.
func (h *marketsHandler) board(c echo.Context, in boardQuery) (components.QuoteBoardView, error) {
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
	v := components.QuoteBoardView{Sector: in.Sector, Query: in.Query, Sectors: sectors, Simulated: h.clock.Simulated(),
		Session: display.Date(asx.TradeDate(h.clock.Session(h.clock.Now())))}
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
