package expr

import "math"

// Running-sum windows. Each kernel adds the new row, removes the row that left
// the window, and every max(w, 64) rows rebuilds its sums from the window
// itself so that rounding errors cannot accumulate over thousands of rows. NaN rows are
// skipped, as pandas does; infinite values are counted apart from the sums so
// that they affect only the windows that hold them.

// rebuildDue reports whether the sums should be rebuilt after row i. Small
// windows wait 64 rows, which keeps the rebuilds cheap and the drift tiny.
func rebuildDue(i, w int) bool { return i >= w && (i+1)%max(w, 64) == 0 }

// lostPrecision reports whether a centred sum of squares has fallen so far
// below the largest raw sum it held since the last rebuild that rounding
// residue from the removed values could show: after a spike leaves the window,
// for example.
func lostPrecision(centred, peak float64) bool { return centred < peak*1e-4 }

// windowStart is the first row of the window that ends at row i.
func windowStart(i, w int) int { return max(0, i-w+1) }

// sumState is a running sum with pandas' special cases. Rows are added and
// removed with plain arithmetic, which is accurate enough between the periodic
// Kahan-compensated rebuilds and twice as fast as compensating every step.
type sumState struct {
	n, negCt, posInf, negInf int
	sum, comp                float64
	run                      int // trailing non-NaN values equal to prev
	prev                     float64
}

func (s *sumState) kahan(v float64) {
	y := v - s.comp
	t := s.sum + y
	s.comp = (t - s.sum) - y
	s.sum = t
}

func (s *sumState) add(v float64) {
	if v != v {
		return
	}
	s.n++
	if math.Signbit(v) {
		s.negCt++
	}
	if v == s.prev {
		s.run++
	} else {
		s.run, s.prev = 1, v
	}
	switch {
	case math.IsInf(v, 1):
		s.posInf++
	case math.IsInf(v, -1):
		s.negInf++
	default:
		s.sum += v
	}
}

func (s *sumState) remove(v float64) {
	if v != v {
		return
	}
	s.n--
	if math.Signbit(v) {
		s.negCt--
	}
	switch {
	case math.IsInf(v, 1):
		s.posInf--
	case math.IsInf(v, -1):
		s.negInf--
	default:
		s.sum -= v
	}
}

func (s *sumState) rebuild(win []float64) {
	s.sum, s.comp = 0, 0
	for _, v := range win {
		if v == v && !math.IsInf(v, 0) {
			s.kahan(v)
		}
	}
}

// infinite returns the sum when the window holds infinite values.
func (s *sumState) infinite() (float64, bool) {
	switch {
	case s.posInf > 0 && s.negInf > 0:
		return math.NaN(), true
	case s.posInf > 0:
		return math.Inf(1), true
	case s.negInf > 0:
		return math.Inf(-1), true
	}
	return 0, false
}

// total is pandas' roll_sum with min_periods=1.
func (s *sumState) total() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	if v, ok := s.infinite(); ok {
		return v
	}
	if s.run >= s.n {
		return s.prev * float64(s.n)
	}
	return s.sum
}

// mean is pandas' roll_mean with min_periods=1.
func (s *sumState) mean() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	if v, ok := s.infinite(); ok {
		return v
	}
	if s.run >= s.n {
		return s.prev
	}
	r := s.sum / float64(s.n)
	if (s.negCt == 0 && r < 0) || (s.negCt == s.n && r > 0) {
		return 0
	}
	return r
}

// rollSum is Qlib's Sum (mean false) and Mean (mean true).
func rollSum(x, out []float64, w int, mean bool) {
	var s sumState
	s.prev = math.NaN()
	for i, v := range x {
		s.add(v)
		if i >= w {
			s.remove(x[i-w])
		}
		if rebuildDue(i, w) {
			s.rebuild(x[i-w+1 : i+1])
		}
		if mean {
			out[i] = s.mean()
		} else {
			out[i] = s.total()
		}
	}
}

// rollCount is Qlib's Count: the number of non-NaN values in the window.
func rollCount(x, out []float64, w int) {
	n := 0
	for i, v := range x {
		if v == v {
			n++
		}
		if i >= w && x[i-w] == x[i-w] {
			n--
		}
		out[i] = float64(n)
	}
}

// varState keeps sums of deviations from a shift k, reset to the window mean
// on rebuild, so that the variance does not cancel catastrophically.
type varState struct {
	n, nInf         int
	k, s1, s2, peak float64
	run             int
	prev            float64
}

func (s *varState) add(v float64) {
	if v != v {
		return
	}
	if v == s.prev {
		s.run++
	} else {
		s.run, s.prev = 1, v
	}
	s.n++
	if math.IsInf(v, 0) {
		s.nInf++
		return
	}
	if s.n-s.nInf == 1 {
		s.k, s.s1, s.s2, s.peak = v, 0, 0, 0
		return
	}
	d := v - s.k
	s.s1 += d
	s.s2 += d * d
	s.peak = max(s.peak, s.s2)
}

func (s *varState) remove(v float64) {
	if v != v {
		return
	}
	s.n--
	if math.IsInf(v, 0) {
		s.nInf--
		return
	}
	d := v - s.k
	s.s1 -= d
	s.s2 -= d * d
}

func (s *varState) rebuild(win []float64) {
	var sum float64
	m := 0
	for _, v := range win {
		if v == v && !math.IsInf(v, 0) {
			sum += v
			m++
		}
	}
	s.s1, s.s2 = 0, 0
	if m > 0 {
		s.k = sum / float64(m)
	}
	for _, v := range win {
		if v == v && !math.IsInf(v, 0) {
			d := v - s.k
			s.s1 += d
			s.s2 += d * d
		}
	}
	s.peak = s.s2
}

// drifted reports whether the sums need a rebuild to stay accurate.
func (s *varState) drifted() bool {
	m := s.n - s.nInf
	if m < 2 || s.run >= s.n {
		return false
	}
	return lostPrecision(s.s2-s.s1*s.s1/float64(m), s.peak)
}

// variance is pandas' roll_var with ddof=1 and min_periods=1.
func (s *varState) variance() float64 {
	if s.n < 2 || s.nInf > 0 {
		return math.NaN()
	}
	if s.run >= s.n {
		return 0
	}
	n := float64(s.n)
	v := (s.s2 - s.s1*s.s1/n) / (n - 1)
	if v < 0 {
		return 0
	}
	return v
}

// rollVar is Qlib's Std (std true) and Var (std false).
func rollVar(x, out []float64, w int, std bool) {
	var s varState
	s.prev = math.NaN()
	for i, v := range x {
		s.add(v)
		if i >= w {
			s.remove(x[i-w])
		}
		if rebuildDue(i, w) || s.drifted() {
			s.rebuild(x[windowStart(i, w) : i+1])
		}
		out[i] = s.variance()
		if std {
			out[i] = math.Sqrt(out[i])
		}
	}
}

// stdNearZero is Qlib's np.isclose(std, 0, atol=2e-05) mask used by Corr and
// Rsquare; a NaN standard deviation is not close to zero.
func stdNearZero(variance float64) bool { return math.Sqrt(variance) <= 2e-5 }
