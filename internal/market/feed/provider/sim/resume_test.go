package sim

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// TestResumeContinuesTheSession: a simulator started mid-session with each
// instrument's session so far prints no second opening auction and trades on
// from the day's last price; without it, the day starts again (an opening
// auction from the previous close). A resumed day whose close is over stays
// quiet until the next trading day.
func TestResumeContinuesTheSession(t *testing.T) {
	syd := asx.Sydney()
	mid := testenv.TimeIn(t, "2026-12-08 11:30:00", syd)
	day := asx.Civil(mid.In(syd))
	in := Instrument{Code: "AAA", LastClose: 45.67, DailyVol: 0.015, AvgVolume: 2_000_000}

	fresh := drive(mustNew(t, []Instrument{in}, Config{Seed: 3}), mid, mid.Add(10*time.Minute), time.Second)
	if len(fresh) == 0 || fresh[0].tick.Kind != market.Auction {
		t.Fatalf("a fresh start mid-session: first event %+v, want the opening auction", fresh)
	}

	in.Resume = &Resume{Day: day, Last: 48.20}
	resumed := drive(mustNew(t, []Instrument{in}, Config{Seed: 3}), mid, mid.Add(10*time.Minute), time.Second)
	trades := 0
	for _, e := range resumed {
		if e.tick.Kind == market.Auction {
			t.Fatalf("resumed session printed an auction at %v", e.at.In(syd))
		}
		if e.tick.Kind == market.Trade {
			if trades == 0 && math.Abs(e.tick.Price/48.20-1) > 0.005 {
				t.Errorf("first trade after resuming %v, want next to the day's last 48.20", e.tick.Price)
			}
			trades++
		}
	}
	if trades < 100 {
		t.Errorf("%d trades in 10 minutes after resuming", trades)
	}

	// A resume of another day is ignored.
	in.Resume = &Resume{Day: day.AddDate(0, 0, -1), Last: 48.20}
	if other := drive(mustNew(t, []Instrument{in}, Config{Seed: 3}), mid, mid.Add(time.Minute), time.Second); len(other) == 0 || other[0].tick.Kind != market.Auction {
		t.Errorf("a resume of the previous day was applied")
	}

	// After the close: nothing until the next day's pre-open.
	late := testenv.TimeIn(t, "2026-12-08 16:20:00", syd)
	in.Resume = &Resume{Day: day, Last: 48.20, Closed: true}
	for _, e := range drive(mustNew(t, []Instrument{in}, Config{Seed: 3}), late, late.Add(2*time.Hour), 10*time.Second) {
		t.Fatalf("event after a resumed close: %+v at %v", e.tick, e.at.In(syd))
	}
}

// TestRestartDoesNotReplayThePath: two runs of the same seed started at
// different session times draw different paths (a restart must not replay
// the first run's moves from where it left off).
func TestRestartDoesNotReplayThePath(t *testing.T) {
	syd := asx.Sydney()
	in := Instrument{Code: "AAA", LastClose: 45.67, DailyVol: 0.015, AvgVolume: 2_000_000}
	a := testenv.TimeIn(t, "2026-12-08 11:00:00", syd)
	b := a.Add(17 * time.Minute)
	moves := func(start time.Time) []float64 {
		in := in
		in.Resume = &Resume{Day: asx.Civil(start.In(syd)), Last: 45.67}
		var out []float64
		for _, e := range drive(mustNew(t, []Instrument{in}, Config{Seed: 9}), start, start.Add(5*time.Minute), time.Second) {
			if e.tick.Kind == market.Trade {
				out = append(out, e.tick.Price)
			}
		}
		return out
	}
	pa, pb := moves(a), moves(b)
	same := 0
	for i := range min(len(pa), len(pb), 50) {
		if pa[i] == pb[i] {
			same++
		}
	}
	if same == min(len(pa), len(pb), 50) {
		t.Errorf("runs started 17 minutes apart trade the same %d prices", same)
	}
}
