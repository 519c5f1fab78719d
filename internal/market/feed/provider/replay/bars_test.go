package replay

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// testBars: BHP opens nearer its high on the first day and nearer its low on
// the second; SUN (an S code, opening 9 minutes later) trades only the first.
func testBars() map[string][]market.Bar {
	return map[string][]market.Bar{
		"BHP": {
			{Time: testenv.Day(2024, 3, 4), Open: 45.10, High: 45.30, Low: 44.20, Close: 44.50, Volume: 1_000_000},
			{Time: testenv.Day(2024, 3, 5), Open: 44.60, High: 45.80, Low: 44.55, Close: 45.70, Volume: 777},
		},
		"sun": {
			{Time: testenv.Day(2024, 3, 4), Open: 1.995, High: 2.05, Low: 1.98, Close: 2.01, Volume: 12},
		},
	}
}

func TestBarPath(t *testing.T) {
	tests := []struct {
		name string
		bar  market.Bar
		n    int
		want []float64
	}{
		{"HighFirst", market.Bar{Open: 10, High: 10.3, Low: 9, Close: 9.5}, 6, []float64{10.15, 10.3, 9.65, 9, 9.25, 9.5}},
		{"LowFirst", market.Bar{Open: 10, High: 11, Low: 9.8, Close: 10.9}, 3, []float64{9.8, 11, 10.9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := barPath(tt.bar, tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("barPath(%+v, %d) = %v, want %v", tt.bar, tt.n, got, tt.want)
			}
		})
	}
}

// stepBars drives r through its sessions on clock, 30 seconds of session
// time per step, stamping each tick with its session time (the demo day
// starts at 09:59:30, so the steps land on 10:00:00, 10:09:00 and 16:11:00).
func stepBars(t *testing.T, r *Bars, clock *provider.DemoClock, realSpan time.Duration) []market.Tick {
	t.Helper()
	var out []market.Tick
	for d := time.Duration(0); d <= realSpan; d += 30 * time.Second {
		s := clock.Session(clock.Start().Add(d))
		out = append(out, r.Step(s, s)...)
	}
	return out
}

func TestBarsStep(t *testing.T) {
	// Friday, so the second history day plays on Tuesday after the King's Birthday.
	clock := provider.NewDemoClock(testenv.TimeIn(t, "2026-06-05 08:00:00", asx.Sydney()), 1, nil)
	r, err := NewBars(testBars(), clock, BarsOptions{TradesPerBar: 12, FirstSeq: 5})
	if err != nil {
		t.Fatal(err)
	}
	ticks := stepBars(t, r, clock, 13*time.Hour)
	if !r.Done() {
		t.Fatal("not done after two sessions")
	}
	type key struct{ code, date string }
	byDay := map[key][]market.Tick{}
	for i, tk := range ticks {
		if want := int64(5 + i); tk.Seq != want {
			t.Fatalf("tick %d Seq = %d, want %d", i, tk.Seq, want)
		}
		for _, p := range []float64{tk.Bid, tk.Ask} {
			if err := asx.ValidatePrice(decimal.NewFromFloat(p)); err != nil || tk.Bid >= tk.Ask {
				t.Fatalf("tick %+v: bid/ask %v/%v: %v", tk, tk.Bid, tk.Ask, err)
			}
		}
		k := key{tk.Code, tk.Time.In(asx.Sydney()).Format(time.DateOnly)}
		byDay[k] = append(byDay[k], tk)
	}
	tests := []struct {
		key      key
		bar      market.Bar
		openAt   string
		highLast bool // the low is printed before the high
	}{
		{key{"BHP", "2026-06-05"}, testBars()["BHP"][0], "2026-06-05 10:00:00", false},
		{key{"SUN", "2026-06-05"}, testBars()["sun"][0], "2026-06-05 10:09:00", true},
		{key{"BHP", "2026-06-09"}, testBars()["BHP"][1], "2026-06-09 10:00:00", true},
	}
	if len(byDay) != len(tests) {
		t.Errorf("ticks on %d code-days, want %d", len(byDay), len(tests))
	}
	for _, tt := range tests {
		list := byDay[tt.key]
		if len(list) != 14 {
			t.Errorf("%v: %d prints, want 14", tt.key, len(list))
			continue
		}
		first, last := list[0], list[len(list)-1]
		if first.Price != tt.bar.Open || !first.Time.Equal(testenv.TimeIn(t, tt.openAt, asx.Sydney())) {
			t.Errorf("%v: first print %v at %v, want the open %v at %s", tt.key, first.Price, first.Time.In(asx.Sydney()), tt.bar.Open, tt.openAt)
		}
		if last.Price != tt.bar.Close || last.Time.In(asx.Sydney()).Format("15:04") != "16:11" {
			t.Errorf("%v: last print %v at %v, want the close %v at 16:11", tt.key, last.Price, last.Time.In(asx.Sydney()), tt.bar.Close)
		}
		var vol int64
		iHigh, iLow := -1, -1
		for i, tk := range list {
			vol += tk.Size
			if tk.Price > tt.bar.High || tk.Price < tt.bar.Low {
				t.Errorf("%v: price %v outside %v–%v", tt.key, tk.Price, tt.bar.Low, tt.bar.High)
			}
			if tk.Price == tt.bar.High && iHigh < 0 {
				iHigh = i
			}
			if tk.Price == tt.bar.Low && iLow < 0 {
				iLow = i
			}
		}
		if vol != tt.bar.Volume {
			t.Errorf("%v: volume %d, want %d", tt.key, vol, tt.bar.Volume)
		}
		if iHigh < 0 || iLow < 0 || (iHigh > iLow) != tt.highLast {
			t.Errorf("%v: high printed at %d, low at %d; want low first = %v", tt.key, iHigh, iLow, tt.highLast)
		}
	}
	// SUN's 12 shares cannot cover 14 prints: those without volume are quotes.
	for _, tk := range byDay[key{"SUN", "2026-06-05"}] {
		if (tk.Size == 0) != (tk.Kind == market.QuoteOnly) {
			t.Errorf("SUN print %+v: size and kind disagree", tk)
		}
	}
}

func TestNewBarsErrors(t *testing.T) {
	clock := provider.NewDemoClock(time.Now(), 1, nil)
	good := market.Bar{Time: testenv.Day(2024, 3, 4), Open: 10, High: 11, Low: 9, Close: 10, Volume: 1}
	bad := func(f func(*market.Bar)) map[string][]market.Bar {
		b := good
		f(&b)
		return map[string][]market.Bar{"BHP": {b}}
	}
	tests := []struct {
		name string
		bars map[string][]market.Bar
		want string
	}{
		{"Empty", nil, "no bars"},
		{"NoCode", map[string][]market.Bar{" ": {good}}, "without a code"},
		{"HighBelowClose", bad(func(b *market.Bar) { b.High = 9.5 }), "BHP 2024-03-04: high below"},
		{"LowAboveOpen", bad(func(b *market.Bar) { b.Low = 10.5 }), "low above"},
		{"ZeroPrice", bad(func(b *market.Bar) { b.Open = 0 }), "positive"},
		{"NegativeVolume", bad(func(b *market.Bar) { b.Volume = -1 }), "negative volume"},
		{"TwoADay", map[string][]market.Bar{"BHP": {good, good}}, "two bars on one day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBars(tt.bars, clock, BarsOptions{})
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewBars() error = %v, want invalid containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewBars(testBars(), nil, BarsOptions{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("NewBars(nil clock) error = %v, want invalid", err)
	}
}

func TestBarsRun(t *testing.T) {
	// At speed 200000 a simulated day takes about a tenth of a second.
	clock := provider.NewDemoClock(time.Now(), 200_000, nil)
	r, err := NewBars(testBars(), clock, BarsOptions{TradesPerBar: 5, StepEvery: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := r.Run(ctx, func(b []market.Tick) error { n += len(b); return nil }); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run did not finish before the deadline")
	}
	if want := 3 * 7; n != want {
		t.Errorf("emitted %d ticks, want %d", n, want)
	}
}
