package provider

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestNewDemoClockAnchor(t *testing.T) {
	tests := []struct {
		name  string
		start string
		want  string
	}{
		{"TradingDayMorning", "2026-06-02 03:00:00", "2026-06-02 09:59:30"},
		{"TradingDayEvening", "2026-06-02 22:15:00", "2026-06-02 09:59:30"},
		{"Saturday", "2026-06-06 12:00:00", "2026-06-09 09:59:30"}, // Monday 8 June is King's Birthday
		{"ChristmasDay", "2026-12-25 10:00:00", "2026-12-29 09:59:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := testenv.TimeIn(t, tt.start, asx.Sydney())
			c := NewDemoClock(start, 1, nil)
			want := testenv.TimeIn(t, tt.want, asx.Sydney())
			if got := c.Anchor(); !got.Equal(want) {
				t.Errorf("Anchor() = %v, want %v", got.In(asx.Sydney()), want)
			}
			if got := c.Session(start); !got.Equal(want) {
				t.Errorf("Session(start) = %v, want %v", got.In(asx.Sydney()), want)
			}
			if got := c.Session(start.Add(-time.Hour)); !got.Equal(want) {
				t.Errorf("Session(before start) = %v, want the anchor %v", got.In(asx.Sydney()), want)
			}
		})
	}
}

// TestDemoClockPhaseSequence walks a whole simulated day at speed 1 and
// records each change of market phase, through the wrap to the next day.
func TestDemoClockPhaseSequence(t *testing.T) {
	cal := asx.DefaultCalendar()
	start := testenv.TimeIn(t, "2026-06-02 03:00:00", asx.Sydney()) // a Tuesday
	c := NewDemoClock(start, 1, cal)
	type change struct {
		phase   asx.Phase
		session string
	}
	var got []change
	last := asx.Phase(-1)
	for d := time.Duration(0); d <= 6*time.Hour+16*time.Minute; d += time.Second {
		s := c.Session(start.Add(d))
		if p := cal.MarketPhase(s); p != last {
			got = append(got, change{p, s.In(asx.Sydney()).Format(time.DateTime)})
			last = p
		}
	}
	want := []change{
		{asx.PreOpen, "2026-06-02 09:59:30"},
		{asx.OpeningAuction, "2026-06-02 10:00:00"},
		{asx.Open, "2026-06-02 10:09:00"},
		{asx.PreClose, "2026-06-02 16:00:00"},
		{asx.ClosingAuction, "2026-06-02 16:10:00"},
		{asx.Adjust, "2026-06-02 16:12:00"},
		{asx.PreOpen, "2026-06-03 09:59:30"},
		{asx.OpeningAuction, "2026-06-03 10:00:00"},
	}
	if len(got) != len(want) {
		t.Fatalf("phase changes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestDemoClockWrap(t *testing.T) {
	const day = 6*time.Hour + 14*time.Minute + 30*time.Second
	const earlyDay = 4*time.Hour + 14*time.Minute + 30*time.Second
	tests := []struct {
		name    string
		start   string
		elapsed time.Duration // real time after start, at speed 1
		want    string
	}{
		{"LastSecondOfDay", "2026-06-02 09:00:00", day - time.Second, "2026-06-02 16:13:59"},
		{"NextDay", "2026-06-02 09:00:00", day, "2026-06-03 09:59:30"},
		{"WeekendAndHoliday", "2026-06-05 09:00:00", day + time.Minute, "2026-06-09 10:00:30"},
		{"EarlyCloseLastSecond", "2026-12-24 09:00:00", earlyDay - time.Second, "2026-12-24 14:13:59"},
		{"EarlyCloseWrap", "2026-12-24 09:00:00", earlyDay, "2026-12-29 09:59:30"},
		{"TwoDaysOn", "2026-12-23 09:00:00", day + earlyDay + time.Hour, "2026-12-29 10:59:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := testenv.TimeIn(t, tt.start, asx.Sydney())
			c := NewDemoClock(start, 1, nil)
			want := testenv.TimeIn(t, tt.want, asx.Sydney())
			if got := c.Session(start.Add(tt.elapsed)); !got.Equal(want) {
				t.Errorf("Session(start+%v) = %v, want %v", tt.elapsed, got.In(asx.Sydney()), want)
			}
		})
	}
}

func TestDemoClockSpeed(t *testing.T) {
	start := testenv.TimeIn(t, "2026-06-02 09:00:00", asx.Sydney())
	tests := []struct {
		speed   float64
		elapsed time.Duration
		want    string
	}{
		{1, time.Minute, "2026-06-02 10:00:30"},
		{60, time.Minute, "2026-06-02 10:59:30"},
		{60, 6 * time.Minute, "2026-06-02 15:59:30"},
		// 6m14.5s real at speed 60 is one whole day.
		{60, 6*time.Minute + 14500*time.Millisecond, "2026-06-03 09:59:30"},
		{0, time.Minute, "2026-06-02 10:00:30"},  // non-positive counts as 1
		{-5, time.Minute, "2026-06-02 10:00:30"}, // likewise
	}
	for _, tt := range tests {
		c := NewDemoClock(start, tt.speed, nil)
		want := testenv.TimeIn(t, tt.want, asx.Sydney())
		if got := c.Session(start.Add(tt.elapsed)); !got.Equal(want) {
			t.Errorf("speed %v: Session(start+%v) = %v, want %v", tt.speed, tt.elapsed, got.In(asx.Sydney()), want)
		}
	}
}

// TestDemoClockOrderIndependent checks the cached walk: asking for times out
// of order gives what a fresh clock gives.
func TestDemoClockOrderIndependent(t *testing.T) {
	start := testenv.TimeIn(t, "2026-06-02 09:00:00", asx.Sydney())
	c := NewDemoClock(start, 600, nil)
	elapsed := []time.Duration{10 * time.Hour, time.Hour, 30 * time.Hour, 0, 5 * time.Minute, 30 * time.Hour}
	for _, e := range elapsed {
		fresh := NewDemoClock(start, 600, nil)
		got, want := c.Session(start.Add(e)), fresh.Session(start.Add(e))
		if !got.Equal(want) {
			t.Errorf("Session(start+%v) = %v after other calls, want %v", e, got, want)
		}
		if !fresh.cal.IsTradingDay(got) {
			t.Errorf("Session(start+%v) = %v is not on a trading day", e, got)
		}
	}
}

func TestDemoClockSimulated(t *testing.T) {
	var clocks = []struct {
		name string
		c    Clock
		want bool
	}{
		{"Demo", NewDemoClock(time.Now(), 1, nil), true},
		{"Real", RealClock{}, false},
		{"Manual", NewManualClock(time.Now()), false},
	}
	for _, tt := range clocks {
		if got := tt.c.Simulated(); got != tt.want {
			t.Errorf("%s Simulated() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
