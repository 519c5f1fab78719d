// Package lab is the factor lab: it evaluates a Qlib expression a trader types
// across the whole universe over a period and measures it the way Qlib
// measures a signal — daily IC and Rank IC against LABEL0 — and returns its
// values on one instrument for the chart.
package lab

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/analysis"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// MaxSpan is the longest period the lab evaluates at once.
const MaxSpan = 3 * 366 * 24 * time.Hour

// maxLookbackDays caps the calendar days of history loaded before From: a
// century, more than the data holds, so any longer window sees all of it.
// (In days, not a Duration: windows near 71,000 rows overflowed one.)
const maxLookbackDays = 36_600

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
// or NotFound naming the field.
func Evaluate(ctx context.Context, pool *pgxpool.Pool, q Query) (Result, error) {
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
		case "open", "high", "low", "close", "volume", "vwap":
		default:
			return Result{}, apperr.FieldError("expr", "Unknown field $%s: the data has $open, $high, $low, $close, $volume (and $vwap, always missing).", f)
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
	var dates []time.Time
	var scores, labels []float64
	res := Result{Expr: node.String()}
	flush := func(code string, bars []store.Bar) error {
		if len(bars) == 0 {
			return nil
		}
		out, err := prog.Eval(store.Series(bars))
		if err != nil {
			return err
		}
		res.Codes++
		for t, b := range bars {
			if b.Date.Before(q.From) || b.Date.After(q.To) {
				continue
			}
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
		bars = append(bars, store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume})
	}
	if err := flush(cur, bars); err != nil {
		return Result{}, err
	}
	res.Daily = analysis.DailyIC(dates, scores, labels)
	res.Summary = analysis.Summarise(res.Daily)
	return res, nil
}

// Finite returns v, or nil for NaN and infinities (JSON has no NaN).
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
