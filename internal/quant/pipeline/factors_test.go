package pipeline_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestFactorsEqualsEval(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := t.Context()
	from, to := testenv.Date(t, "2016-01-01"), testenv.Date(t, "2016-12-31")
	const src = "Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 20) + Rank($high-$low, 10)"

	// The reference: expr.Eval and alpha158.Compute over each whole series.
	want := map[string]map[time.Time][]float64{}
	for _, code := range []string{"BHP", "CBA"} {
		rows, err := db.New(pool).ListFactorBars(ctx, db.ListFactorBarsParams{Code: code, ToDate: testenv.Date(t, "9999-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		bars := make([]store.Bar, len(rows))
		for i, r := range rows {
			bars[i] = store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
		}
		one, err := expr.Eval(expr.MustParse(src), store.Series(bars))
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := alpha158.Compute(store.Series(bars))
		if err != nil {
			t.Fatal(err)
		}
		want[code] = map[time.Time][]float64{}
		for i, b := range bars {
			vals := []float64{one[i]}
			for k := range all {
				vals = append(vals, all[k][i])
			}
			want[code][b.Date] = vals
		}
	}

	tests := []struct {
		name  string
		q     pipeline.FactorsQuery
		first int // offset of the result's columns in want
	}{
		{"Expr", pipeline.FactorsQuery{Expr: src, Symbols: []string{"cba", "BHP"}, From: from, To: to}, 0},
		{"Alpha158", pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{"BHP,CBA"}, From: from, To: to}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := pipeline.Factors(ctx, pool, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.first == 0 && (len(res.Names) != 1 || res.Names[0] != src) {
				t.Errorf("names = %q, want the expression", res.Names)
			}
			if tt.first == 1 && strings.Join(res.Names, ",") != strings.Join(alpha158.Names(), ",") {
				t.Errorf("names = %d names, want the 158 Alpha158 names", len(res.Names))
			}
			if len(res.Rows) < 2*250 || len(res.Rows) > 2*256 {
				t.Fatalf("%d rows, want one per trading day of 2016 for two symbols", len(res.Rows))
			}
			for i, r := range res.Rows {
				if r.Date.Before(from) || r.Date.After(to) {
					t.Fatalf("row %d on %s is outside the range", i, r.Date)
				}
				if i > 0 && (r.Date.Before(res.Rows[i-1].Date) || r.Date.Equal(res.Rows[i-1].Date) && r.Code < res.Rows[i-1].Code) {
					t.Fatalf("row %d is out of (date, code) order", i)
				}
				w := want[r.Code][r.Date]
				for k, got := range r.Values {
					if !same(got, w[tt.first+k]) {
						t.Fatalf("%s %s %s = %v, want %v", r.Code, r.Date.Format(time.DateOnly), res.Names[k], got, w[tt.first+k])
					}
				}
			}
		})
	}
}

func TestFactorsErrors(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	from, to := testenv.Date(t, "2020-01-01"), testenv.Date(t, "2020-12-31")
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("C%02d", i)
	}
	tests := []struct {
		name      string
		q         pipeline.FactorsQuery
		wantCode  apperr.Code
		wantField string
		wantText  string
	}{
		{"ParseError", pipeline.FactorsQuery{Expr: "Mean($close, 5", Symbols: []string{"BHP"}, From: from, To: to},
			apperr.Invalid, "expr", "position 14"},
		{"UnknownOperator", pipeline.FactorsQuery{Expr: "Frobnicate($close)", Symbols: []string{"BHP"}, From: from, To: to},
			apperr.Invalid, "expr", "Frobnicate"},
		{"UnknownSymbol", pipeline.FactorsQuery{Expr: "$close", Symbols: []string{"BHP", "NOPE"}, From: from, To: to},
			apperr.NotFound, "symbols", "unknown symbol NOPE"},
		{"NoSymbols", pipeline.FactorsQuery{Expr: "$close", From: from, To: to}, apperr.Invalid, "symbols", "at least one"},
		{"TooManySymbols", pipeline.FactorsQuery{Expr: "$close", Symbols: many, From: from, To: to}, apperr.Invalid, "symbols", "at most 20"},
		{"TooLong", pipeline.FactorsQuery{Expr: "$close", Symbols: []string{"BHP"}, From: testenv.Date(t, "2010-01-01"), To: to}, apperr.Invalid, "to", "at most 10 years"},
		{"Backwards", pipeline.FactorsQuery{Expr: "$close", Symbols: []string{"BHP"}, From: to, To: from}, apperr.Invalid, "to", "before the start"},
		{"NoDates", pipeline.FactorsQuery{Expr: "$close", Symbols: []string{"BHP"}}, apperr.Invalid, "from", "start date"},
		{"Both", pipeline.FactorsQuery{Expr: "$close", Set: "alpha158", Symbols: []string{"BHP"}, From: from, To: to}, apperr.Invalid, "expr", "not both"},
		{"UnknownSet", pipeline.FactorsQuery{Set: "alpha360", Symbols: []string{"BHP"}, From: from, To: to}, apperr.Invalid, "set", "alpha360"},
		{"TooManyValues", pipeline.FactorsQuery{Set: "alpha158", Symbols: many[:20], From: testenv.Date(t, "2016-01-01"), To: to}, apperr.Invalid, "symbols", "fewer symbols"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pipeline.Factors(t.Context(), pool, tt.q)
			e, ok := apperr.As(err)
			if !ok || e.Code != tt.wantCode || e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantText) {
				t.Errorf("Factors error = %v, want %s on %s mentioning %q", err, tt.wantCode, tt.wantField, tt.wantText)
			}
		})
	}
	_, err := pipeline.Factors(t.Context(), pool, tests[0].q)
	var pe *expr.ParseError
	if !errors.As(err, &pe) || pe.Pos != 14 {
		t.Errorf("parse error %v does not carry the *expr.ParseError at position 14", err)
	}
}
