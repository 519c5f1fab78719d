package handlers

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// homeHandler serves the public end-of-day overview.
type homeHandler struct {
	q *db.Queries
	r *renderer
}

type overviewQuery struct {
	Sector string `query:"sector"`
}

// handleHome renders the home page; /overview is the same page whose table
// htmx swaps alone.
func (h *homeHandler) handleHome(c echo.Context) error {
	var in overviewQuery
	if err := c.Bind(&in); err != nil {
		return apperr.FieldError("sector", "Bad query string.")
	}
	ov, err := h.overview(c, in.Sector)
	if err != nil {
		return err
	}
	idx, err := h.q.ListIndexSummaries(c.Request().Context())
	if err != nil {
		return err
	}
	v := pages.HomeView{Overview: ov}
	for i, s := range idx {
		card := pages.IndexCard{
			Code: s.Code, Name: s.Name, Date: display.Date(s.Date),
			Close: s.Close, Change: s.Close - s.PrevClose, ChangePct: s.Close/s.PrevClose - 1,
		}
		if sim, err := h.q.IsSimDay(c.Request().Context(), s.Date); err != nil {
			return err
		} else if sim {
			card.Date += " (simulated)"
		}
		if i == 0 && s.Code == "XJO" {
			v.Benchmark = card
			continue
		}
		v.Indices = append(v.Indices, card)
	}
	return h.r.respond(c, http.StatusOK, "Market overview", "home", ready(pages.Home(v)), ready(components.Overview(ov)))
}

// overview loads the table for sector ("" = all). An unknown sector is a 400
// naming the parameter, not an empty table.
func (h *homeHandler) overview(c echo.Context, sector string) (components.OverviewView, error) {
	ctx := c.Request().Context()
	sectors, err := h.q.ListSectors(ctx)
	if err != nil {
		return components.OverviewView{}, err
	}
	if sector != "" && !slices.Contains(sectors, sector) {
		return components.OverviewView{}, apperr.FieldError("sector", "Unknown sector %q.", sector)
	}
	rows, err := h.q.ListMarketOverview(ctx, sector)
	if err != nil {
		return components.OverviewView{}, err
	}
	last, err := h.q.GetLatestBarDate(ctx)
	if err != nil {
		return components.OverviewView{}, err
	}
	v := components.OverviewView{Sector: sector, Sectors: sectors, AsOf: display.Date(last)}
	if sim, err := h.q.IsSimDay(ctx, last); err != nil {
		return v, err
	} else if sim {
		span, err := h.q.GetSimSpan(ctx)
		if err != nil {
			return v, err
		}
		v.AsOf += " (simulated; real history to " + display.Date(span.LastReal) + ")"
	}
	for _, r := range rows {
		v.Rows = append(v.Rows, components.OverviewRow{
			Code: r.Code, Name: r.Name, Sector: r.Sector,
			Close: r.Close, Change: r.Close - r.PrevClose, ChangePct: r.Close/r.PrevClose - 1,
			Volume: r.Volume, Stale: r.Date.Before(last), LastDate: display.Date(r.Date),
		})
	}
	return v, nil
}
