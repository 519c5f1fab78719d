package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// alternating returns n+1 closes whose log returns alternate +r, -r.
func alternating(n int, r float64) []float64 {
	closes := []float64{10}
	for i := range n {
		step := r
		if i%2 == 1 {
			step = -r
		}
		closes = append(closes, closes[len(closes)-1]*math.Exp(step))
	}
	return closes
}

func TestEstimateVol(t *testing.T) {
	wild := alternating(299, 0.5)
	calm := alternating(250, 0.02)
	tests := []struct {
		name   string
		closes []float64
		want   float64
	}{
		{"Empty", nil, DefaultDailyVol},
		{"Short", alternating(19, 0.03), DefaultDailyVol},
		{"Alternating", alternating(30, 0.02), 0.02 * math.Sqrt(30.0/29)},
		{"Flat", []float64{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, MinDailyVol},
		{"Wild", alternating(40, 0.3), MaxDailyVol},
		{"LastYearOnly", append(wild[:50:50], calm...), 0.02 * math.Sqrt(250.0/249)},
		{"SkipsBadCloses", append(alternating(30, 0.02), 0, math.NaN(), -1), 0.02 * math.Sqrt(30.0/29)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimateVol(tt.closes); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("EstimateVol() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEstimateVolRecoversRandomWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const vol = 0.025
	closes := []float64{20}
	for range 250 {
		closes = append(closes, closes[len(closes)-1]*math.Exp(vol*rng.NormFloat64()))
	}
	if got := EstimateVol(closes); math.Abs(got/vol-1) > 0.15 {
		t.Errorf("EstimateVol() = %.4f for a walk with daily vol %.4f", got, vol)
	}
}

func TestEstimateAvgVolume(t *testing.T) {
	old := make([]int64, 37)
	recent := make([]int64, 63)
	for i := range old {
		old[i] = 1_000_000_000
	}
	for i := range recent {
		recent[i] = 1000
	}
	tests := []struct {
		name    string
		volumes []int64
		want    int64
	}{
		{"Empty", nil, DefaultAvgVolume},
		{"Mean", []int64{100, 200, 300}, 200},
		{"Rounds", []int64{1, 2}, 2},
		{"LastThreeMonths", append(old, recent...), 1000},
		{"SkipsNegative", []int64{-5, 100}, 100},
		{"AllZero", []int64{0, 0}, DefaultAvgVolume},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimateAvgVolume(tt.volumes); got != tt.want {
				t.Errorf("EstimateAvgVolume() = %d, want %d", got, tt.want)
			}
		})
	}
}
