// Package lab is the factor lab: it evaluates a Qlib expression a trader types
// across the whole universe over a period and measures it the way Qlib
// measures a signal — daily IC and Rank IC against LABEL0 — and returns its
// values on one instrument for the chart.
package lab

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/analysis"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// MaxSpan is the longest period the lab evaluates at once.
const MaxSpan = 3 * 366 * 24 * time.Hour

// Defaults of Limits (FACTOR_LAB_BUDGET, FACTOR_LAB_TIMEOUT).
const (
	DefaultBudget  = 4_000_000_000
	DefaultTimeout = 10 * time.Second
)

// maxLookbackDays caps the calendar days of history loaded before From: a
// century, more than the data holds, so any longer window sees all of it.
// (In days, not a Duration: windows near 71,000 rows overflowed one.)
const maxLookbackDays = 36_600

// Limits bound one evaluation. Budget is the most expr.Program.Cost (about a
// nanosecond of CPU each) an evaluation may be estimated at, summed over the
// instruments, before it starts; Timeout cuts it short while it runs. Zero
// takes the default.
type Limits struct {
	Budget  int64
	Timeout time.Duration
}

// errTimedOut is the cause of a lab run's own deadline, told apart from the
// request ending.
var errTimedOut = errors.New("factor lab timeout")

// Query is one factor-lab request.
type Query struct {
	Expr     string
	Code     string // instrument whose values are returned for the chart
	From, To time.Time
}

// Point is one day of the factor on the chosen instrument.
type Point struct {
	Date  time.Time
	Value float64
}

// Result is the factor's evaluation.
type Result struct {
	Expr    string
	Daily   []analysis.DayIC
	Summary analysis.Summary
	Series  []Point // values on Query.Code
	Codes   int     // instruments evaluated
}

// Evaluate parses and evaluates q.Expr across every active equity. A parse
// error is Invalid with Field "expr" and the byte position in the message;
// bad dates, an inverted or too long period, or an unknown code are Invalid
// or NotFound naming the field. An expression estimated to cost more than
// lim.Budget, or still running after lim.Timeout, is Unprocessable with a
// message naming its cost.
func Evaluate(ctx context.Context, pool *pgxpool.Pool, q Query, lim Limits) (Result, error) {
	if lim.Budget <= 0 {
		lim.Budget = DefaultBudget
	}
	if lim.Timeout <= 0 {
		lim.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, lim.Timeout, errTimedOut)
	defer cancel()
	res, err := evaluate(ctx, pool, q, lim)
	if err != nil && errors.Is(context.Cause(ctx), errTimedOut) {
		return Result{}, &apperr.Error{Code: apperr.Unprocessable, Field: "expr", Err: err, Message: fmt.Sprintf(
			"The expression took longer than %s to evaluate and was stopped: use fewer or shorter rolling windows, or a shorter period.", lim.Timeout)}
	}
	return res, err
}

func evaluate(ctx context.Context, pool *pgxpool.Pool, q Query, lim Limits) (Result, error) {
	q.Expr = strings.TrimSpace(q.Expr)
	if q.Expr == "" {
		return Result{}, apperr.FieldError("expr", "Type a Qlib expression, e.g. Mean($close, 5)/$close.")
	}
	if len(q.Expr) > 2000 {
		return Result{}, apperr.FieldError("expr", "The expression is too long (at most 2000 characters).")
	}
	node, err := expr.Parse(q.Expr)
	if err != nil {
		return Result{}, err
	}
	for _, f := range expr.Fields(node) {
		switch f {
		case "open", "high", "low", "close", "volume", "vwap", "factor":
		default:
			return Result{}, apperr.FieldError("expr", "Unknown field $%s: the data has $open, $high, $low, $close, $volume (adjusted for corporate actions), $factor (and $vwap, always missing).", f)
		}
	}
	if !q.From.Before(q.To) {
		return Result{}, apperr.FieldError("from", "from must be before to")
	}
	if q.To.Sub(q.From) > MaxSpan {
		return Result{}, apperr.FieldError("from", "the period is longer than 3 years")
	}
	label := alpha158.Label().Node
	prog, err := expr.Compile(node, label)
	if err != nil {
		return Result{}, err
	}
	dq := db.New(pool)
	q.Code = strings.ToUpper(strings.TrimSpace(q.Code))
	if _, err := dq.GetInstrument(ctx, q.Code); db.IsNotFound(err) {
		return Result{}, &apperr.Error{Code: apperr.NotFound, Field: "code", Message: "Unknown instrument " + q.Code + "."}
	} else if err != nil {
		return Result{}, err
	}
	// Enough history before From for the expression's windows (trading days
	// are about 70 % of calendar days), and two trading days after To for
	// the label.
	back := min(expr.MaxLookback(node)*3/2+10, maxLookbackDays)
	rows, err := dq.ListEquityBarsBetween(ctx, db.ListEquityBarsBetweenParams{FromDate: q.From.AddDate(0, 0, -back), ToDate: q.To.AddDate(0, 0, 10)})
	if err != nil {
		return Result{}, err
	}
	if err := checkCost(prog, rows, lim.Budget); err != nil {
		return Result{}, err
	}
	cal, err := calendar.Load(ctx, dq)
	if err != nil {
		return Result{}, err
	}
	var dates []time.Time
	var scores, labels []float64
	res := Result{Expr: node.String()}
	flush := func(code string, bars []store.Bar) error {
		if len(bars) == 0 {
			return nil
		}
		// On the market calendar, as Qlib evaluates it; the days the
		// instrument did not trade count in its windows but are not scored.
		a := store.Align(cal, bars)
		out, err := prog.EvalContext(ctx, a.Series)
		if err != nil {
			return err
		}
		res.Codes++
		for i, b := range bars {
			if b.Date.Before(q.From) || b.Date.After(q.To) {
				continue
			}
			t := a.Pos[i]
			dates = append(dates, b.Date)
			scores = append(scores, out[0][t])
			labels = append(labels, out[1][t])
			if code == q.Code {
				res.Series = append(res.Series, Point{Date: b.Date, Value: out[0][t]})
			}
		}
		return nil
	}
	var cur string
	var bars []store.Bar
	for _, r := range rows {
		if r.Code != cur {
			if err := flush(cur, bars); err != nil {
				return Result{}, err
			}
			cur, bars = r.Code, bars[:0]
		}
		bars = append(bars, store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor})
	}
	if err := flush(cur, bars); err != nil {
		return Result{}, err
	}
	res.Daily = analysis.DailyIC(dates, scores, labels)
	res.Summary = analysis.Summarise(res.Daily)
	return res, nil
}

// checkCost refuses a program whose estimated cost over the loaded rows
// (grouped by code, as they come) is above budget, naming the cost and what
// makes it.
func checkCost(prog *expr.Program, rows []db.ListEquityBarsBetweenRow, budget int64) error {
	var cost int64
	codes, longest := 0, 0
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Code == rows[i].Code {
			j++
		}
		if c := prog.Cost(j - i); c > math.MaxInt64-cost {
			cost = math.MaxInt64
		} else {
			cost += c
		}
		codes, longest = codes+1, max(longest, j-i)
		i = j
	}
	if cost <= budget {
		return nil
	}
	what := "its operators"
	if n, w := prog.Windows(); n > 0 {
		what = fmt.Sprintf("%d Rank, Med, Quantile, Mad or WMA windows of up to %d days", n, w)
	}
	return &apperr.Error{Code: apperr.Unprocessable, Field: "expr", Message: fmt.Sprintf(
		"This expression is too expensive to evaluate here: its estimated cost is %s (%s, over %d instruments × up to %d trading days), and the limit is %s. Use fewer or shorter rolling windows, or a shorter period.",
		amount(cost), what, codes, longest, amount(budget))}
}

// amount writes a cost for people: 41.3 billion.
func amount(v int64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1f billion", float64(v)/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1f million", float64(v)/1e6)
	}
	return fmt.Sprint(v)
}

// Finite returns v, or nil for NaN and infinities (JSON has no NaN).
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
