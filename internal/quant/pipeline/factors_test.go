package pipeline_test

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
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

	// The reference: expr.Eval and alpha158.Compute over each whole series
	// laid on the market calendar.
	cal, err := store.Calendar(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
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
		a := store.Align(cal, bars)
		one, err := expr.Eval(expr.MustParse(src), a.Series)
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := alpha158.Compute(a.Series)
		if err != nil {
			t.Fatal(err)
		}
		want[code] = map[time.Time][]float64{}
		for i, b := range bars {
			vals := []float64{one[a.Pos[i]]}
			for k := range all {
				vals = append(vals, all[k][a.Pos[i]])
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

// TestStreamFactors checks that both formats carry the values Factors
// returns, the .npy layout as numpy/lib/format.py defines it, and that the
// stream has none of Factors' limits.
func TestStreamFactors(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := t.Context()
	from, to := testenv.Date(t, "2018-09-20"), testenv.Date(t, "2018-10-20")
	fq := pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{"YAL,BHP"}, From: from, To: to}
	ref, err := pipeline.Factors(ctx, pool, fq)
	if err != nil {
		t.Fatal(err)
	}
	// The stream's order: code, then date.
	slices.SortStableFunc(ref.Rows, func(a, b pipeline.FactorRow) int { return strings.Compare(a.Code, b.Code) })

	t.Run("CSV", func(t *testing.T) {
		var buf bytes.Buffer
		st, err := pipeline.StreamFactors(ctx, pool, pipeline.StreamQuery{FactorsQuery: fq}, &buf)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if st.Rows != int64(len(ref.Rows)) || len(recs) != len(ref.Rows)+1 || st.Instruments != 2 {
			t.Fatalf("stats %+v, %d lines; want %d rows of 2 instruments", st, len(recs), len(ref.Rows))
		}
		for i, r := range ref.Rows {
			rec := recs[i+1]
			if rec[0] != r.Date.Format(time.DateOnly) || rec[1] != r.Code {
				t.Fatalf("line %d = %v, want %s %s", i+1, rec[:2], r.Date.Format(time.DateOnly), r.Code)
			}
			for k, v := range r.Values {
				got := math.NaN()
				if rec[2+k] != "" {
					if got, err = strconv.ParseFloat(rec[2+k], 64); err != nil {
						t.Fatal(err)
					}
				}
				if !same(got, v) {
					t.Fatalf("%s %s %s = %s, want %v", r.Code, rec[0], ref.Names[k], rec[2+k], v)
				}
			}
		}
	})
	t.Run("NPY", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := pipeline.StreamFactors(ctx, pool, pipeline.StreamQuery{FactorsQuery: fq, Format: pipeline.NPY}, &buf); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if string(b[:6]) != "\x93NUMPY" || b[6] != 1 || b[7] != 0 {
			t.Fatalf("preamble % x, want the magic and version 1.0", b[:8])
		}
		hlen := int(binary.LittleEndian.Uint16(b[8:]))
		header, data := string(b[10:10+hlen]), b[10+hlen:]
		if (10+hlen)%64 != 0 || !strings.HasSuffix(header, "\n") {
			t.Errorf("header of %d bytes: the data must start on a multiple of 64, after a newline", hlen)
		}
		wantShape := fmt.Sprintf("'fortran_order': False, 'shape': (%d,), }", len(ref.Rows))
		if !strings.HasPrefix(header, "{'descr': [('datetime', '<M8[D]'), ('instrument', '<U3'), ('KMID', '<f8'), ") || !strings.Contains(header, wantShape) {
			t.Fatalf("header %q", header)
		}
		size := 8 + 4*3 + 8*len(ref.Names)
		if len(data) != size*len(ref.Rows) {
			t.Fatalf("%d bytes of records, want %d × %d", len(data), len(ref.Rows), size)
		}
		for i, r := range ref.Rows {
			rec := data[i*size:]
			days := int64(binary.LittleEndian.Uint64(rec))
			if d := time.Unix(days*86400, 0).UTC(); !d.Equal(r.Date) {
				t.Fatalf("record %d date %s, want %s", i, d, r.Date)
			}
			if c := []rune{rune(binary.LittleEndian.Uint32(rec[8:])), rune(binary.LittleEndian.Uint32(rec[12:])), rune(binary.LittleEndian.Uint32(rec[16:]))}; string(c) != r.Code {
				t.Fatalf("record %d instrument %q, want %s", i, string(c), r.Code)
			}
			for k, v := range r.Values {
				if got := math.Float64frombits(binary.LittleEndian.Uint64(rec[20+8*k:])); !same(got, v) {
					t.Fatalf("record %d %s = %v, want %v", i, ref.Names[k], got, v)
				}
			}
		}
	})
	t.Run("NoLimits", func(t *testing.T) {
		// 21+ symbols over more than 10 years with all 158 features: past
		// every limit of Factors.
		q := pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{
			"ANZ,BHP,BXB,CBA,COL,CSL,FMG,GMG,JBH,MQG,NAB,NST,ORG,QAN,RIO,S32,STO,SUN,TCL,TLS,WBC,WES,WOW"}},
			Format: pipeline.NPY}
		if _, err := pipeline.Factors(ctx, pool, q.FactorsQuery); err == nil {
			t.Fatal("Factors took 23 symbols")
		}
		st, err := pipeline.StreamFactors(ctx, pool, q, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if st.Instruments < 20 || st.Rows < 20*2500 {
			t.Errorf("stats %+v, want every year of every symbol", st)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		tests := []struct {
			name      string
			q         pipeline.StreamQuery
			wantField string
		}{
			{"NoSymbols", pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158"}}, "symbols"},
			{"SymbolsAndAll", pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{"BHP"}}, All: true}, "symbols"},
			{"UnknownSymbol", pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{"NOPE"}}}, "symbols"},
			{"Backwards", pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Set: "alpha158", Symbols: []string{"BHP"}, From: to, To: from}}, "to"},
			{"ParseError", pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Expr: "Mean(", Symbols: []string{"BHP"}}}, "expr"},
		}
		for _, tt := range tests {
			var buf bytes.Buffer
			_, err := pipeline.StreamFactors(ctx, pool, tt.q, &buf)
			if e, ok := apperr.As(err); !ok || e.Field != tt.wantField || buf.Len() != 0 {
				t.Errorf("%s: error %v with %d bytes written, want one on %s before any output", tt.name, err, buf.Len(), tt.wantField)
			}
		}
	})
}
