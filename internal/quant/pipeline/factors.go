package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// Limits of one Factors request (the JSON API, which answers in one
// response). StreamFactorsCSV has none: it holds one instrument at a time.
const (
	MaxFactorSymbols = 20
	MaxFactorYears   = 10
	// MaxFactorValues bounds symbols × days × features, so that the whole
	// Alpha158 set is served for a few symbols but not for twenty over ten
	// years in one response.
	MaxFactorValues = 2_000_000
)

// FactorsQuery asks for factor values computed from daily bars: one
// expression, or a whole feature set ("alpha158").
type FactorsQuery struct {
	Expr     string
	Set      string
	Symbols  []string
	From, To time.Time
}

// FactorsResult holds the values by day, then symbol.
type FactorsResult struct {
	// Names are the column names: the expression as given, or the
	// feature names of the set.
	Names []string    `json:"names"`
	Rows  []FactorRow `json:"rows"`
}

// FactorRow is one instrument's values on one day, in Names order, NaN
// where missing (null in JSON).
type FactorRow struct {
	Date   time.Time
	Code   string
	Values []float64
}

// MarshalJSON writes the date as YYYY-MM-DD and missing values as null.
func (r FactorRow) MarshalJSON() ([]byte, error) {
	vals := make([]*float64, len(r.Values))
	for i, v := range r.Values {
		vals[i] = num(v)
	}
	return json.Marshal(struct {
		Date   string     `json:"date"`
		Code   string     `json:"symbol"`
		Values []*float64 `json:"values"`
	}{r.Date.Format(time.DateOnly), r.Code, vals})
}

// Factors computes an expression (or every feature of a set) from the daily
// bars of each symbol over its whole history laid on the market calendar, in
// float64 exactly as expr.Eval does, and returns the symbol's trading days
// from q.From to q.To. A day the market traded and the symbol did not is a
// NaN slot inside its windows, as in Qlib, but has no row. It reads bars,
// not the feature store, so the values can be checked against Qlib itself.
//
// Errors: a parse error is Invalid with Field "expr" and the position in the
// message (errors.As finds the *expr.ParseError); an unknown symbol is
// NotFound naming it; more than MaxFactorSymbols symbols, a range longer than
// MaxFactorYears or too many values is Invalid.
func Factors(ctx context.Context, pool *pgxpool.Pool, q FactorsQuery) (FactorsResult, error) {
	p, err := planFactors(q)
	if err != nil {
		return FactorsResult{}, err
	}
	codes, err := checkFactorsQuery(&q, len(p.names))
	if err != nil {
		return FactorsResult{}, err
	}
	p.from, p.to = q.From, q.To
	dq := db.New(pool)
	if err := checkSymbols(ctx, dq, codes); err != nil {
		return FactorsResult{}, err
	}
	if p.cal, err = calendar.Load(ctx, dq); err != nil {
		return FactorsResult{}, err
	}
	res := FactorsResult{Names: p.names, Rows: []FactorRow{}}
	var ev factorEval
	for _, code := range codes {
		f, err := p.instrument(ctx, dq, code, &ev)
		if err != nil {
			return FactorsResult{}, err
		}
		for i, d := range f.Dates {
			vals := make([]float64, len(p.names))
			for k := range vals {
				vals[k] = f.Values[k][f.Rows[i]]
			}
			res.Rows = append(res.Rows, FactorRow{Date: d, Code: code, Values: vals})
		}
	}
	slices.SortStableFunc(res.Rows, func(a, b FactorRow) int { return a.Date.Compare(b.Date) })
	return res, nil
}

// factorPlan is a validated factors query, ready to evaluate per instrument.
type factorPlan struct {
	prog      *expr.Program // outputs: the columns, then possibly more (the set's label)
	names     []string
	lookahead int
	from, to  time.Time // zero: unbounded
	cal       *calendar.Calendar
}

// planFactors parses the query's expression or picks its set.
func planFactors(q FactorsQuery) (*factorPlan, error) {
	src, set := strings.TrimSpace(q.Expr), strings.ToLower(strings.TrimSpace(q.Set))
	switch {
	case src != "" && set != "":
		return nil, apperr.FieldError("expr", "give an expression or a feature set, not both")
	case src == "" && set == "":
		return nil, apperr.FieldError("expr", "give an expression or a feature set (alpha158)")
	case set != "":
		if set != store.SetAlpha158 {
			return nil, apperr.FieldError("set", "unknown feature set %q (want alpha158)", q.Set)
		}
		// The set's program ends with the label, which is not a feature.
		return &factorPlan{prog: alpha158.Program(), names: alpha158.Names()}, nil
	}
	node, err := expr.Parse(src)
	if err != nil {
		var pe *expr.ParseError
		if errors.As(err, &pe) {
			return nil, &apperr.Error{Code: apperr.Invalid, Field: "expr", Message: pe.Error(), Err: pe}
		}
		return nil, err
	}
	prog, err := expr.Compile(node)
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Field: "expr", Message: apperr.MessageOf(err), Err: err}
	}
	return &factorPlan{prog: prog, names: []string{src}, lookahead: expr.MaxLookahead(node)}, nil
}

// factorEval holds one goroutine's reusable evaluation buffers.
type factorEval struct {
	flat []float64
	dst  [][]float64
}

// instrumentFactors is one instrument's evaluation: Values[k][Rows[i]] is
// column k on Dates[i], for its trading days inside the query's range. The
// slices belong to the factorEval and are overwritten by its next use.
type instrumentFactors struct {
	Code   string
	Dates  []time.Time
	Rows   []int
	Values [][]float64
}

// bars reads code's daily bars: all of them up to the range's end, and
// every later one when the expression looks ahead.
func (p *factorPlan) bars(ctx context.Context, dq *db.Queries, code string) ([]store.Bar, error) {
	upTo := p.to
	if upTo.IsZero() || p.lookahead > 0 {
		upTo = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) // the rows after To can be any distance away
	}
	rows, err := dq.ListFactorBars(ctx, db.ListFactorBarsParams{Code: code, ToDate: upTo})
	if err != nil {
		return nil, err
	}
	bars := make([]store.Bar, len(rows))
	for i, r := range rows {
		bars[i] = store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
	}
	return bars, nil
}

// instrument reads code's bars and evaluates p over them.
func (p *factorPlan) instrument(ctx context.Context, dq *db.Queries, code string, ev *factorEval) (instrumentFactors, error) {
	bars, err := p.bars(ctx, dq, code)
	if err != nil {
		return instrumentFactors{}, err
	}
	return p.evaluate(ctx, code, bars, ev)
}

// evaluate evaluates p over bars laid on the market calendar.
func (p *factorPlan) evaluate(ctx context.Context, code string, bars []store.Bar, ev *factorEval) (instrumentFactors, error) {
	a := store.Align(p.cal, bars)
	n, outs := a.Series.Len, p.prog.Outputs()
	if cap(ev.flat) < n*outs {
		ev.flat = make([]float64, n*outs)
	}
	ev.dst = ev.dst[:0]
	for k := range outs {
		ev.dst = append(ev.dst, ev.flat[k*n:(k+1)*n:(k+1)*n])
	}
	if err := p.prog.EvalIntoContext(ctx, ev.dst, a.Series); err != nil {
		return instrumentFactors{}, err
	}
	f := instrumentFactors{Code: code, Values: ev.dst[:len(p.names)]}
	lo, hi := 0, len(bars)
	if !p.from.IsZero() {
		lo, _ = slices.BinarySearchFunc(bars, p.from, func(b store.Bar, t time.Time) int { return b.Date.Compare(t) })
	}
	if !p.to.IsZero() {
		hi, _ = slices.BinarySearchFunc(bars, p.to.AddDate(0, 0, 1), func(b store.Bar, t time.Time) int { return b.Date.Compare(t) })
	}
	hi = max(lo, hi)
	f.Rows = a.Pos[lo:hi]
	f.Dates = make([]time.Time, hi-lo)
	for i := range f.Dates {
		f.Dates[i] = bars[lo+i].Date
	}
	return f, nil
}

// checkSymbols reports the codes that are not instruments as NotFound.
func checkSymbols(ctx context.Context, dq *db.Queries, codes []string) error {
	found, err := dq.ListInstrumentsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	if len(found) == len(codes) {
		return nil
	}
	known := map[string]bool{}
	for _, f := range found {
		known[f.Code] = true
	}
	var unknown []string
	for _, c := range codes {
		if !known[c] {
			unknown = append(unknown, c)
		}
	}
	return &apperr.Error{Code: apperr.NotFound, Field: "symbols", Message: "unknown symbol " + strings.Join(unknown, ", ")}
}

// symbolList returns the symbols upper-cased, sorted and without repeats.
func symbolList(symbols []string) []string {
	var codes []string
	for _, s := range symbols {
		for _, c := range strings.Split(s, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				codes = append(codes, c)
			}
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// checkFactorsQuery validates the symbols and dates against the limits of
// one response and returns the symbols upper-cased, sorted and without
// repeats.
func checkFactorsQuery(q *FactorsQuery, columns int) ([]string, error) {
	codes := symbolList(q.Symbols)
	switch {
	case len(codes) == 0:
		return nil, apperr.FieldError("symbols", "give at least one symbol")
	case len(codes) > MaxFactorSymbols:
		return nil, apperr.FieldError("symbols", "at most %d symbols per request, got %d", MaxFactorSymbols, len(codes))
	case q.From.IsZero():
		return nil, apperr.FieldError("from", "give a start date (YYYY-MM-DD)")
	case q.To.IsZero():
		return nil, apperr.FieldError("to", "give an end date (YYYY-MM-DD)")
	}
	q.From, q.To = asx.Civil(q.From), asx.Civil(q.To)
	if q.To.Before(q.From) {
		return nil, apperr.FieldError("to", "the end date %s is before the start date %s",
			q.To.Format(time.DateOnly), q.From.Format(time.DateOnly))
	}
	if q.To.After(q.From.AddDate(MaxFactorYears, 0, 0)) {
		return nil, apperr.FieldError("to", "at most %d years per request", MaxFactorYears)
	}
	// About 252 trading days a year.
	days := math.Ceil(q.To.Sub(q.From).Hours()/24*252/365) + 1
	if values := float64(len(codes)*columns) * days; values > MaxFactorValues {
		return nil, apperr.FieldError("symbols", "%d symbols × %d features over %s to %s is about %.0f values, more than %d; ask for fewer symbols or a shorter range",
			len(codes), columns, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), values, MaxFactorValues)
	}
	return codes, nil
}
