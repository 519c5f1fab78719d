package expr

import "math"

// pairState keeps co-moment sums over the rows where both inputs have a value,
// as pandas does by masking each side with the other's NaN before Corr and Cov.
type pairState struct {
	n, nInf               int
	kx, ky                float64
	sx, sy, sxx, syy, sxy float64
	peakX, peakY          float64
	// Runs of equal trailing values of each side, as pandas' roll_var keeps
	// them, so that a constant side has exactly zero variance.
	runX, runY   int
	prevX, prevY float64
}

func (s *pairState) add(x, y float64) {
	if x != x || y != y {
		return
	}
	if x == s.prevX {
		s.runX++
	} else {
		s.runX, s.prevX = 1, x
	}
	if y == s.prevY {
		s.runY++
	} else {
		s.runY, s.prevY = 1, y
	}
	s.n++
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		s.nInf++
		return
	}
	if s.n-s.nInf == 1 {
		s.kx, s.ky = x, y
		s.sx, s.sy, s.sxx, s.syy, s.sxy, s.peakX, s.peakY = 0, 0, 0, 0, 0, 0, 0
		return
	}
	dx, dy := x-s.kx, y-s.ky
	s.sx += dx
	s.sy += dy
	s.sxx += dx * dx
	s.syy += dy * dy
	s.sxy += dx * dy
	s.peakX = max(s.peakX, s.sxx)
	s.peakY = max(s.peakY, s.syy)
}

func (s *pairState) remove(x, y float64) {
	if x != x || y != y {
		return
	}
	s.n--
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		s.nInf--
		return
	}
	dx, dy := x-s.kx, y-s.ky
	s.sx -= dx
	s.sy -= dy
	s.sxx -= dx * dx
	s.syy -= dy * dy
	s.sxy -= dx * dy
}

func (s *pairState) rebuild(xs, ys []float64) {
	var mx, my float64
	m := 0
	for i, x := range xs {
		if y := ys[i]; usable(x) && usable(y) {
			mx += x
			my += y
			m++
		}
	}
	s.sx, s.sy, s.sxx, s.syy, s.sxy = 0, 0, 0, 0, 0
	if m > 0 {
		s.kx, s.ky = mx/float64(m), my/float64(m)
	}
	for i, x := range xs {
		if y := ys[i]; usable(x) && usable(y) {
			dx, dy := x-s.kx, y-s.ky
			s.sx += dx
			s.sy += dy
			s.sxx += dx * dx
			s.syy += dy * dy
			s.sxy += dx * dy
		}
	}
	s.peakX, s.peakY = s.sxx, s.syy
}

// constant reports whether one side holds a single repeated value.
func (s *pairState) constant() bool { return s.runX >= s.n || s.runY >= s.n }

// drifted reports whether the sums need a rebuild to stay accurate.
func (s *pairState) drifted() bool {
	m := float64(s.n - s.nInf)
	if m < 2 || s.constant() {
		return false
	}
	return lostPrecision(s.sxx-s.sx*s.sx/m, s.peakX) || lostPrecision(s.syy-s.sy*s.sy/m, s.peakY)
}

func usable(v float64) bool { return v == v && !math.IsInf(v, 0) }

// cov is pandas' rolling cov with ddof=1.
func (s *pairState) cov() float64 {
	if s.n < 2 || s.nInf > 0 {
		return math.NaN()
	}
	if s.constant() {
		return 0
	}
	n := float64(s.n)
	return (s.sxy - s.sx*s.sy/n) / (n - 1)
}

// corr is pandas' rolling corr: the covariance over the product of the
// standard deviations of the paired rows. A constant side gives NaN where
// pandas divides by an exact zero.
func (s *pairState) corr() float64 {
	if s.n < 2 || s.nInf > 0 || s.constant() {
		return math.NaN()
	}
	n := float64(s.n)
	cxx := max(s.sxx-s.sx*s.sx/n, 0)
	cyy := max(s.syy-s.sy*s.sy/n, 0)
	return (s.sxy - s.sx*s.sy/n) / math.Sqrt(cxx*cyy)
}

// rollCorr is Qlib's Corr (corr true) and Cov (corr false). Corr is NaN where
// either input, on its own, has a rolling standard deviation within 2e-5 of
// zero, as Qlib's Corr operator masks it.
func rollCorr(x, y, out []float64, w int, corr bool) {
	y = y[:len(x)]
	var s pairState
	var vx, vy varState
	for i := range x {
		s.add(x[i], y[i])
		if i >= w {
			s.remove(x[i-w], y[i-w])
		}
		if corr {
			vx.add(x[i])
			vy.add(y[i])
			if i >= w {
				vx.remove(x[i-w])
				vy.remove(y[i-w])
			}
		}
		lo := windowStart(i, w)
		if rebuildDue(i, w) || s.drifted() {
			s.rebuild(x[lo:i+1], y[lo:i+1])
		}
		if corr && (rebuildDue(i, w) || vx.drifted()) {
			vx.rebuild(x[lo : i+1])
		}
		if corr && (rebuildDue(i, w) || vy.drifted()) {
			vy.rebuild(y[lo : i+1])
		}
		switch {
		case !corr:
			out[i] = s.cov()
		case stdNearZero(vx.variance()) || stdNearZero(vy.variance()):
			out[i] = math.NaN()
		default:
			out[i] = s.corr()
		}
	}
}
