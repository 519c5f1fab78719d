package expr

import (
	"math"
	"testing"
)

var nan = math.NaN()

// mustEval evaluates src over the columns, which must all have the same length.
func mustEval(t *testing.T, src string, cols map[string][]float64) []float64 {
	t.Helper()
	n := -1
	for _, c := range cols {
		n = len(c)
	}
	got, err := Eval(mustParse(t, src), Series{Len: n, Fields: cols})
	if err != nil {
		t.Fatalf("Eval(%q): %v", src, err)
	}
	return got
}

// closeEnough reports whether got equals want to tol relative (absolute below
// 1), treating NaN as equal to NaN and infinities as equal to themselves.
func closeEnough(got, want, tol float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func assertSeries(t *testing.T, name string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d rows, want %d", name, len(got), len(want))
	}
	for i := range want {
		if !closeEnough(got[i], want[i], 1e-12) {
			t.Fatalf("%s: row %d = %v, want %v (all: %v)", name, i, got[i], want[i], got)
		}
	}
}

func TestOperators(t *testing.T) {
	x := []float64{1, 2, nan, 4, 3}
	tests := []struct {
		src  string
		cols map[string][]float64
		want []float64
	}{
		// Ref and Delta
		{"Ref($x, 1)", col(1, 2, 3), []float64{nan, 1, 2}},
		{"Ref($x, -1)", col(1, 2, 3), []float64{2, 3, nan}},
		{"Ref($x, -2)", col(1, 2, 3), []float64{3, nan, nan}},
		{"Ref($x, 0)", col(1, 2, 3), []float64{1, 2, 3}},
		{"Ref($x, 5)", col(1, 2, 3), []float64{nan, nan, nan}},
		{"Delta($x, 2)", col(1, 2, 4, 7), []float64{nan, nan, 3, 5}},
		// Windows shorter than N at the start, NaN inside windows.
		{"Mean($x, 3)", col(x...), []float64{1, 1.5, 1.5, 3, 3.5}},
		{"Sum($x, 3)", col(x...), []float64{1, 3, 3, 6, 7}},
		{"Sum($x, 2)", col(nan, nan, 1), []float64{nan, nan, 1}},
		{"Mean($x, 2)", col(nan, nan, 1), []float64{nan, nan, 1}},
		{"Count($x, 2)", col(nan, nan, 1), []float64{0, 0, 1}},
		{"Std($x, 3)", col(x...), []float64{nan, math.Sqrt(0.5), math.Sqrt(0.5), math.Sqrt2, math.Sqrt(0.5)}},
		{"Var($x, 3)", col(x...), []float64{nan, 0.5, 0.5, 2, 0.5}},
		{"Std($x, 3)", col(5, 5, 5, 5), []float64{nan, 0, 0, 0}},
		{"Max($x, 3)", col(x...), []float64{1, 2, 2, 4, 4}},
		{"Min($x, 3)", col(x...), []float64{1, 1, 1, 2, 3}},
		{"Max($x, 2)", col(nan, nan, 1), []float64{nan, nan, 1}},
		{"Med($x, 4)", col(1, 3, 2, nan, 5), []float64{1, 2, 2, 2, 3}},
		{"Quantile($x, 4, 0.8)", col(1, 3, 2, 4), []float64{1, 2.6, 2.6, 3.4}},
		{"Quantile($x, 4, 0.5)", col(1, 3, 2, 4), []float64{1, 2, 2, 2.5}},
		{"Mad($x, 3)", col(1, 2, nan, 4), []float64{0, 0.5, 0.5, 1}},
		// Rank: ties averaged, NaN latest value gives NaN.
		{"Rank($x, 4)", col(2, 1, 2, 2, nan, 1), []float64{1, 0.5, 2.5 / 3, 0.75, nan, 1.0 / 3}},
		// IdxMax/IdxMin: first occurrence, and numpy's first NaN.
		{"IdxMax($x, 3)", col(1, 3, 3, 2, nan, 5), []float64{1, 2, 2, 1, 3, 2}},
		{"IdxMin($x, 3)", col(1, 3, 3, 2, nan, 5), []float64{1, 1, 1, 3, 3, 2}},
		{"IdxMax($x, 2)", col(nan, nan, 1), []float64{nan, nan, 1}},
		{"IdxMin($x, 4)", col(4, 2, 2, 3, 5, 6), []float64{1, 2, 2, 2, 1, 1}},
		// Regression on slot positions, NaN slots skipped.
		{"Slope($x, 3)", col(1, 2, 4, nan, 7), []float64{nan, 1, 1.5, 2, 1.5}},
		{"Resi($x, 3)", col(1, 2, 4, nan, 7), []float64{nan, 0, 4 - (7.0/3 + 1.5), nan, 0}},
		{"Rsquare($x, 3)", col(1, 2, 4, nan, 7), []float64{nan, 1, 9 / (2 * 42.0 / 9), 1, 1}},
		{"Rsquare($x, 3)", col(1, 1, 1, 1), []float64{nan, nan, nan, nan}},
		{"Rsquare($x, 3)", col(1, 1.00001, 1.00002, 1.00003), []float64{nan, nan, nan, nan}},
		{"Slope($x, 3)", col(3, 3, 3), []float64{nan, 0, 0}},
		// Corr and Cov: constant window gives NaN, NaN pairs dropped.
		{"Corr($x, $y, 3)", cols2([]float64{1, 2, 3, 4}, []float64{2, 4, 6, 9}), []float64{nan, 1, 1, 5 / math.Sqrt(76.0/3)}},
		{"Corr($x, $y, 3)", cols2([]float64{1, 1, 1}, []float64{1, 2, 3}), []float64{nan, nan, nan}},
		{"Corr($x, $y, 3)", cols2([]float64{1, nan, 3, 4}, []float64{2, 5, 6, 8}), []float64{nan, nan, 1, 1}},
		{"Cov($x, $y, 3)", cols2([]float64{1, 2, 3, 4}, []float64{2, 4, 6, 9}), []float64{nan, 1, 2, 2.5}},
		// EMA: pandas ewm(span=3, adjust=True) equals alpha 0.5.
		{"EMA($x, 3)", col(1, 2, nan, 4), []float64{1, 5.0 / 3, 5.0 / 3, 4.625 / 1.375}},
		{"EMA($x, 0.5)", col(1, 2, nan, 4), []float64{1, 5.0 / 3, 5.0 / 3, 4.625 / 1.375}},
		{"EMA($x, 3)", col(nan, 2, 2), []float64{nan, 2, 2}},
		// WMA keeps Qlib's extra division by the number of values.
		{"WMA($x, 3)", col(1, 2, 3, 4), []float64{1, (5.0 / 3) / 2, (14.0 / 6) / 3, (20.0 / 6) / 3}},
		// Element-wise operators.
		{"Greater($x, 0)", col(-1, nan, 2), []float64{0, nan, 2}},
		{"Less($x, 0)", col(-1, nan, 2), []float64{-1, nan, 0}},
		{"$x > Ref($x, 1)", col(1, 2, 2, nan), []float64{0, 1, 0, 0}},
		{"$x < Ref($x, 1)", col(1, 2, 1, nan), []float64{0, 0, 1, 0}},
		{"$x >= 2", col(1, 2, 3), []float64{0, 1, 1}},
		{"$x <= 2", col(1, 2, 3), []float64{1, 1, 0}},
		{"$x == 2", col(1, 2, nan), []float64{0, 1, 0}},
		{"$x != Ref($x, 1)", col(1, 1, 2), []float64{1, 0, 1}},
		{"Mean($x > Ref($x, 1), 3)", col(1, 2, 1, 3), []float64{0, 0.5, 1.0 / 3, 2.0 / 3}},
		{"($x > 1) & ($x < 3)", col(1, 2, 3), []float64{0, 1, 0}},
		{"($x < 2) | ($x > 2)", col(1, 2, 3), []float64{1, 0, 1}},
		{"Not($x > 1)", col(1, 2), []float64{1, 0}},
		{"If($x > 1, $x, -$x)", col(1, 2, nan), []float64{-1, 2, nan}},
		{"Abs($x)", col(-2, 3, nan), []float64{2, 3, nan}},
		{"Log($x)", col(math.E, 0, -1), []float64{1, math.Inf(-1), nan}},
		{"Sign($x)", col(-2, 0, 3, 1e-50, nan), []float64{-1, 0, 1, 0, nan}},
		{"Power($x, 2)", col(-2, 3), []float64{4, 9}},
		{"Power($x, 0.5)", col(-4, 4), []float64{nan, 2}},
		{"$x / 0", col(1, -1, 0), []float64{math.Inf(1), math.Inf(-1), nan}},
		{"-$x + 2 * 3", col(1, 2), []float64{5, 4}},
		{"1 + 2", col(0, 0), []float64{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assertSeries(t, tt.src, mustEval(t, tt.src, tt.cols), tt.want)
		})
	}
}

func col(v ...float64) map[string][]float64 { return map[string][]float64{"x": v} }

func cols2(x, y []float64) map[string][]float64 { return map[string][]float64{"x": x, "y": y} }
