package sim

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
)

// sessionStats runs many sessions of a few instruments with sparse trades
// (per-trade volatility and size scale with the trade count, so the daily
// figures do not depend on it) and gathers closes and volumes per code.
type sessionStats struct {
	closes  map[string][]float64
	volumes map[string][]int64
	// trading volume by half-hour of the day from 10:00, all codes and days
	halfHours [12]int64
}

func runSessions(t *testing.T, ins []Instrument, days int) sessionStats {
	t.Helper()
	s := mustNew(t, ins, Config{Seed: 11, TickEvery: 30 * time.Second})
	events := driveDays(t, s, "2025-01-06", days, "09:59:00", "16:15:00", 30*time.Second)
	st := sessionStats{closes: map[string][]float64{}, volumes: map[string][]int64{}}
	day := map[string]string{}
	for _, e := range events {
		tk := e.tick
		local := e.at.In(asx.Sydney())
		if date := local.Format(time.DateOnly); day[tk.Code] != date {
			day[tk.Code] = date
			st.volumes[tk.Code] = append(st.volumes[tk.Code], 0)
		}
		vols := st.volumes[tk.Code]
		vols[len(vols)-1] += tk.Size
		if tk.Kind == market.Auction && local.Hour() >= 14 {
			st.closes[tk.Code] = append(st.closes[tk.Code], tk.Price)
		}
		if tk.Kind == market.Trade {
			if h := int(local.Sub(time.Date(local.Year(), local.Month(), local.Day(), 10, 0, 0, 0, asx.Sydney())) / (30 * time.Minute)); h >= 0 && h < 12 {
				st.halfHours[h] += tk.Size
			}
		}
	}
	return st
}

func stdevLogReturns(closes []float64) float64 {
	var rs []float64
	for i := 1; i < len(closes); i++ {
		rs = append(rs, math.Log(closes[i]/closes[i-1]))
	}
	var mean float64
	for _, r := range rs {
		mean += r
	}
	mean /= float64(len(rs))
	var ss float64
	for _, r := range rs {
		ss += (r - mean) * (r - mean)
	}
	return math.Sqrt(ss / float64(len(rs)-1))
}

func TestSessionStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 200 sessions")
	}
	ins := []Instrument{
		{Code: "BHP", LastClose: 45.67, DailyVol: 0.015, AvgVolume: 8_000_000},
		{Code: "WTC", LastClose: 80, DailyVol: 0.04, AvgVolume: 600_000},
	}
	const days = 200
	st := runSessions(t, ins, days)

	t.Run("DailyVolatility", func(t *testing.T) {
		for _, in := range ins {
			closes := st.closes[in.Code]
			if len(closes) != days {
				t.Fatalf("%s: %d closes, want %d", in.Code, len(closes), days)
			}
			got := stdevLogReturns(closes)
			t.Logf("%s vol %.4f want %.4f", in.Code, got, in.DailyVol)
			if ratio := got / in.DailyVol; ratio < 0.8 || ratio > 1.25 {
				t.Errorf("%s: realised daily vol %.4f, want about %.4f (ratio %.2f)", in.Code, got, in.DailyVol, ratio)
			}
		}
	})

	t.Run("SessionVolume", func(t *testing.T) {
		for _, in := range ins {
			var sum int64
			for _, v := range st.volumes[in.Code] {
				sum += v
			}
			mean := float64(sum) / float64(len(st.volumes[in.Code]))
			t.Logf("%s volume %.0f want %d", in.Code, mean, in.AvgVolume)
			if ratio := mean / float64(in.AvgVolume); ratio < 0.85 || ratio > 1.15 {
				t.Errorf("%s: mean session volume %.0f, want about %d (ratio %.2f)", in.Code, mean, in.AvgVolume, ratio)
			}
		}
	})

	t.Run("UShape", func(t *testing.T) {
		t.Logf("half hours %v", st.halfHours)
		first, last := st.halfHours[0], st.halfHours[11]
		midday := min(st.halfHours[5], st.halfHours[6])
		if first < 3*midday/2 || last < 3*midday/2 {
			t.Errorf("half-hour volumes %v: first %d and last %d should be well above midday %d", st.halfHours, first, last, midday)
		}
	})
}
