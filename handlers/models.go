package handlers

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// modelsHandler serves the model list and each model version's evidence.
type modelsHandler struct {
	quant *pipeline.Pipeline
	s     *sessions
	r     *renderer
}

func (h *modelsHandler) handleModels(c echo.Context) error {
	models, err := h.quant.ListModels(c.Request().Context())
	if err != nil {
		return err
	}
	v := pages.ModelsView{IsAdmin: currentUser(c).IsAdmin()}
	for _, m := range models {
		v.Rows = append(v.Rows, summaryRow(m))
	}
	return h.r.page(c, http.StatusOK, "Models", "models", pages.Models(v))
}

func (h *modelsHandler) handleModel(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "Model version")
	if err != nil {
		return err
	}
	mv, err := h.quant.ModelVersion(ctx, id)
	if err != nil {
		return err
	}
	days, err := h.quant.DailyIC(ctx, id)
	if err != nil {
		return err
	}
	versions, err := h.quant.ModelVersions(ctx, mv.Name)
	if err != nil {
		return err
	}
	m := mv.Metrics
	v := pages.ModelView{ID: mv.ID, Name: mv.Name, Kind: mv.Kind, Version: "v" + strconv.Itoa(mv.Version), Active: mv.Active,
		Created: display.DateTime(mv.CreatedAt), Train: display.DateRange(mv.Train.Start, mv.Train.End), Valid: display.DateRange(mv.Valid.Start, mv.Valid.End),
		Test: display.DateRange(mv.Test.Start, mv.Test.End), IsAdmin: currentUser(c).IsAdmin(), Params: string(mv.Params),
		Metrics: []pages.MetricRow{
			{Label: "IC (mean daily Pearson)", Value: display.Num(m.IC, 4)}, {Label: "IC std", Value: display.Num(m.ICStd, 4)},
			{Label: "ICIR", Value: display.Num(m.ICIR, 3)}, {Label: "Rank IC (mean daily Spearman)", Value: display.Num(m.RankIC, 4)},
			{Label: "Rank IC std", Value: display.Num(m.RankICStd, 4)}, {Label: "Rank ICIR", Value: display.Num(m.RankICIR, 3)},
			{Label: "Test days", Value: strconv.Itoa(m.Days)}, {Label: "Top − bottom quintile, mean daily return", Value: display.Pct(m.LongShort)},
			{Label: "Rows train / valid / test", Value: strconv.Itoa(m.TrainRows) + " / " + strconv.Itoa(m.ValidRows) + " / " + strconv.Itoa(m.TestRows)},
			{Label: "Fit time", Value: display.Num(m.FitSeconds, 1) + " s"},
			{Label: "Label", Value: labelName(m.Label)},
		}}
	if v.IsAdmin {
		v.CSRF = h.s.csrfToken(c)
	}
	ic, ric := make([]point, 0, len(days)), make([]point, 0, len(days))
	for _, d := range days {
		if !math.IsNaN(d.IC) {
			ic = append(ic, point{d.Date.Format(time.DateOnly), d.IC})
		}
		if !math.IsNaN(d.RankIC) {
			ric = append(ric, point{d.Date.Format(time.DateOnly), d.RankIC})
		}
	}
	v.ICPoints, v.RankICPoints = pointsJSON(ic), pointsJSON(ric)
	v.Quintiles = bars(m.Quantiles, func(i int) string { return "Q" + strconv.Itoa(i+1) }, display.Pct)
	imp := mv.Importance
	if len(imp) > 20 {
		imp = imp[:20]
	}
	gains := make([]float64, len(imp))
	for i, x := range imp {
		gains[i] = x.Gain
	}
	v.Importance = bars(gains, func(i int) string { return imp[i].Feature }, func(g float64) string { return display.Num(g, 1) })
	for _, s := range versions {
		v.Versions = append(v.Versions, summaryRow(s))
	}
	return h.r.page(c, http.StatusOK, mv.Name+" v"+strconv.Itoa(mv.Version), "models", pages.Model(v))
}

// summaryRow maps a model's summary for the model tables.
func summaryRow(m pipeline.ModelSummary) pages.ModelListRow {
	return pages.ModelListRow{ID: m.ID, Name: m.Name, Kind: m.Kind, Version: "v" + strconv.Itoa(m.Version), Active: m.Active,
		Test: display.DateRange(m.Test.Start, m.Test.End), IC: display.Num(m.Metrics.IC, 4), RankIC: display.Num(m.Metrics.RankIC, 4),
		ICIR: display.Num(m.Metrics.ICIR, 3), RankICIR: display.Num(m.Metrics.RankICIR, 3), LongShort: display.Pct(m.Metrics.LongShort), Versions: m.Versions}
}

// labelName says which label a version was trained and measured on.
func labelName(label string) string {
	if label == "total_return" {
		return "total return (price + the dividend going ex; codes without dividend data count their price return)"
	}
	return "price return, Qlib's LABEL0"
}
