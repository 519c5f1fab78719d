package handlers

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// QuantHandler serves the signals, models and model pages.
type QuantHandler struct {
	q     *db.Queries
	quant *pipeline.Pipeline
	s     *sessions
	r     *renderer
}

// fmtNum formats a metric, "–" when it cannot be computed.
func fmtNum(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

func fmtRange(start, end time.Time) string {
	if start.IsZero() {
		return "–"
	}
	return start.Format(time.DateOnly) + " to " + end.Format(time.DateOnly)
}

func (h *QuantHandler) handleSignals(c echo.Context) error {
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
	return h.r.pageOrPartial(c, "Signals", "signals", pages.Signals(v), pages.SignalsTable(v))
}

func summaryRow(m pipeline.ModelSummary) pages.ModelListRow {
	return pages.ModelListRow{ID: m.ID, Name: m.Name, Kind: m.Kind, Version: "v" + strconv.Itoa(m.Version), Active: m.Active,
		Test: fmtRange(m.Test.Start, m.Test.End), IC: fmtNum(m.Metrics.IC, 4), RankIC: fmtNum(m.Metrics.RankIC, 4),
		ICIR: fmtNum(m.Metrics.ICIR, 3), RankICIR: fmtNum(m.Metrics.RankICIR, 3), LongShort: pctOrDash(m.Metrics.LongShort), Versions: m.Versions}
}

func pctOrDash(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return display.Pct(v)
}

func (h *QuantHandler) handleModels(c echo.Context) error {
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

func (h *QuantHandler) handleModel(c echo.Context) error {
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
		Created: display.DateTime(mv.CreatedAt), Train: fmtRange(mv.Train.Start, mv.Train.End), Valid: fmtRange(mv.Valid.Start, mv.Valid.End),
		Test: fmtRange(mv.Test.Start, mv.Test.End), IsAdmin: currentUser(c).IsAdmin(), Params: string(mv.Params),
		Metrics: []pages.MetricRow{
			{Label: "IC (mean daily Pearson)", Value: fmtNum(m.IC, 4)}, {Label: "IC std", Value: fmtNum(m.ICStd, 4)},
			{Label: "ICIR", Value: fmtNum(m.ICIR, 3)}, {Label: "Rank IC (mean daily Spearman)", Value: fmtNum(m.RankIC, 4)},
			{Label: "Rank IC std", Value: fmtNum(m.RankICStd, 4)}, {Label: "Rank ICIR", Value: fmtNum(m.RankICIR, 3)},
			{Label: "Test days", Value: strconv.Itoa(m.Days)}, {Label: "Top − bottom quintile, mean daily return", Value: pctOrDash(m.LongShort)},
			{Label: "Rows train / valid / test", Value: strconv.Itoa(m.TrainRows) + " / " + strconv.Itoa(m.ValidRows) + " / " + strconv.Itoa(m.TestRows)},
			{Label: "Fit time", Value: fmtNum(m.FitSeconds, 1) + " s"},
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
	v.Quintiles = bars(m.Quantiles, func(i int) string { return "Q" + strconv.Itoa(i+1) }, pctOrDash)
	imp := mv.Importance
	if len(imp) > 20 {
		imp = imp[:20]
	}
	gains := make([]float64, len(imp))
	for i, x := range imp {
		gains[i] = x.Gain
	}
	v.Importance = bars(gains, func(i int) string { return imp[i].Feature }, func(g float64) string { return fmtNum(g, 1) })
	for _, s := range versions {
		v.Versions = append(v.Versions, summaryRow(s))
	}
	return h.r.page(c, http.StatusOK, mv.Name+" v"+strconv.Itoa(mv.Version), "models", pages.Model(v))
}

// point is one point of a line chart (lightweight-charts' {time, value}).
type point struct {
	Time  string  `json:"time"`
	Value float64 `json:"value"`
}

func pointsJSON(p []point) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// bars scales values for a horizontal bar chart.
func bars(values []float64, label func(int) string, format func(float64) string) []pages.BarRow {
	top := 0.0
	for _, v := range values {
		if !math.IsNaN(v) {
			top = math.Max(top, math.Abs(v))
		}
	}
	out := make([]pages.BarRow, len(values))
	for i, v := range values {
		f := 0.0
		if top > 0 && !math.IsNaN(v) {
			f = math.Abs(v) / top
		}
		out[i] = pages.BarRow{Label: label(i), Value: format(v), Fraction: f, Negative: v < 0}
	}
	return out
}

// splitCodes is a comma-separated code list, upper-cased.
func splitCodes(raw string) []string {
	var out []string
	for _, c := range strings.Split(raw, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			out = append(out, c)
		}
	}
	return out
}
