package alpha158

import (
	"math"
	"path/filepath"
	"slices"
	"testing"
)

// The golden test recomputes a feature from every operator family for BHP in
// 2015-2016 with plain per-day formulas (slice the window, then compute) and
// compares each day. The formulas follow Qlib: windows shorter than 20 rows at
// the start use the rows they have, NaN values are skipped, a comparison
// with NaN is false, and Corr and Rsquare are NaN where a standard deviation is
// within 2e-5 of zero.

const goldenWindow = 20

var nan = math.NaN()

// window returns x over the 20 rows ending at t (fewer at the start).
func window(x []float64, t int) []float64 { return x[max(0, t-goldenWindow+1) : t+1] }

func present(x []float64) []float64 {
	var out []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func mean(x []float64) float64 {
	x = present(x)
	if len(x) == 0 {
		return nan
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func sum(x []float64) float64 {
	if len(present(x)) == 0 {
		return nan
	}
	return mean(x) * float64(len(present(x)))
}

func std(x []float64) float64 {
	x = present(x)
	if len(x) < 2 {
		return nan
	}
	m := mean(x)
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

func quantile(x []float64, q float64) float64 {
	s := slices.Clone(present(x))
	slices.Sort(s)
	f := q * float64(len(s)-1)
	lo := int(math.Floor(f))
	if lo == len(s)-1 {
		return s[lo]
	}
	return s[lo] + (s[lo+1]-s[lo])*(f-float64(lo))
}

func pctRank(x []float64) float64 {
	last := x[len(x)-1]
	vals := present(x)
	less, equal := 0, 0
	for _, v := range vals {
		if v < last {
			less++
		} else if v == last {
			equal++
		}
	}
	return (float64(less) + float64(equal+1)/2) / float64(len(vals))
}

// argBest is the 1-based position of the first maximum (sign 1) or minimum (-1).
func argBest(x []float64, sign float64) float64 {
	best := 0
	for j, v := range x {
		if sign*v > sign*x[best] {
			best = j
		}
	}
	return float64(best + 1)
}

// ols fits x on positions 1..len(x) and returns slope, r², and the residual
// of the last value.
func ols(x []float64) (slope, r2, resi float64) {
	n := float64(len(x))
	if len(x) < 2 {
		return nan, nan, nan
	}
	pm, ym := (n+1)/2, mean(x)
	var sxx, sxy, syy float64
	for j, v := range x {
		p := float64(j + 1)
		sxx += (p - pm) * (p - pm)
		sxy += (p - pm) * (v - ym)
		syy += (v - ym) * (v - ym)
	}
	slope = sxy / sxx
	r2 = sxy * sxy / (sxx * syy)
	if std(x) <= 2e-5 {
		r2 = nan
	}
	return slope, r2, x[len(x)-1] - (ym + slope*(n-pm))
}

func corr(a, b []float64) float64 {
	var xs, ys []float64
	for j := range a {
		if !math.IsNaN(a[j]) && !math.IsNaN(b[j]) {
			xs, ys = append(xs, a[j]), append(ys, b[j])
		}
	}
	if len(xs) < 2 || std(a) <= 2e-5 || std(b) <= 2e-5 {
		return nan
	}
	xm, ym := mean(xs), mean(ys)
	var sxx, sxy, syy float64
	for j := range xs {
		sxx += (xs[j] - xm) * (xs[j] - xm)
		sxy += (xs[j] - xm) * (ys[j] - ym)
		syy += (ys[j] - ym) * (ys[j] - ym)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// lagged returns f(x[t], x[t-1]) per row, NaN on the first row.
func lagged(x []float64, f func(cur, prev float64) float64) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		prev := nan
		if t > 0 {
			prev = x[t-1]
		}
		out[t] = f(x[t], prev)
	}
	return out
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// goldenFeatures computes the expected values of the golden features.
func goldenFeatures(b bars) map[string][]float64 {
	c, o, h, l, v := b.close, b.open, b.high, b.low, b.volume
	n := len(c)
	up := lagged(c, func(cur, prev float64) float64 { return boolFloat(cur > prev) })
	down := lagged(c, func(cur, prev float64) float64 { return boolFloat(cur < prev) })
	gain := lagged(c, func(cur, prev float64) float64 { return posPart(cur - prev) })
	loss := lagged(c, func(cur, prev float64) float64 { return posPart(prev - cur) })
	move := lagged(c, func(cur, prev float64) float64 { return math.Abs(cur - prev) })
	vgain := lagged(v, func(cur, prev float64) float64 { return posPart(cur - prev) })
	vloss := lagged(v, func(cur, prev float64) float64 { return posPart(prev - cur) })
	vmove := lagged(v, func(cur, prev float64) float64 { return math.Abs(cur - prev) })
	ret := lagged(c, func(cur, prev float64) float64 { return cur / prev })
	vret := lagged(v, func(cur, prev float64) float64 { return math.Log(cur/prev + 1) })
	wv := make([]float64, n)
	logv := make([]float64, n)
	for t := range c {
		wv[t] = math.Abs(ret[t]-1) * v[t]
		logv[t] = math.Log(v[t] + 1)
	}

	names := []string{"KMID", "KLEN", "KSFT2", "ROC5", "MA20", "STD20", "BETA20", "RSQR20", "RESI20",
		"MAX20", "MIN20", "QTLU20", "QTLD20", "RANK20", "RSV20", "IMAX20", "IMIN20", "IMXD20",
		"CORR20", "CORD20", "CNTP20", "CNTN20", "CNTD20", "SUMP20", "SUMN20", "SUMD20",
		"VMA20", "VSTD20", "WVMA20", "VSUMP20", "VSUMN20", "VSUMD20", LabelName}
	want := map[string][]float64{}
	for _, name := range names {
		want[name] = make([]float64, n)
	}
	for t := range n {
		slope, r2, resi := ols(window(c, t))
		hmax, lmin := slices.Max(window(h, t)), slices.Min(window(l, t))
		imax, imin := argBest(window(h, t), 1), argBest(window(l, t), -1)
		row := map[string]float64{
			"KMID":    (c[t] - o[t]) / o[t],
			"KLEN":    (h[t] - l[t]) / o[t],
			"KSFT2":   (2*c[t] - h[t] - l[t]) / (h[t] - l[t] + 1e-12),
			"ROC5":    nan,
			"MA20":    mean(window(c, t)) / c[t],
			"STD20":   std(window(c, t)) / c[t],
			"BETA20":  slope / c[t],
			"RSQR20":  r2,
			"RESI20":  resi / c[t],
			"MAX20":   hmax / c[t],
			"MIN20":   lmin / c[t],
			"QTLU20":  quantile(window(c, t), 0.8) / c[t],
			"QTLD20":  quantile(window(c, t), 0.2) / c[t],
			"RANK20":  pctRank(window(c, t)),
			"RSV20":   (c[t] - lmin) / (hmax - lmin + 1e-12),
			"IMAX20":  imax / goldenWindow,
			"IMIN20":  imin / goldenWindow,
			"IMXD20":  (imax - imin) / goldenWindow,
			"CORR20":  corr(window(c, t), window(logv, t)),
			"CORD20":  corr(window(ret, t), window(vret, t)),
			"CNTP20":  mean(window(up, t)),
			"CNTN20":  mean(window(down, t)),
			"CNTD20":  mean(window(up, t)) - mean(window(down, t)),
			"SUMP20":  sum(window(gain, t)) / (sum(window(move, t)) + 1e-12),
			"SUMN20":  sum(window(loss, t)) / (sum(window(move, t)) + 1e-12),
			"SUMD20":  (sum(window(gain, t)) - sum(window(loss, t))) / (sum(window(move, t)) + 1e-12),
			"VMA20":   mean(window(v, t)) / (v[t] + 1e-12),
			"VSTD20":  std(window(v, t)) / (v[t] + 1e-12),
			"WVMA20":  std(window(wv, t)) / (mean(window(wv, t)) + 1e-12),
			"VSUMP20": sum(window(vgain, t)) / (sum(window(vmove, t)) + 1e-12),
			"VSUMN20": sum(window(vloss, t)) / (sum(window(vmove, t)) + 1e-12),
			"VSUMD20": (sum(window(vgain, t)) - sum(window(vloss, t))) / (sum(window(vmove, t)) + 1e-12),
			LabelName: nan,
		}
		if t >= 5 {
			row["ROC5"] = c[t-5] / c[t]
		}
		if t+2 < n {
			row[LabelName] = c[t+2]/c[t+1] - 1
		}
		for name, val := range row {
			want[name][t] = val
		}
	}
	return want
}

func posPart(x float64) float64 {
	if math.IsNaN(x) {
		return nan
	}
	return math.Max(x, 0)
}

func TestGoldenBHP(t *testing.T) {
	b := mustLoadBars(t, filepath.Join(equitiesDir, "BHP.AX.csv.gz")).between("2015-01-02", "2016-12-31")
	if len(b.dates) < 500 {
		t.Fatalf("BHP 2015-2016 has %d rows, want about 505", len(b.dates))
	}
	features, label, err := Compute(b.series())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{LabelName: label}
	for k, name := range Names() {
		got[name] = features[k]
	}
	worst := 0.0
	for name, want := range goldenFeatures(b) {
		t.Run(name, func(t *testing.T) {
			for day, w := range want {
				g := got[name][day]
				if !agree(g, w) {
					t.Fatalf("%s %s = %.17g, want %.17g", name, b.dates[day], g, w)
				}
				if math.Abs(w) > 1e-6 {
					worst = math.Max(worst, math.Abs(g-w)/math.Abs(w))
				}
			}
		})
	}
	t.Logf("%d golden features over %d days; largest relative difference %.1e", len(goldenFeatures(b)), len(b.dates), worst)
}

// agree compares to 1e-9 relative, or 1e-12 absolute near zero, with NaN equal
// to NaN.
func agree(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= 1e-9*math.Abs(want)+1e-12
}
