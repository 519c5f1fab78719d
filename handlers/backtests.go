package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

const backtestsTitle = "Backtests"

// backtestsHandler serves a trader's backtests: the form and list, a run's
// progress and result, its trades (paged, CSV), positions, cancelling and
// comparing runs. Every run is read through the signed-in user.
type backtestsHandler struct {
	jobs  *jobs.Client
	runs  *runs.Service
	quant *pipeline.Pipeline
	s     *sessions
	r     *renderer
}

func (h *backtestsHandler) handleList(c echo.Context) error {
	v, err := h.listView(c, components.Form{})
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, backtestsTitle, "backtests", pages.Backtests(v))
}

// listView is the backtests page with form f (the defaults when empty).
func (h *backtestsHandler) listView(c echo.Context, f components.Form) (pages.BacktestsView, error) {
	ctx := c.Request().Context()
	v := pages.BacktestsView{CSRF: h.s.csrfToken(c)}
	models, err := h.quant.ListModels(ctx)
	if err != nil {
		return v, err
	}
	for _, m := range models {
		if m.Active {
			v.Models = append(v.Models, components.Option{Value: m.Name, Label: m.Name + " v" + strconv.Itoa(m.Version) + " (" + m.Kind + ")"})
		}
	}
	if f.Values == nil {
		model, start, end := "", pipeline.DefaultSegments().Test.Start, pipeline.DefaultSegments().Test.End
		if len(models) > 0 {
			model = v.Models[0].Value
			for _, m := range models {
				if m.Active && m.Name == model {
					start, end = m.Test.Start, m.Test.End
				}
			}
		}
		f.Values = backtestDefaults(model, start, end)
	}
	f.CSRF = v.CSRF
	v.Form = f
	list, err := h.runs.List(ctx, currentUser(c).ID)
	if err != nil {
		return v, err
	}
	for _, it := range list {
		row := pages.BacktestRow{ID: it.ID, URL: runURL(it.ID), Model: it.Spec.ModelName + " v" + strconv.Itoa(it.Spec.ModelVersion),
			Range: display.DateRange(it.Spec.Start, it.Spec.End), Strategy: strategyLabel(it.Spec.Params), Status: it.Status,
			Created: display.DateTime(it.CreatedAt), TotalReturn: "–", ExcessWithCost: "–", Completed: it.Status == runs.Completed}
		if it.Metrics != nil {
			row.TotalReturn, row.ExcessWithCost = pct(it.Metrics.TotalReturn), pct(it.Metrics.ExcessWithCost.AnnualizedReturn)
		}
		v.Runs = append(v.Runs, row)
	}
	return v, nil
}

// handleCreate queues a run from the form and goes to its page; bad input
// comes back in the form, naming the field (422).
func (h *backtestsHandler) handleCreate(c echo.Context) error {
	vals := make(map[string]string, len(backtestFormFields))
	for _, k := range backtestFormFields {
		vals[k] = c.FormValue(k)
	}
	f := components.Form{Values: vals}
	in, err := backtestFormInput(vals)
	if err == nil {
		var req runs.Request
		if req, err = in.request(); err == nil {
			var id int64
			if id, err = h.jobs.EnqueueBacktest(c.Request().Context(), currentUser(c).ID, req); err == nil {
				return redirect(c, runURL(id))
			}
		}
	}
	return h.r.formFailed(c, err, f, backtestsTitle, "backtests", func(f components.Form) (build, build) {
		v, verr := h.listView(c, f)
		if verr != nil {
			fail := func() (templ.Component, error) { return nil, verr }
			return fail, fail
		}
		return ready(pages.Backtests(v)), ready(pages.BacktestForm(v.Form, v.Models))
	})
}

// run reads the user's run in the path.
func (h *backtestsHandler) run(c echo.Context) (runs.Run, error) {
	return userRun(c, h.runs, currentUser(c).ID)
}

// userRun reads the run in the path when it is user's (404 otherwise: a
// run of another user is not found, not forbidden). The pages and the API
// share it.
func userRun(c echo.Context, svc *runs.Service, user int64) (runs.Run, error) {
	id, err := idParam(c, "Backtest")
	if err != nil {
		return runs.Run{}, err
	}
	r, err := svc.Get(c.Request().Context(), user, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return r, errNotFound("Backtest")
	}
	return r, err
}

// withResults refuses a run that has no results (409).
func withResults(r runs.Run, err error) (runs.Run, error) {
	if err == nil && (r.Status != runs.Completed || r.Summary == nil) {
		err = apperr.New(apperr.Conflict, "Backtest %d has no results: it is %s.", r.ID, r.Status)
	}
	return r, err
}

// handleShow is a run's page: live progress until it is done, then its
// result.
func (h *backtestsHandler) handleShow(c echo.Context) error {
	r, err := h.run(c)
	if err != nil {
		return err
	}
	csrf := h.s.csrfToken(c)
	v := pages.BacktestView{ID: r.ID, Title: "Backtest #" + strconv.FormatInt(r.ID, 10) + ": " + r.Spec.ModelName + " v" + strconv.Itoa(r.Spec.ModelVersion),
		Progress: progressView(r, csrf), Settings: settingsRows(r)}
	if r.Spec.InSample != "" {
		v.Notes = append(v.Notes, r.Spec.InSample)
	}
	if !r.Done() {
		v.StreamURL = runURL(r.ID) + "/stream"
	}
	if r.Status == runs.Completed && r.Summary != nil {
		res, err := h.result(c, r, 1, time.Time{})
		if err != nil {
			return err
		}
		v.Result = &res
	}
	return h.r.page(c, http.StatusOK, backtestsTitle, "backtests", pages.Backtest(v))
}

// result builds a completed run's result view.
func (h *backtestsHandler) result(c echo.Context, r runs.Run, page int, date time.Time) (pages.BacktestResultView, error) {
	ctx := c.Request().Context()
	days, err := h.runs.Days(ctx, r)
	if err != nil || len(days) == 0 {
		return pages.BacktestResultView{}, err
	}
	if date.IsZero() {
		date = days[len(days)-1].Date
	}
	hs, err := h.runs.Holdings(ctx, r, date, date)
	if err != nil {
		return pages.BacktestResultView{}, err
	}
	trades, err := h.trades(c, r, page)
	if err != nil {
		return pages.BacktestResultView{}, err
	}
	s := *r.Summary
	v := pages.BacktestResultView{ID: r.ID, Risk: riskRows(s.Metrics), Figures: figureRows(s), Monthly: monthlyRows(s.Monthly),
		AfterTax: afterTaxViews(s.AfterTax), Positions: positionsView(r.ID, days, hs, date), Trades: trades,
		CSVURL: runURL(r.ID) + "/trades.csv", APIURL: "/api/v1/backtests/" + strconv.FormatInt(r.ID, 10)}
	v.ValuePoints, v.BenchPoints, v.DrawdownPoints = curves(days)
	v.Compare, v.CompareLabel = compareRows(s)
	return v, nil
}

func (h *backtestsHandler) trades(c echo.Context, r runs.Run, page int) (pages.BacktestTradesView, error) {
	ts, n, err := h.runs.Trades(c.Request().Context(), r, (page-1)*tradesPerPage, tradesPerPage)
	if err != nil {
		return pages.BacktestTradesView{}, err
	}
	pagesN := max(1, (n+tradesPerPage-1)/tradesPerPage)
	v := pages.BacktestTradesView{ID: r.ID, Rows: tradeRows(ts), Page: page, Pages: pagesN, Total: display.Int(int64(n)) + " trades"}
	base := runURL(r.ID) + "/trades?page="
	if page > 1 {
		v.PrevURL = base + strconv.Itoa(page-1)
	}
	if page < pagesN {
		v.NextURL = base + strconv.Itoa(page+1)
	}
	return v, nil
}

// completed reads the user's run in the path and refuses one without
// results (409).
func (h *backtestsHandler) completed(c echo.Context) (runs.Run, error) { return withResults(h.run(c)) }

// handleTrades is one page of the trade list.
func (h *backtestsHandler) handleTrades(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	page, err := intParam(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	return h.r.respond(c, http.StatusOK, backtestsTitle, "backtests", func() (templ.Component, error) {
		res, err := h.result(c, r, page, time.Time{})
		if err != nil {
			return nil, err
		}
		return pages.Backtest(pages.BacktestView{ID: r.ID, Title: "Backtest #" + strconv.FormatInt(r.ID, 10),
			Settings: settingsRows(r), Result: &res}), nil
	}, func() (templ.Component, error) {
		t, err := h.trades(c, r, page)
		return pages.BacktestTrades(t), err
	})
}

// handlePositions is the holdings at one close.
func (h *backtestsHandler) handlePositions(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	var date time.Time
	if raw := c.QueryParam("date"); raw != "" {
		if date, err = dateField("date", raw); err != nil {
			return err
		}
	}
	return h.r.respond(c, http.StatusOK, backtestsTitle, "backtests", func() (templ.Component, error) {
		res, err := h.result(c, r, 1, date)
		if err != nil {
			return nil, err
		}
		return pages.Backtest(pages.BacktestView{ID: r.ID, Title: "Backtest #" + strconv.FormatInt(r.ID, 10),
			Settings: settingsRows(r), Result: &res}), nil
	}, func() (templ.Component, error) {
		ctx := c.Request().Context()
		days, err := h.runs.Days(ctx, r)
		if err != nil || len(days) == 0 {
			return nil, err
		}
		if date.IsZero() {
			date = days[len(days)-1].Date
		}
		hs, err := h.runs.Holdings(ctx, r, date, date)
		if err != nil {
			return nil, err
		}
		return pages.BacktestPositions(positionsView(r.ID, days, hs, date)), nil
	})
}

// handleTradesCSV downloads every trade.
func (h *backtestsHandler) handleTradesCSV(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	ts, _, err := h.runs.Trades(c.Request().Context(), r, 0, 10_000_000)
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, `attachment; filename="backtest-`+strconv.FormatInt(r.ID, 10)+`-trades.csv"`)
	w.WriteHeader(http.StatusOK)
	return runs.WriteTradesCSV(w, ts)
}

// handleCancel cancels the user's queued or running run.
func (h *backtestsHandler) handleCancel(c echo.Context) error {
	id, err := idParam(c, "Backtest")
	if err != nil {
		return err
	}
	if err := h.jobs.CancelBacktest(c.Request().Context(), currentUser(c).ID, id); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return errNotFound("Backtest")
		}
		return err
	}
	return redirect(c, runURL(id))
}

// handleCompare compares two or more of the user's completed runs.
func (h *backtestsHandler) handleCompare(c echo.Context) error {
	ctx := c.Request().Context()
	raw := c.QueryParams()["ids"]
	if len(raw) == 1 {
		raw = strings.Split(raw[0], ",")
	}
	if len(raw) < 2 || len(raw) > 6 {
		return apperr.FieldError("ids", "Tick from 2 to 6 completed runs to compare.")
	}
	var v pages.BacktestCompareView
	labels := []string{"Model", "Range", "Strategy", "Brokerage", "Total return", "Annual return", "XJO annual",
		"Excess annualized (no cost)", "Excess annualized (with cost)", "Information ratio (with cost)",
		"Max drawdown", "Sharpe", "Sortino", "Turnover (daily)", "Trades", "Brokerage paid", "Annual after tax (individual)", "Annual after tax (SMSF)"}
	v.Rows = make([]pages.CompareLine, len(labels))
	for i, l := range labels {
		v.Rows[i].Label = l
	}
	keys := "abcdef"
	for k, s := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return apperr.FieldError("ids", "%q is not a backtest id", s)
		}
		r, err := h.runs.Get(ctx, currentUser(c).ID, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			return errNotFound("Backtest")
		}
		if err != nil {
			return err
		}
		if r.Status != runs.Completed || r.Summary == nil {
			return apperr.New(apperr.Conflict, "Backtest %d has no results: it is %s.", r.ID, r.Status)
		}
		days, err := h.runs.Days(ctx, r)
		if err != nil {
			return err
		}
		name := "#" + strconv.FormatInt(r.ID, 10) + " " + r.Spec.ModelName
		v.Columns, v.URLs = append(v.Columns, name), append(v.URLs, runURL(r.ID))
		m := r.Summary.Metrics
		after := []string{"–", "–"}
		for i, a := range r.Summary.AfterTax {
			if i < 2 {
				after[i] = pct(a.AnnualReturn)
			}
		}
		vals := []string{r.Spec.ModelName + " v" + strconv.Itoa(r.Spec.ModelVersion), display.DateRange(r.Spec.Start, r.Spec.End),
			strategyLabel(r.Spec.Params), brokerageLabel(r.Spec.Params), pct(m.TotalReturn), pct(m.AnnualReturn), pct(m.BenchAnnualReturn),
			pct(m.ExcessWithoutCost.AnnualizedReturn), pct(m.ExcessWithCost.AnnualizedReturn), num(m.ExcessWithCost.InformationRatio, 3),
			pct(m.MaxDrawdown), num(m.Sharpe, 2), num(m.Sortino, 2), pct(m.Turnover), strconv.Itoa(m.Trades), display.Money(m.TotalCosts),
			after[0], after[1]}
		for i := range v.Rows {
			v.Rows[i].Values = append(v.Rows[i].Values, vals[i])
		}
		value, _, _ := curves(days)
		v.Series = append(v.Series, pages.ChartSeries{Key: keys[k : k+1], Name: name, Points: value})
	}
	return h.r.page(c, http.StatusOK, "Compare backtests", "backtests", pages.BacktestCompare(v))
}
