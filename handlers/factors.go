package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/lease"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/lab"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// factorsHandler is the factor lab: it evaluates typed Qlib expressions
// across the universe, one run per user at a time (runs), each bounded by
// limits.
type factorsHandler struct {
	pool   *pgxpool.Pool
	runs   *lease.Pool
	limits lab.Limits
	r      *renderer
}

func (h *factorsHandler) form(c echo.Context) components.Form {
	v := map[string]string{"expr": c.QueryParam("expr"), "code": c.QueryParam("code"), "from": c.QueryParam("from"), "to": c.QueryParam("to")}
	if v["expr"] == "" {
		v["expr"] = "($close-Mean($close, 20))/Std($close, 20)"
	}
	if v["code"] == "" {
		v["code"] = "BHP"
	}
	if v["from"] == "" {
		v["from"] = "2024-06-03"
	}
	if v["to"] == "" {
		v["to"] = "2026-06-04"
	}
	return components.Form{Values: v}
}

// handleLab renders the lab; with an expression in the URL it evaluates it
// too, so a result has a URL of its own.
func (h *factorsHandler) handleLab(c echo.Context) error {
	f := h.form(c)
	v := pages.FactorLabView{Form: f}
	if c.QueryParam("expr") != "" {
		res, err := h.evaluate(c, f)
		if v.Form, _, err = formWithError(f, err); err != nil {
			return err
		}
		v.Result = res
	}
	return h.r.page(c, http.StatusOK, "Factor lab", "factors", pages.FactorLab(v))
}

// handleEvaluate is the htmx partial: the result, the parse error with a
// caret at its position, or a field problem as a toast.
func (h *factorsHandler) handleEvaluate(c echo.Context) error {
	res, err := h.evaluate(c, h.form(c))
	if err != nil {
		return err
	}
	pushURL(c, "/factors?"+c.QueryString())
	return component(c, http.StatusOK, pages.FactorResult(res))
}

func (h *factorsHandler) evaluate(c echo.Context, f components.Form) (*pages.FactorResultView, error) {
	syd := asx.Sydney()
	from, err := time.ParseInLocation(time.DateOnly, f.Value("from"), syd)
	if err != nil {
		return nil, apperr.FieldError("from", "from must be a date such as 2024-06-03")
	}
	to, err := time.ParseInLocation(time.DateOnly, f.Value("to"), syd)
	if err != nil {
		return nil, apperr.FieldError("to", "to must be a date such as 2026-06-04")
	}
	run, err := h.runs.Acquire(c.Request().Context(), strconv.FormatInt(currentUser(c).ID, 10))
	switch {
	case err != nil:
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "The factor lab is unavailable right now; try again shortly.", Err: err}
	case run == nil:
		// The run under way ends within the timeout.
		return nil, &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: h.limits.Timeout, Message: fmt.Sprintf(
			"Your previous factor lab evaluation is still running; wait for it to finish (at most %s) and try again.", h.limits.Timeout)}
	}
	defer run.Release()
	res, err := lab.Evaluate(c.Request().Context(), h.pool, lab.Query{Expr: f.Value("expr"), Code: f.Value("code"),
		From: asx.Civil(from), To: asx.Civil(to)}, h.limits)
	if pe, ok := expr.AsParseError(err); ok {
		return &pages.FactorResultView{ErrorPos: pe.Pos, Caret: caret(f.Value("expr"), pe)}, nil
	}
	if err != nil {
		return nil, err
	}
	v := &pages.FactorResultView{Expr: res.Expr, Code: strings.ToUpper(f.Value("code")), ErrorPos: -1,
		IC: display.Num(res.Summary.IC, 4), RankIC: display.Num(res.Summary.RankIC, 4), ICIR: display.Num(res.Summary.ICIR, 3),
		RankICIR: display.Num(res.Summary.RankICIR, 3), Days: res.Summary.Days, Codes: res.Codes}
	ic := make([]point, 0, len(res.Daily))
	for _, d := range res.Daily {
		ic = append(ic, point{d.Date.Format(time.DateOnly), d.IC})
	}
	vals := make([]point, 0, len(res.Series))
	for _, p := range res.Series {
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			vals = append(vals, point{p.Date.Format(time.DateOnly), p.Value})
		}
	}
	v.ICPoints, v.ValuePoints = pointsJSON(ic), pointsJSON(vals)
	return v, nil
}

// caret shows the expression with a ^ under the error's position.
func caret(src string, pe *expr.ParseError) string {
	pos := min(max(pe.Pos, 0), len(src))
	return src + "\n" + strings.Repeat(" ", len([]rune(src[:pos]))) + "^ " + pe.Msg + " (position " + strconv.Itoa(pe.Pos) + ")"
}
