package expr

import "math"

// rollExtreme is Qlib's Max (isMax) and Min: a monotonic deque of row indexes
// whose front is the extreme of the window; NaN rows are skipped.
func rollExtreme(x, out []float64, w int, dq []int, isMax bool) {
	head, tail := 0, 0
	for i, v := range x {
		if v == v {
			for tail > head && dominated(x[dq[tail-1]], v, isMax) {
				tail--
			}
			dq[tail] = i
			tail++
		}
		start := i - w + 1
		for tail > head && dq[head] < start {
			head++
		}
		if tail > head {
			out[i] = x[dq[head]]
		} else {
			out[i] = math.NaN()
		}
	}
}

// dominated reports whether old can never again be the window's extreme once
// v has arrived. Equal values are kept so that the front is the first one.
func dominated(old, v float64, isMax bool) bool {
	if isMax {
		return old < v
	}
	return old > v
}

// rollIdxExtreme is Qlib's IdxMax (isMax) and IdxMin: numpy's argmax+1 over the
// raw window, so the first occurrence of the extreme, or the first NaN when
// the window holds one. A window without any value gives NaN.
func rollIdxExtreme(x, out []float64, w int, dqs [2][]int, isMax bool) {
	dq, nans := dqs[0], dqs[1]
	head, tail, nh, nt := 0, 0, 0, 0
	for i, v := range x {
		if v == v {
			for tail > head && dominated(x[dq[tail-1]], v, isMax) {
				tail--
			}
			dq[tail] = i
			tail++
		} else {
			nans[nt] = i
			nt++
		}
		start := windowStart(i, w)
		for tail > head && dq[head] < start {
			head++
		}
		for nt > nh && nans[nh] < start {
			nh++
		}
		switch {
		case nt-nh == i-start+1:
			out[i] = math.NaN()
		case nt > nh:
			out[i] = float64(nans[nh] - start + 1)
		default:
			out[i] = float64(dq[head] - start + 1)
		}
	}
}

// slideSorted updates the sorted non-NaN values of the window ending at row i.
func slideSorted(s, x []float64, i, w int) []float64 {
	if v := x[i]; v == v {
		j := upperBound(s, v)
		s = append(s, 0)
		copy(s[j+1:], s[j:])
		s[j] = v
	}
	if i >= w {
		if v := x[i-w]; v == v {
			j := lowerBound(s, v)
			copy(s[j:], s[j+1:])
			s = s[:len(s)-1]
		}
	}
	return s
}

// lowerBound is the first index whose value is >= v.
func lowerBound(s []float64, v float64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// upperBound is the first index whose value is > v.
func upperBound(s []float64, v float64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] <= v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// rollMedian is Qlib's Med, pandas' roll_median_c.
func rollMedian(x, out []float64, w int, s []float64) []float64 {
	s = s[:0]
	for i := range x {
		s = slideSorted(s, x, i, w)
		out[i] = sortedMedian(s)
	}
	return s
}

// sortedMedian is the median of the sorted values s, NaN when there are none.
func sortedMedian(s []float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2] + s[n/2-1]) / 2
}

// rollQuantile is Qlib's Quantile, pandas' roll_quantile with linear
// interpolation.
func rollQuantile(x, out []float64, w int, q float64, s []float64) []float64 {
	s = s[:0]
	for i := range x {
		s = slideSorted(s, x, i, w)
		out[i] = sortedQuantile(s, q)
	}
	return s
}

// sortedQuantile is the q quantile of the sorted values s with linear
// interpolation, NaN when there are none.
func sortedQuantile(s []float64, q float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n == 1:
		return s[0]
	}
	f := q * float64(n-1)
	idx := int(f)
	if float64(idx) == f {
		return s[idx]
	}
	lo, hi := s[idx], s[idx+1]
	return lo + (hi-lo)*(f-float64(idx))
}

// rankScanMax is the longest window rollRank counts by a pass over it: up to
// about 30 values (Alpha158's RANK5..RANK30) that is faster than keeping the
// window sorted; at 60 the two are even.
const rankScanMax = 32

// rollRank is Qlib's Rank, pandas' rolling rank(pct=True): the average rank of
// the latest value among the window's values, over their number. NaN when
// the latest value is NaN.
func rollRank(x, out []float64, w int, s []float64) []float64 {
	if w <= rankScanMax {
		for i, v := range x {
			if v != v {
				out[i] = math.NaN()
				continue
			}
			less, le, n := 0, 0, 0
			for _, u := range x[windowStart(i, w) : i+1] {
				if u == u {
					n++
					if u < v {
						less++
					}
					if u <= v {
						le++
					}
				}
			}
			// The same arithmetic as below, so both give the same bits.
			out[i] = float64(less+1+le) / 2 / float64(n)
		}
		return s
	}
	s = s[:0]
	for i, v := range x {
		s = slideSorted(s, x, i, w)
		out[i] = sortedRank(s, v)
	}
	return s
}

// sortedRank is the percentile rank of v among the sorted values s (which
// hold it), ties averaged; NaN when v is NaN.
func sortedRank(s []float64, v float64) float64 {
	if v != v {
		return math.NaN()
	}
	less := lowerBound(s, v)
	le := upperBound(s, v)
	// Ranks less+1 .. le share v; their average is exact in float64.
	avg := float64(less+1+le) / 2
	return avg / float64(len(s))
}

// sortedOp reports whether op reads its window sorted: Med, Quantile, and
// Rank over windows longer than rankScanMax. Such operators over the same
// input and window share one sorted window (see rollSortedGroup).
func sortedOp(op opcode, n int) bool {
	return op == opMed || op == opQuantile || op == opRank && n > rankScanMax
}

// sortedOut is one output of rollSortedGroup.
type sortedOut struct {
	op  opcode // opMed, opQuantile or opRank
	q   float64
	out []float64
}

// rollSortedGroup computes several sorted-window operators over the same
// input x and window w in one pass, value for value what each kernel alone
// gives.
func rollSortedGroup(x []float64, w int, outs []sortedOut, s []float64) []float64 {
	s = s[:0]
	for i, v := range x {
		s = slideSorted(s, x, i, w)
		for _, o := range outs {
			switch o.op {
			case opMed:
				o.out[i] = sortedMedian(s)
			case opQuantile:
				o.out[i] = sortedQuantile(s, o.q)
			default:
				o.out[i] = sortedRank(s, v)
			}
		}
	}
	return s
}
