package sim

import "math"

// Volatility bounds and default: a daily stdev of log returns outside
// 0.5 %–8 % is treated as bad data, and short histories get 2 %.
const (
	MinDailyVol     = 0.005
	MaxDailyVol     = 0.08
	DefaultDailyVol = 0.02
)

// History windows: about a year of closes for volatility, three months of
// volumes for the average, and the fewest returns worth estimating from.
const (
	volWindow     = 250
	volumeWindow  = 63
	minVolReturns = 20
)

// EstimateVol returns the sample standard deviation (ddof 1) of the daily
// log returns of the last 250 returns in closes, oldest first, clamped to
// MinDailyVol..MaxDailyVol. Non-positive or non-finite closes break the
// series and are skipped along with the returns touching them. With fewer
// than 20 returns it returns DefaultDailyVol.
func EstimateVol(closes []float64) float64 {
	if len(closes) > volWindow+1 {
		closes = closes[len(closes)-volWindow-1:]
	}
	var n int
	var mean, m2 float64 // Welford's running mean and sum of squared deviations
	for i := 1; i < len(closes); i++ {
		a, b := closes[i-1], closes[i]
		if !usable(a) || !usable(b) {
			continue
		}
		r := math.Log(b / a)
		n++
		d := r - mean
		mean += d / float64(n)
		m2 += d * (r - mean)
	}
	if n < minVolReturns {
		return DefaultDailyVol
	}
	return min(max(math.Sqrt(m2/float64(n-1)), MinDailyVol), MaxDailyVol)
}

func usable(p float64) bool { return p > 0 && !math.IsInf(p, 1) }

// EstimateAvgVolume returns the mean of the last 63 daily volumes (about
// three months), ignoring negative entries, or DefaultAvgVolume when there
// are none or they average zero.
func EstimateAvgVolume(volumes []int64) int64 {
	if len(volumes) > volumeWindow {
		volumes = volumes[len(volumes)-volumeWindow:]
	}
	var sum float64
	var n int
	for _, v := range volumes {
		if v >= 0 {
			sum += float64(v)
			n++
		}
	}
	if n == 0 || sum == 0 {
		return DefaultAvgVolume
	}
	return int64(math.Round(sum / float64(n)))
}
