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
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// Limits of one factors request.
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
// bars of each symbol over its whole history, in float64 exactly as
// expr.Eval does, and returns the days from q.From to q.To. It reads bars,
// not the feature store, so the values can be checked against Qlib itself.
//
// Errors: a parse error is Invalid with Field "expr" and the position in the
// message (errors.As finds the *expr.ParseError); an unknown symbol is
// NotFound naming it; more than MaxFactorSymbols symbols, a range longer than
// MaxFactorYears or too many values is Invalid.
func Factors(ctx context.Context, pool *pgxpool.Pool, q FactorsQuery) (FactorsResult, error) {
	prog, names, lookahead, err := compileFactors(q)
	if err != nil {
		return FactorsResult{}, err
	}
	codes, err := checkFactorsQuery(&q, len(names))
	if err != nil {
		return FactorsResult{}, err
	}
	dq := db.New(pool)
	found, err := dq.ListInstrumentsByCodes(ctx, codes)
	if err != nil {
		return FactorsResult{}, err
	}
	if len(found) != len(codes) {
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
		return FactorsResult{}, &apperr.Error{Code: apperr.NotFound, Field: "symbols",
			Message: "unknown symbol " + strings.Join(unknown, ", ")}
	}
	upTo := q.To
	if lookahead > 0 {
		upTo = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) // the rows after To can be any distance away
	}
	res := FactorsResult{Names: names, Rows: []FactorRow{}}
	for _, code := range codes {
		rows, err := dq.ListFactorBars(ctx, db.ListFactorBarsParams{Code: code, ToDate: upTo})
		if err != nil {
			return FactorsResult{}, err
		}
		bars := make([]store.Bar, len(rows))
		for i, r := range rows {
			bars[i] = store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
		}
		out, err := prog.Eval(store.Series(bars))
		if err != nil {
			return FactorsResult{}, err
		}
		for t, b := range bars {
			if b.Date.Before(q.From) || b.Date.After(q.To) {
				continue
			}
			vals := make([]float64, len(names))
			for k := range names {
				vals[k] = out[k][t]
			}
			res.Rows = append(res.Rows, FactorRow{Date: b.Date, Code: code, Values: vals})
		}
	}
	slices.SortStableFunc(res.Rows, func(a, b FactorRow) int { return a.Date.Compare(b.Date) })
	return res, nil
}

// compileFactors parses the query's expression or picks its set.
func compileFactors(q FactorsQuery) (prog *expr.Program, names []string, lookahead int, err error) {
	src, set := strings.TrimSpace(q.Expr), strings.ToLower(strings.TrimSpace(q.Set))
	switch {
	case src != "" && set != "":
		return nil, nil, 0, apperr.FieldError("expr", "give an expression or a feature set, not both")
	case src == "" && set == "":
		return nil, nil, 0, apperr.FieldError("expr", "give an expression or a feature set (alpha158)")
	case set != "":
		if set != store.SetAlpha158 {
			return nil, nil, 0, apperr.FieldError("set", "unknown feature set %q (want alpha158)", q.Set)
		}
		// The set's program ends with the label, which is not a feature.
		return alpha158.Program(), alpha158.Names(), 0, nil
	}
	node, err := expr.Parse(src)
	if err != nil {
		var pe *expr.ParseError
		if errors.As(err, &pe) {
			return nil, nil, 0, &apperr.Error{Code: apperr.Invalid, Field: "expr", Message: pe.Error(), Err: pe}
		}
		return nil, nil, 0, err
	}
	prog, err = expr.Compile(node)
	if err != nil {
		return nil, nil, 0, &apperr.Error{Code: apperr.Invalid, Field: "expr", Message: apperr.MessageOf(err), Err: err}
	}
	return prog, []string{src}, expr.MaxLookahead(node), nil
}

// checkFactorsQuery validates the symbols and dates and returns the symbols
// upper-cased, sorted and without repeats.
func checkFactorsQuery(q *FactorsQuery, columns int) ([]string, error) {
	var codes []string
	for _, s := range q.Symbols {
		for _, c := range strings.Split(s, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				codes = append(codes, c)
			}
		}
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
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
