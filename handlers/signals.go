package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// signalsHandler serves the daily ranking of an active model.
type signalsHandler struct {
	q     *db.Queries
	quant *pipeline.Pipeline
	r     *renderer
}

func (h *signalsHandler) handleSignals(c echo.Context) error {
	ctx := c.Request().Context()
	models, err := h.quant.ListModels(ctx)
	if err != nil {
		return err
	}
	v := pages.SignalsView{Model: c.QueryParam("model"), Sector: c.QueryParam("sector")}
	for _, m := range models {
		if m.Active {
			v.Models = append(v.Models, m.Name)
		}
	}
	if v.Sectors, err = h.q.ListSectors(ctx); err != nil {
		return err
	}
	if v.Sector != "" && !slices.Contains(v.Sectors, v.Sector) {
		return apperr.FieldError("sector", "Unknown sector %q.", v.Sector)
	}
	if v.Model == "" && len(v.Models) > 0 {
		v.Model = v.Models[0]
		if slices.Contains(v.Models, "xgboost") {
			v.Model = "xgboost"
		}
	}
	if v.Model == "" {
		v.Empty = "No model is active yet: an administrator trains or uploads one on the Models page."
	} else {
		rk, err := h.quant.Ranking(ctx, pipeline.RankingQuery{Model: v.Model, Sector: v.Sector})
		if err != nil {
			return err
		}
		v.Version = rk.Kind + " v" + strconv.Itoa(rk.Version)
		if !rk.Date.IsZero() {
			v.Date = display.Date(rk.Date)
			// A day of simulated bars (the demo fills the days after the
			// real history) is labelled: its scores rank simulated prices.
			if rk.Simulated {
				span, err := h.q.GetSimSpan(ctx)
				if err != nil {
					return err
				}
				v.Simulated = "Simulated day: these scores rank simulated daily bars (demo sessions after the real history, which ends " +
					display.Date(span.LastReal) + "), not real ASX prices. Model evidence (IC, quintiles) uses real bars only."
			}
		}
		if !rk.PrevDate.IsZero() {
			v.Prev = display.Date(rk.PrevDate)
		}
		for _, r := range rk.Rows {
			v.Rows = append(v.Rows, pages.SignalRow{Rank: r.Rank, Code: r.Code, Name: r.Name, Sector: r.Sector,
				Score: r.Score, Percentile: r.Percentile, Change: r.Change, New: r.PrevRank == 0 && !rk.PrevDate.IsZero()})
		}
		if len(v.Rows) == 0 {
			v.Empty = "The model has not scored any day yet."
		}
	}
	return h.r.respond(c, http.StatusOK, "Signals", "signals", ready(pages.Signals(v)), ready(pages.SignalsTable(v)))
}
