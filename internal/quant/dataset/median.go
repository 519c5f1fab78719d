package dataset

import (
	"math"
	"math/rand/v2"
)

// median returns the median of a, which must hold no NaN, as numpy's median
// does: the middle value, or the mean of the two middle values when len(a)
// is even. It reorders a and returns NaN when a is empty.
func median(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	k := n / 2
	hi := selectKth(a, k)
	if n%2 == 1 {
		return hi
	}
	// selectKth leaves the k smallest values in a[:k]; the largest of them is
	// the lower middle value.
	lo := a[0]
	for _, v := range a[1:k] {
		lo = max(lo, v)
	}
	return (lo + hi) / 2
}

// selectKth reorders a so that a[k] holds the value it would hold if a were
// sorted, with smaller-or-equal values before it and greater-or-equal after,
// and returns it. A three-way partition around a random pivot keeps runs of
// equal values, common in ratio features, from degrading it to quadratic time.
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		p := a[lo+rand.IntN(hi-lo+1)]
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := a[i]; {
			case v < p:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case v > p:
				a[i], a[gt] = a[gt], a[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return p
		}
	}
	return a[k]
}
