// Package analysis measures how well a model's scores order instruments:
// daily information coefficients and their summary as Qlib's SigAnaRecord
// reports them (qlib/contrib/eva/alpha.py calc_ic), and the forward return of
// score quantile buckets.
//
// Inputs are flat, row-aligned slices — one row per (date, instrument) — as
// dataset.Matrix exports them. NaN marks a missing value.
package analysis

import (
	"fmt"
	"math"
	"time"
)

// DayIC is the information coefficient of one day.
type DayIC struct {
	Date time.Time
	// IC is the Pearson correlation of score and label across the day's
	// instruments.
	IC float64
	// RankIC is the Spearman correlation: Pearson of the average ranks.
	RankIC float64
	// N is the number of (score, label) pairs used.
	N int
}

// DailyIC returns the IC and Rank IC of every day, in date order. Rows are
// grouped by equal dates and need not be sorted. Pairs with a missing score
// or label are dropped, as pandas' Series.corr does. A day is left out when
// fewer than two pairs remain or when the scores or the labels are all equal:
// pandas yields NaN for such a day and Qlib's mean and std skip it. An
// infinite value makes that day's IC NaN while its Rank IC stays defined, as
// in pandas; Summarise skips the NaN.
//
// dates, score and label must have the same length.
func DailyIC(dates []time.Time, score, label []float64) []DayIC {
	mustSameLen(len(dates), len(score), len(label))
	var out []DayIC
	var xs, ys, rx, ry []float64
	var order []int
	for _, g := range groupByDate(dates) {
		xs, ys = xs[:0], ys[:0]
		for _, i := range g.rows {
			if math.IsNaN(score[i]) || math.IsNaN(label[i]) {
				continue
			}
			xs = append(xs, score[i])
			ys = append(ys, label[i])
		}
		if len(xs) < 2 || constant(xs) || constant(ys) {
			continue
		}
		rx, order = averageRanks(rx, order, xs)
		ry, order = averageRanks(ry, order, ys)
		out = append(out, DayIC{
			Date:   g.date,
			IC:     pearson(xs, ys),
			RankIC: pearson(rx, ry),
			N:      len(xs),
		})
	}
	return out
}

// Summary condenses daily ICs the way Qlib's SigAnaRecord does:
// IC = mean(IC), ICIR = mean(IC) / std(IC), and the same for Rank IC. Std is
// the sample standard deviation (ddof=1), pandas' default.
//
// With fewer than two days the std fields and the IRs are NaN, and with no
// days every field is; JSON cannot encode NaN, so check Days before storing.
type Summary struct {
	IC, ICStd, ICIR             float64
	RankIC, RankICStd, RankICIR float64
	// Days is the number of days summarised.
	Days int
}

// Summarise computes the Summary of days, skipping NaN values as pandas'
// mean and std do.
func Summarise(days []DayIC) Summary {
	s := Summary{Days: len(days)}
	s.IC, s.ICStd = meanStd(days, func(d DayIC) float64 { return d.IC })
	s.RankIC, s.RankICStd = meanStd(days, func(d DayIC) float64 { return d.RankIC })
	s.ICIR = s.IC / s.ICStd
	s.RankICIR = s.RankIC / s.RankICStd
	return s
}

// RollingRankIC returns the mean Rank IC of the last window days, or of all
// days when there are fewer, for a live gauge of model health. It is NaN when
// days is empty or window is not positive.
func RollingRankIC(days []DayIC, window int) float64 {
	if window <= 0 || len(days) == 0 {
		return math.NaN()
	}
	recent := days[max(0, len(days)-window):]
	mean, _ := meanStd(recent, func(d DayIC) float64 { return d.RankIC })
	return mean
}

// meanStd returns the mean and the ddof=1 standard deviation of the non-NaN
// values of field over days.
func meanStd(days []DayIC, field func(DayIC) float64) (mean, std float64) {
	n, sum := 0, 0.0
	for _, d := range days {
		if v := field(d); !math.IsNaN(v) {
			n++
			sum += v
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / float64(n)
	if n < 2 {
		return mean, math.NaN()
	}
	ss := 0.0
	for _, d := range days {
		if v := field(d); !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n-1))
}

func mustSameLen(n int, others ...int) {
	for _, m := range others {
		if m != n {
			panic(fmt.Sprintf("analysis: row slices differ in length: %d and %d", n, m))
		}
	}
}
