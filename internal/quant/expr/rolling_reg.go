package expr

import "math"

// regState keeps the sums of an ordinary least squares fit of the window's
// values on their row positions, skipping NaN rows as qlib/data/_libs/rolling.pyx
// does. Positions count from base and values from k, both reset on rebuild,
// so that the sums stay small.
type regState struct {
	n, nInf               int
	base                  int
	k                     float64
	sp, spp, sy, syy, spy float64
	peak                  float64
	run                   int
	prev                  float64
}

func (s *regState) add(i int, y float64) {
	if y != y {
		return
	}
	if y == s.prev {
		s.run++
	} else {
		s.run, s.prev = 1, y
	}
	s.n++
	if math.IsInf(y, 0) {
		s.nInf++
		return
	}
	if s.n-s.nInf == 1 {
		s.base, s.k = i, y
		s.sp, s.spp, s.sy, s.syy, s.spy, s.peak = 0, 0, 0, 0, 0, 0
		return
	}
	p, d := float64(i-s.base), y-s.k
	s.sp += p
	s.spp += p * p
	s.sy += d
	s.syy += d * d
	s.spy += p * d
	s.peak = max(s.peak, s.syy)
}

func (s *regState) remove(i int, y float64) {
	if y != y {
		return
	}
	s.n--
	if math.IsInf(y, 0) {
		s.nInf--
		return
	}
	p, d := float64(i-s.base), y-s.k
	s.sp -= p
	s.spp -= p * p
	s.sy -= d
	s.syy -= d * d
	s.spy -= p * d
}

// rebuild recomputes the sums over rows lo..lo+len(win)-1.
func (s *regState) rebuild(lo int, win []float64) {
	var sum float64
	m := 0
	for _, y := range win {
		if usable(y) {
			sum += y
			m++
		}
	}
	s.sp, s.spp, s.sy, s.syy, s.spy = 0, 0, 0, 0, 0
	s.base = lo
	if m > 0 {
		s.k = sum / float64(m)
	}
	for j, y := range win {
		if usable(y) {
			p, d := float64(j), y-s.k
			s.sp += p
			s.spp += p * p
			s.sy += d
			s.syy += d * d
			s.spy += p * d
		}
	}
	s.peak = s.syy
}

// drifted reports whether the sums need a rebuild to stay accurate.
func (s *regState) drifted() bool {
	m := float64(s.n - s.nInf)
	if m < 2 || s.run >= s.n {
		return false
	}
	return lostPrecision(s.syy-s.sy*s.sy/m, s.peak)
}

// rollRegression is Qlib's Slope, Rsquare and Resi.
//
// Slope is the OLS slope per row. Resi is the latest value minus the fitted
// value at the latest row, NaN when the latest value is. Rsquare is the squared
// Pearson correlation of values and positions, NaN where the window's standard
// deviation is within 2e-5 of zero (Qlib's mask in ops.Rsquare).
func rollRegression(x, out []float64, w int, op opcode) {
	var s regState
	s.prev = math.NaN()
	for i, y := range x {
		s.add(i, y)
		if i >= w {
			s.remove(i-w, x[i-w])
		}
		if rebuildDue(i, w) || s.drifted() {
			lo := windowStart(i, w)
			s.rebuild(lo, x[lo:i+1])
		}
		if s.n < 2 || s.nInf > 0 {
			out[i] = math.NaN()
			continue
		}
		n := float64(s.n)
		sxx := s.spp - s.sp*s.sp/n
		sxy := s.spy - s.sp*s.sy/n
		switch op {
		case opSlope:
			out[i] = sxy / sxx
		case opResi:
			slope := sxy / sxx
			out[i] = (y - s.k - s.sy/n) - slope*(float64(i-s.base)-s.sp/n)
		case opRsquare:
			syy := max(s.syy-s.sy*s.sy/n, 0)
			if s.run >= s.n || stdNearZero(syy/(n-1)) {
				out[i] = math.NaN()
				continue
			}
			out[i] = sxy * sxy / (sxx * syy)
		}
	}
}
