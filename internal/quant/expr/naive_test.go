package expr

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The O(n) kernels are checked against direct per-window computations on
// long random series: prices with ties, volumes with spikes, small integers
// with many constant windows, and a slow trend, all with NaN gaps.

func randomSeries(kind string, n int, r *rand.Rand) []float64 {
	x := make([]float64, n)
	level := 100.0
	for i := range x {
		switch kind {
		case "price":
			level *= 1 + 0.02*r.NormFloat64()
			x[i] = math.Round(level*100) / 100
		case "volume":
			x[i] = math.Round(math.Exp(13 + 1.5*r.NormFloat64()))
			if r.IntN(200) == 0 {
				x[i] *= 1000
			}
		case "smallint":
			x[i] = float64(r.IntN(3))
			if i > 0 && r.IntN(3) > 0 {
				x[i] = x[i-1]
			}
		case "trend":
			x[i] = 1000 + 0.01*float64(i) + 1e-4*r.NormFloat64()
		}
	}
	for i := 0; i < n; i++ {
		if r.IntN(25) == 0 {
			run := 1 + r.IntN(8)
			for j := i; j < min(n, i+run); j++ {
				x[j] = math.NaN()
			}
			i += run
		}
	}
	return x
}

func finite(win []float64) []float64 {
	var out []float64
	for _, v := range win {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func naiveMean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// naiveVar is the two-pass sample variance, NaN below two values.
func naiveVar(v []float64) float64 {
	if len(v) < 2 {
		return math.NaN()
	}
	m := naiveMean(v)
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s / float64(len(v)-1)
}

// naiveWindow computes one row of op over the window win ending at the latest
// row; ywin is the second input of Corr and Cov.
func naiveWindow(op string, win, ywin []float64, q float64) float64 {
	vals := finite(win)
	latest := win[len(win)-1]
	switch op {
	case "Sum", "Mean", "Std", "Var", "Max", "Min", "Med", "Quantile":
		if len(vals) == 0 {
			return math.NaN()
		}
	}
	switch op {
	case "Sum":
		return naiveMean(vals) * float64(len(vals))
	case "Mean":
		return naiveMean(vals)
	case "Std":
		return math.Sqrt(naiveVar(vals))
	case "Var":
		return naiveVar(vals)
	case "Count":
		return float64(len(vals))
	case "Max":
		return slices.Max(vals)
	case "Min":
		return slices.Min(vals)
	case "Med", "Quantile":
		s := slices.Clone(vals)
		slices.Sort(s)
		if op == "Med" {
			q = 0.5
		}
		f := q * float64(len(s)-1)
		lo := int(math.Floor(f))
		if lo == len(s)-1 {
			return s[lo]
		}
		return s[lo] + (s[lo+1]-s[lo])*(f-float64(lo))
	case "Rank":
		if math.IsNaN(latest) {
			return math.NaN()
		}
		less, eq := 0, 0
		for _, v := range vals {
			if v < latest {
				less++
			} else if v == latest {
				eq++
			}
		}
		return (float64(less) + float64(eq+1)/2) / float64(len(vals))
	case "IdxMax", "IdxMin":
		if len(vals) == 0 {
			return math.NaN()
		}
		best := 0
		for j, v := range win {
			if math.IsNaN(v) {
				return float64(j + 1)
			}
			if (op == "IdxMax" && v > win[best]) || (op == "IdxMin" && v < win[best]) {
				best = j
			}
		}
		return float64(best + 1)
	case "Slope", "Rsquare", "Resi":
		var ps, ys []float64
		for j, v := range win {
			if !math.IsNaN(v) {
				ps = append(ps, float64(j))
				ys = append(ys, v)
			}
		}
		if len(ys) < 2 {
			return math.NaN()
		}
		pm, ym := naiveMean(ps), naiveMean(ys)
		var sxx, sxy, syy float64
		for j := range ys {
			sxx += (ps[j] - pm) * (ps[j] - pm)
			sxy += (ps[j] - pm) * (ys[j] - ym)
			syy += (ys[j] - ym) * (ys[j] - ym)
		}
		slope := sxy / sxx
		switch op {
		case "Slope":
			return slope
		case "Resi":
			return latest - (ym + slope*(float64(len(win)-1)-pm))
		}
		if math.Sqrt(naiveVar(ys)) <= 2e-5 {
			return math.NaN()
		}
		return sxy * sxy / (sxx * syy)
	case "Corr", "Cov":
		var xs, ys []float64
		for j, v := range win {
			if !math.IsNaN(v) && !math.IsNaN(ywin[j]) {
				xs = append(xs, v)
				ys = append(ys, ywin[j])
			}
		}
		if len(xs) < 2 {
			return math.NaN()
		}
		xm, ym := naiveMean(xs), naiveMean(ys)
		var sxx, sxy, syy float64
		for j := range xs {
			sxx += (xs[j] - xm) * (xs[j] - xm)
			sxy += (xs[j] - xm) * (ys[j] - ym)
			syy += (ys[j] - ym) * (ys[j] - ym)
		}
		if op == "Cov" {
			return sxy / float64(len(xs)-1)
		}
		if math.Sqrt(naiveVar(vals)) <= 2e-5 || math.Sqrt(naiveVar(finite(ywin))) <= 2e-5 {
			return math.NaN()
		}
		return sxy / math.Sqrt(sxx*syy)
	}
	panic("naiveWindow: unknown op " + op)
}

func TestKernelsMatchNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ops := []string{"Sum", "Mean", "Std", "Var", "Count", "Max", "Min", "Med", "Quantile",
		"Rank", "IdxMax", "IdxMin", "Slope", "Rsquare", "Resi", "Corr", "Cov"}
	for _, kind := range []string{"price", "volume", "smallint", "trend"} {
		x := randomSeries(kind, 3000, r)
		y := randomSeries("price", 3000, r)
		if kind == "smallint" {
			y = randomSeries("smallint", 3000, r)
		}
		s := Series{Len: len(x), Fields: map[string][]float64{"x": x, "y": y}}
		for _, w := range []int{1, 2, 3, 5, 20, 60} {
			for _, op := range ops {
				src := fmt.Sprintf("%s($x, %d)", op, w)
				switch op {
				case "Quantile":
					src = fmt.Sprintf("Quantile($x, %d, 0.8)", w)
				case "Corr", "Cov":
					src = fmt.Sprintf("%s($x, $y, %d)", op, w)
				}
				t.Run(kind+"/"+src, func(t *testing.T) {
					got, err := Eval(mustParse(t, src), s)
					if err != nil {
						t.Fatal(err)
					}
					for i := range x {
						lo := max(0, i-w+1)
						want := naiveWindow(op, x[lo:i+1], y[lo:i+1], 0.8)
						tol := 1e-9
						if op == "Resi" {
							// A residual is a difference of values of the
							// window's magnitude, so its error scales with them.
							tol *= max(1, maxAbs(x[lo:i+1])) / max(1, math.Abs(want))
						}
						if !closeEnough(got[i], want, tol) {
							t.Fatalf("row %d = %v, want %v", i, got[i], want)
						}
					}
				})
			}
		}
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if !math.IsNaN(x) {
			m = max(m, math.Abs(x))
		}
	}
	return m
}

func TestInfinityLeavesWindow(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		src  string
		x    []float64
		want []float64
	}{
		{"Sum($x, 2)", []float64{1, inf, 1, 1}, []float64{1, inf, inf, 2}},
		{"Sum($x, 2)", []float64{1, inf, -inf, 1, 1}, []float64{1, inf, nan, -inf, 2}},
		{"Mean($x, 2)", []float64{1, inf, 1, 3}, []float64{1, inf, inf, 2}},
		{"Std($x, 2)", []float64{1, inf, 1, 3}, []float64{nan, nan, nan, math.Sqrt2}},
		{"Slope($x, 2)", []float64{1, inf, 1, 3}, []float64{nan, nan, nan, 2}},
		{"Max($x, 2)", []float64{1, inf, 1, 3}, []float64{1, inf, inf, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			assertSeries(t, tt.src, mustEval(t, tt.src, col(tt.x...)), tt.want)
		})
	}
}
