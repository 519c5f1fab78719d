package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
)

// apiBacktestsHandler is the backtest API: queue a run, read its status and
// metrics, its daily returns, trades and positions; every run is the
// token's user's.
type apiBacktestsHandler struct {
	jobs *jobs.Client
	runs *runs.Service
}

// handleCreate is POST /api/v1/backtests: 202 Accepted with the run and
// Location; bad input is a problem naming the field.
func (h *apiBacktestsHandler) handleCreate(c echo.Context) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return apperr.New(apperr.Invalid, "Send Content-Type: application/json.")
	}
	if err := checkJSONText(c); err != nil {
		return err
	}
	var in backtestInput
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var ue *json.UnmarshalTypeError
		if errors.As(err, &ue) && ue.Field != "" {
			return apperr.FieldError(ue.Field, "%s has the wrong type", ue.Field)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			return apperr.FieldError(f, "unknown field %q", f)
		}
		if errors.Is(err, io.EOF) {
			return apperr.New(apperr.Invalid, "Send a JSON object with the backtest's settings.")
		}
		return apperr.New(apperr.Invalid, "The request body is not valid JSON for this endpoint.")
	}
	req, err := in.request()
	if err != nil {
		return err
	}
	user := principal(c).UserID
	id, err := h.jobs.EnqueueBacktest(c.Request().Context(), user, req)
	if err != nil {
		return err
	}
	r, err := h.runs.Get(c.Request().Context(), user, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/backtests/"+strconv.FormatInt(id, 10))
	return c.JSON(http.StatusAccepted, runJSON(r))
}

// handleList is GET /api/v1/backtests: the user's latest runs.
func (h *apiBacktestsHandler) handleList(c echo.Context) error {
	list, err := h.runs.List(c.Request().Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"backtests": list})
}

func (h *apiBacktestsHandler) run(c echo.Context) (runs.Run, error) {
	return userRun(c, h.runs, principal(c).UserID)
}

// completed is run, refusing a run without results (409).
func (h *apiBacktestsHandler) completed(c echo.Context) (runs.Run, error) {
	return withResults(h.run(c))
}

// handleGet is GET /api/v1/backtests/{id}: status, progress and, once
// complete, the metrics, after-tax views and monthly returns.
func (h *apiBacktestsHandler) handleGet(c echo.Context) error {
	r, err := h.run(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, runJSON(r))
}

// handleCancel is POST /api/v1/backtests/{id}/cancel.
func (h *apiBacktestsHandler) handleCancel(c echo.Context) error {
	r, err := h.run(c)
	if err != nil {
		return err
	}
	if err := h.jobs.CancelBacktest(c.Request().Context(), principal(c).UserID, r.ID); err != nil {
		return err
	}
	r, err = h.runs.Get(c.Request().Context(), principal(c).UserID, r.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, runJSON(r))
}

// handleReturns is GET /api/v1/backtests/{id}/returns: the daily values
// and returns (as days.csv holds them).
func (h *apiBacktestsHandler) handleReturns(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	days, err := h.runs.Days(c.Request().Context(), r)
	if err != nil {
		return err
	}
	dd := backtest.Drawdowns(days)
	type day struct {
		backtest.Day
		Bench    backtest.Num `json:"bench_close"`
		Drawdown float64      `json:"drawdown"`
	}
	out := make([]day, len(days))
	for i, d := range days {
		out[i] = day{Day: d, Bench: backtest.Num(d.Bench), Drawdown: dd[i]}
	}
	return c.JSON(http.StatusOK, map[string]any{"backtest_id": r.ID, "benchmark": r.Benchmark, "days": out})
}

// handleTrades is GET /api/v1/backtests/{id}/trades?page=&per_page=.
func (h *apiBacktestsHandler) handleTrades(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	page, err := intParam(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	per, err := intParam(c, "per_page", 500, 1, 5000)
	if err != nil {
		return err
	}
	ts, n, err := h.runs.Trades(c.Request().Context(), r, (page-1)*per, per)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"backtest_id": r.ID, "page": page, "per_page": per, "total": n, "trades": ts})
}

// handlePositions is GET /api/v1/backtests/{id}/positions: the holdings at
// one close (?date=) or at every close, paged (?page=&per_page=, by date
// then code).
func (h *apiBacktestsHandler) handlePositions(c echo.Context) error {
	r, err := h.completed(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if raw := c.QueryParam("date"); raw != "" {
		date, err := dateField("date", raw)
		if err != nil {
			return err
		}
		hs, err := h.runs.Holdings(ctx, r, date, date)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"backtest_id": r.ID, "date": raw, "positions": hs})
	}
	page, err := intParam(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	per, err := intParam(c, "per_page", 5000, 1, 5000)
	if err != nil {
		return err
	}
	hs, n, err := h.runs.HoldingsPage(ctx, r, (page-1)*per, per)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"backtest_id": r.ID, "page": page, "per_page": per, "total": n, "positions": hs})
}
