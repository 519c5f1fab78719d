package analysis

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// QuantileResult is the mean forward return of score quantile buckets.
// Bucket 0 holds the lowest scores and bucket K-1 the highest.
type QuantileResult struct {
	K int
	// Mean is, for each bucket, the mean over days of that day's mean return
	// in the bucket.
	Mean []float64
	// LongShort is the mean over days of the top bucket's return minus the
	// bottom bucket's.
	LongShort float64
	// Days is the number of days used; Daily holds them in date order.
	Days  int
	Daily []QuantileDay
}

// QuantileDay is one day's bucket returns.
type QuantileDay struct {
	Date time.Time
	// Mean is the mean return of each bucket that day.
	Mean []float64
	// N is the number of instruments bucketed.
	N int
}

// LongShort returns the day's top bucket return minus its bottom bucket's.
func (d QuantileDay) LongShort() float64 { return d.Mean[len(d.Mean)-1] - d.Mean[0] }

// Quantiles splits each day's instruments into k buckets by score and
// averages the forward return ret of each bucket, first within the day, then
// over days.
//
// Buckets follow pandas' qcut(score.rank(method="first"), k): instruments are
// ranked 1..n by ascending score, ties in input order, and rank r goes to the
// bucket whose edges 1 + j(n-1)/k, right-closed, hold it. The edges are
// compared exactly, in integers, where pandas compares floating-point edges,
// so a rank that sits on an edge cannot be pushed across it by rounding.
// With n = 7 and k = 5 the buckets hold 2, 1, 1, 1 and 2 instruments.
//
// Pairs with a missing score or return are dropped, and days with fewer than
// k pairs are skipped, so every bucket of every day used is non-empty. k must
// be at least 2; dates, score and ret must have the same length.
//
// Qlib's own report (analysis_model_performance._group_return) instead cuts
// the score-sorted list into k runs of len//k and leaves the remainder out;
// the two agree when n is a multiple of k.
func Quantiles(dates []time.Time, score, ret []float64, k int) (QuantileResult, error) {
	mustSameLen(len(dates), len(score), len(ret))
	if k < 2 {
		return QuantileResult{}, apperr.FieldError("quantiles", "need at least 2 quantile buckets, got %d", k)
	}
	res := QuantileResult{K: k, Mean: make([]float64, k)}
	type pair struct{ score, ret float64 }
	var pairs []pair
	count := make([]int, k)
	for _, g := range groupByDate(dates) {
		pairs = pairs[:0]
		for _, i := range g.rows {
			if !math.IsNaN(score[i]) && !math.IsNaN(ret[i]) {
				pairs = append(pairs, pair{score[i], ret[i]})
			}
		}
		n := len(pairs)
		if n < k {
			continue
		}
		slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(a.score, b.score) })
		day := QuantileDay{Date: g.date, Mean: make([]float64, k), N: n}
		clear(count)
		for r0, p := range pairs {
			b := bucket(r0+1, n, k)
			day.Mean[b] += p.ret
			count[b]++
		}
		for b := range day.Mean {
			day.Mean[b] /= float64(count[b])
			res.Mean[b] += day.Mean[b]
		}
		res.LongShort += day.LongShort()
		res.Daily = append(res.Daily, day)
	}
	res.Days = len(res.Daily)
	if res.Days == 0 {
		for b := range res.Mean {
			res.Mean[b] = math.NaN()
		}
		res.LongShort = math.NaN()
		return res, nil
	}
	for b := range res.Mean {
		res.Mean[b] /= float64(res.Days)
	}
	res.LongShort /= float64(res.Days)
	return res, nil
}

// bucket returns the 0-based bucket of rank r (1..n) among k buckets whose
// right-closed edges are 1 + j(n-1)/k: the smallest j ≥ 1 with
// (r-1)k ≤ j(n-1), less one, with rank 1 in the first bucket. n must exceed 1.
func bucket(r, n, k int) int {
	j := ((r-1)*k + n - 2) / (n - 1) // ceil((r-1)k / (n-1))
	return max(j, 1) - 1
}
