package analysis

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// dateGroup is the rows of one date.
type dateGroup struct {
	date time.Time
	rows []int
}

// groupByDate returns the row indices of each distinct date, in date order,
// keeping the input order of rows within a date.
func groupByDate(dates []time.Time) []dateGroup {
	order := make([]int, len(dates))
	for i := range order {
		order[i] = i
	}
	sorted := true
	for i := 1; i < len(dates); i++ {
		if dates[i].Before(dates[i-1]) {
			sorted = false
			break
		}
	}
	if !sorted {
		slices.SortStableFunc(order, func(a, b int) int { return dates[a].Compare(dates[b]) })
	}
	var groups []dateGroup
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && dates[order[hi]].Equal(dates[order[lo]]) {
			hi++
		}
		groups = append(groups, dateGroup{date: dates[order[lo]], rows: order[lo:hi:hi]})
		lo = hi
	}
	return groups
}

// constant reports whether every value of xs is the same. Testing equality
// rather than a zero variance keeps rounding in the mean from making a flat
// day look informative.
func constant(xs []float64) bool {
	for _, v := range xs[1:] {
		if v != xs[0] {
			return false
		}
	}
	return true
}

// pearson returns the Pearson correlation of xs and ys, computed as numpy's
// corrcoef does (two-pass covariance over the product of the two standard
// deviations, clipped to [-1, 1]). Both must vary.
func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	mx, my := 0.0, 0.0
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	r := sxy / math.Sqrt(sxx) / math.Sqrt(syy)
	return max(-1, min(1, r))
}

// averageRanks writes the 1-based ranks of xs into dst, giving tied values
// the mean of the ranks they span (scipy's rankdata method "average", which
// pandas' Spearman uses). order is scratch space; both are returned for reuse.
func averageRanks(dst []float64, order []int, xs []float64) ([]float64, []int) {
	n := len(xs)
	dst = slices.Grow(dst[:0], n)[:n]
	order = slices.Grow(order[:0], n)[:n]
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && xs[order[hi]] == xs[order[lo]] {
			hi++
		}
		// Positions lo..hi-1 hold ranks lo+1..hi; their mean is (lo+1+hi)/2.
		r := float64(lo+1+hi) / 2
		for _, i := range order[lo:hi] {
			dst[i] = r
		}
		lo = hi
	}
	return dst, order
}
