package expr

import "math"

// ref is Qlib's Ref: pandas shift(n); rows shifted in from outside are NaN.
func ref(x, out []float64, n int) {
	for i := range x {
		if j := i - n; j >= 0 && j < len(x) {
			out[i] = x[j]
		} else {
			out[i] = math.NaN()
		}
	}
}

// delta is Qlib's Delta: x minus x n rows earlier.
func delta(x, out []float64, n int) {
	for i, v := range x {
		if i >= n {
			out[i] = v - x[i-n]
		} else {
			out[i] = math.NaN()
		}
	}
}

// rollMad is Qlib's Mad: the mean absolute deviation from the mean of the
// window's non-NaN values.
func rollMad(x, out []float64, w int) {
	for i := range x {
		win := x[windowStart(i, w) : i+1]
		var sum float64
		m := 0
		for _, v := range win {
			if v == v {
				sum += v
				m++
			}
		}
		if m == 0 {
			out[i] = math.NaN()
			continue
		}
		mean := sum / float64(m)
		var dev float64
		for _, v := range win {
			if v == v {
				dev += math.Abs(v - mean)
			}
		}
		out[i] = dev / float64(m)
	}
}

// rollWMA is Qlib's WMA as written in ops.py: weights 1..L normalised to sum
// to one over the L rows of the window, then np.nanmean of weight*value, which
// divides the weighted sum by the number of non-NaN values once more.
func rollWMA(x, out []float64, w int) {
	for i := range x {
		start := windowStart(i, w)
		win := x[start : i+1]
		l := float64(len(win))
		total := l * (l + 1) / 2
		var sum float64
		m := 0
		for j, v := range win {
			if v == v {
				sum += float64(j+1) / total * v
				m++
			}
		}
		if m == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = sum / float64(m)
	}
}

// ewmMean is pandas' ewm(alpha=alpha, adjust=True, ignore_na=False,
// min_periods=1).mean(), ported from pandas' ewm kernel including its
// shortcut that leaves the average untouched when the new value equals it.
func ewmMean(x, out []float64, alpha float64) {
	if len(x) == 0 {
		return
	}
	oldWtFactor := 1 - alpha
	const newWt = 1.0
	weighted := x[0]
	nobs := 0
	if weighted == weighted {
		nobs = 1
	}
	out[0] = nanUnless(weighted, nobs >= 1)
	oldWt := 1.0
	for i := 1; i < len(x); i++ {
		cur := x[i]
		obs := cur == cur
		if obs {
			nobs++
		}
		if weighted == weighted {
			oldWt *= oldWtFactor
			if obs {
				if weighted != cur {
					weighted = (oldWt*weighted + newWt*cur) / (oldWt + newWt)
				}
				oldWt += newWt
			}
		} else if obs {
			weighted = cur
		}
		out[i] = nanUnless(weighted, nobs >= 1)
	}
}

func nanUnless(v float64, ok bool) float64 {
	if ok {
		return v
	}
	return math.NaN()
}
