package sim

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// event is a tick with the session time it happened at.
type event struct {
	at   time.Time
	tick market.Tick
}

func mustNew(t testing.TB, ins []Instrument, cfg Config) *Sim {
	t.Helper()
	s, err := New(ins, cfg, provider.RealClock{}, asx.DefaultCalendar())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// testInstruments cover every price band and both ends of the group stagger.
func testInstruments() []Instrument {
	return []Instrument{
		{Code: "AAA", LastClose: 45.67, DailyVol: 0.015, AvgVolume: 2_000_000},
		{Code: "SSS", LastClose: 1.995, DailyVol: 0.03, AvgVolume: 500_000},
		{Code: "GGG", LastClose: 0.1, DailyVol: 0.05, AvgVolume: 3_000_000},
		{Code: "ZZZ", LastClose: 0.004, DailyVol: 0.08, AvgVolume: 10_000_000},
	}
}

// drive steps s through session times from..to every step, collecting events.
func drive(s *Sim, from, to time.Time, step time.Duration) []event {
	var out []event
	for at := from; !at.After(to); at = at.Add(step) {
		s.advance(at, func(when time.Time, tk market.Tick) {
			tk.Time = at
			out = append(out, event{when, tk})
		})
	}
	return out
}

// driveDays runs s over n trading days from the one containing first, each
// from dayFrom to dayTo (Sydney wall-clock "15:04:05"), jumping over nights
// as the demo clock does.
func driveDays(t testing.TB, s *Sim, first string, n int, dayFrom, dayTo string, step time.Duration) []event {
	t.Helper()
	cal := asx.DefaultCalendar()
	day := testenv.TimeIn(t, first+" 00:00:00", asx.Sydney())
	if !cal.IsTradingDay(day) {
		day = cal.NextTradingDay(day)
	}
	var out []event
	for range n {
		date := day.Format(time.DateOnly)
		out = append(out, drive(s, testenv.TimeIn(t, date+" "+dayFrom, asx.Sydney()), testenv.TimeIn(t, date+" "+dayTo, asx.Sydney()), step)...)
		day = cal.NextTradingDay(day)
	}
	return out
}

func TestStepDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed uint64, step time.Duration) []event {
		s := mustNew(t, testInstruments(), Config{Seed: seed})
		return driveDays(t, s, "2026-06-04", 2, "06:59:00", "16:15:00", step)
	}
	a, b := run(7, time.Second), run(7, time.Second)
	if len(a) == 0 {
		t.Fatal("no ticks over two days")
	}
	if !slices.Equal(a, b) {
		t.Fatalf("same seed gave different ticks: %d and %d ticks", len(a), len(b))
	}
	if c := run(8, time.Second); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same %d ticks", len(a))
	}
	// Coarser steps give the same ticks, only stamped later.
	coarse := run(7, 7*time.Second)
	if len(coarse) != len(a) {
		t.Fatalf("7s steps gave %d ticks, 1s steps %d", len(coarse), len(a))
	}
	for i := range a {
		x, y := a[i].tick, coarse[i].tick
		x.Time, y.Time = time.Time{}, time.Time{}
		if x != y || !a[i].at.Equal(coarse[i].at) {
			t.Fatalf("tick %d: 1s steps %+v at %v, 7s steps %+v at %v", i, x, a[i].at, y, coarse[i].at)
		}
	}
}

func TestStepTickInvariants(t *testing.T) {
	t.Parallel()
	s := mustNew(t, testInstruments(), Config{Seed: 1})
	events := driveDays(t, s, "2026-06-04", 3, "06:59:00", "16:15:00", 5*time.Second)
	var lastSeq int64
	for _, e := range events {
		tk := e.tick
		if tk.Seq <= lastSeq {
			t.Fatalf("Seq %d after %d", tk.Seq, lastSeq)
		}
		lastSeq = tk.Seq
		for _, p := range []struct {
			name string
			v    float64
		}{{"price", tk.Price}, {"bid", tk.Bid}, {"ask", tk.Ask}} {
			if err := asx.ValidatePrice(decimal.NewFromFloat(p.v)); err != nil {
				t.Fatalf("%s %s %v at %v: %v", tk.Code, p.name, p.v, e.at, err)
			}
		}
		if tk.Bid >= tk.Ask {
			t.Fatalf("%s bid %v >= ask %v at %v", tk.Code, tk.Bid, tk.Ask, e.at)
		}
		if (tk.Kind == market.QuoteOnly) != (tk.Size == 0) {
			t.Fatalf("%s kind %v with size %d", tk.Code, tk.Kind, tk.Size)
		}
	}
}

// TestStepPhases checks what happens in each phase against asx.PhaseAt.
func TestStepPhases(t *testing.T) {
	t.Parallel()
	cal := asx.DefaultCalendar()
	s := mustNew(t, testInstruments(), Config{Seed: 2})
	events := driveDays(t, s, "2026-06-04", 3, "06:00:00", "17:30:00", 3*time.Second)
	kinds := map[asx.Phase]map[market.TickKind]int{}
	for _, e := range events {
		p := cal.PhaseAt(e.at, e.tick.Code)
		if kinds[p] == nil {
			kinds[p] = map[market.TickKind]int{}
		}
		kinds[p][e.tick.Kind]++
		if e.tick.Kind == market.Trade && p != asx.Open {
			t.Errorf("%s trade at %v in phase %s", e.tick.Code, e.at.In(asx.Sydney()), p)
		}
	}
	for _, p := range []asx.Phase{asx.Closed, asx.Adjust} {
		if n := kinds[p]; len(n) > 0 {
			t.Errorf("ticks in phase %s: %v", p, n)
		}
	}
	for _, p := range []asx.Phase{asx.PreOpen, asx.OpeningAuction, asx.PreClose} {
		if kinds[p][market.QuoteOnly] == 0 {
			t.Errorf("no indicative quotes in phase %s", p)
		}
	}
	if kinds[asx.Open][market.Trade] == 0 {
		t.Error("no trades while open")
	}
}

func TestStepAuctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		first string
		dates []string
	}{
		// Thursday, Friday, then Tuesday after the King's Birthday weekend.
		{"AcrossLongWeekend", "2026-06-04", []string{"2026-06-04", "2026-06-05", "2026-06-09"}},
		// The 24th closes early; the 25th and 28th are holidays.
		{"AcrossEarlyClose", "2026-12-23", []string{"2026-12-23", "2026-12-24", "2026-12-29"}},
	}
	cal := asx.DefaultCalendar()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNew(t, testInstruments(), Config{Seed: 3})
			events := driveDays(t, s, tt.first, len(tt.dates), "06:59:00", "16:15:00", 5*time.Second)
			type key struct{ code, date string }
			auctions := map[key][]event{}
			for _, e := range events {
				if e.tick.Kind == market.Auction {
					k := key{e.tick.Code, e.at.In(asx.Sydney()).Format(time.DateOnly)}
					auctions[k] = append(auctions[k], e)
				}
			}
			if got, want := len(auctions), len(testInstruments())*len(tt.dates); got != want {
				t.Errorf("%d instrument-days with auctions, want %d", got, want)
			}
			for k, list := range auctions {
				if !slices.Contains(tt.dates, k.date) {
					t.Errorf("%s: auctions on %s", k.code, k.date)
				}
				if len(list) != 2 {
					t.Errorf("%s on %s: %d auction prints, want 2", k.code, k.date, len(list))
					continue
				}
				sess, _ := cal.SessionTimes(list[0].at)
				groupOpen := sess.Open.Add(asx.GroupOpenOffset(k.code))
				if at := list[0].at; at.Before(groupOpen) || !at.Before(groupOpen.Add(openJitter)) {
					t.Errorf("%s opening auction at %v, want within 15s of %v", k.code, at, groupOpen)
				}
				if at := list[1].at; at.Before(sess.ClosingAuction) || !at.Before(sess.ClosingAuction.Add(closeWindow)) {
					t.Errorf("%s closing auction at %v, want within 90s of %v", k.code, at, sess.ClosingAuction)
				}
			}
		})
	}
}

func TestStepGroupStagger(t *testing.T) {
	s := mustNew(t, testInstruments(), Config{Seed: 4})
	events := driveDays(t, s, "2026-06-02", 1, "09:59:00", "10:15:00", time.Second)
	opens := map[string]time.Time{}
	for _, e := range events {
		if e.tick.Kind == market.Auction {
			opens[e.tick.Code] = e.at
		}
		if e.tick.Kind == market.Trade && opens[e.tick.Code].IsZero() {
			t.Errorf("%s traded at %v before its opening auction", e.tick.Code, e.at)
		}
	}
	gap := opens["SSS"].Sub(opens["AAA"])
	if gap < 9*time.Minute-openJitter || gap > 9*time.Minute+openJitter {
		t.Errorf("SSS opened %v after AAA, want 9m ± 15s", gap)
	}
}

// TestStepNextSessionFromClose checks that a session's reference price is
// the previous session's closing auction price.
func TestStepNextSessionFromClose(t *testing.T) {
	s := mustNew(t, testInstruments()[:1], Config{Seed: 5})
	events := driveDays(t, s, "2026-06-02", 2, "09:59:00", "16:15:00", 5*time.Second)
	var closePrice float64
	var checked bool
	for _, e := range events {
		tk := e.tick
		if tk.Kind == market.Auction && e.at.In(asx.Sydney()).Hour() == 16 {
			closePrice = tk.Price
		}
		if closePrice != 0 && e.at.In(asx.Sydney()).Day() == 3 && tk.Kind == market.QuoteOnly {
			if tk.Price != closePrice {
				t.Errorf("next day's pre-open last = %v, want the close %v", tk.Price, closePrice)
			}
			checked = true
			break
		}
	}
	if !checked {
		t.Fatal("no pre-open quote on the second day")
	}
	if s.insts[0].prevClose != closePrice {
		t.Errorf("prevClose = %v, want %v", s.insts[0].prevClose, closePrice)
	}
}

// TestStepSkipsNight checks the catch-up rule: after a jump over a night the
// skipped pre-open does not come out as a burst.
func TestStepSkipsNight(t *testing.T) {
	s := mustNew(t, testInstruments(), Config{Seed: 6})
	driveDays(t, s, "2026-06-02", 1, "09:59:30", "16:14:00", time.Second)
	var n int
	s.advance(testenv.TimeIn(t, "2026-06-03 09:59:30", asx.Sydney()), func(time.Time, market.Tick) { n++ })
	// Two minutes of quiet quotes (one per 20s on average) per instrument.
	if max := 4 * 20; n > max {
		t.Errorf("%d ticks right after the night, want at most %d", n, max)
	}
}

func TestStepBackwardsYieldsNothing(t *testing.T) {
	s := mustNew(t, testInstruments(), Config{Seed: 6})
	now := testenv.TimeIn(t, "2026-06-02 10:30:00", asx.Sydney())
	s.Step(now, now)
	if got := s.Step(now, now.Add(-time.Minute)); len(got) != 0 {
		t.Errorf("stepping back gave %d ticks", len(got))
	}
}

func TestNew(t *testing.T) {
	ins := testInstruments()
	tests := []struct {
		name      string
		ins       []Instrument
		symbols   []string
		wantCodes []string
		wantErr   bool
	}{
		{"OK", ins, nil, []string{"AAA", "GGG", "SSS", "ZZZ"}, false},
		{"Subset", ins, []string{"zzz", "AAA", "ZZZ"}, []string{"AAA", "ZZZ"}, false},
		{"ErrUnknownSymbol", ins, []string{"XYZ"}, nil, true},
		{"ErrNoInstruments", nil, nil, nil, true},
		{"ErrNoClose", []Instrument{{Code: "BHP"}}, nil, nil, true},
		{"ErrNoCode", []Instrument{{LastClose: 1}}, nil, nil, true},
		{"ErrDuplicate", []Instrument{{Code: "BHP", LastClose: 1}, {Code: "bhp", LastClose: 2}}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.ins, Config{Symbols: tt.symbols}, nil, nil)
			if tt.wantErr {
				if apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("New() error = %v, want an invalid error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := s.Codes(); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("Codes() = %v, want %v", got, tt.wantCodes)
			}
			if s.Name() != "simulator" {
				t.Errorf("Name() = %q", s.Name())
			}
		})
	}
}

func TestRun(t *testing.T) {
	start := time.Now()
	clock := provider.NewDemoClock(start, 600, nil) // 1s real = 10 min of session
	s, err := New(testInstruments(), Config{Seed: 1, Speed: 600, StepEvery: 5 * time.Millisecond}, clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []market.Tick
	err = s.Run(ctx, func(batch []market.Tick) error {
		got = append(got, batch...)
		for _, tk := range batch {
			if tk.Kind == market.Trade {
				cancel()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v, want nil after the context ends", err)
	}
	if !slices.ContainsFunc(got, func(tk market.Tick) bool { return tk.Kind == market.Auction }) {
		t.Error("no opening auction before the first trade")
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq || got[i].Time.Before(got[i-1].Time) {
			t.Fatalf("tick %d: seq %d time %v after seq %d time %v", i, got[i].Seq, got[i].Time, got[i-1].Seq, got[i-1].Time)
		}
	}
	// Ticks carry session times: the first is no earlier than the session
	// instant at the start, and is within that simulated day.
	if first := clock.Session(start); len(got) > 0 && (got[0].Time.Before(first) || asx.TradeDate(got[0].Time) != asx.TradeDate(first)) {
		t.Errorf("first tick stamped %v, want on or after the session start %v", got[0].Time, first)
	}

	errStop := errors.New("stop")
	s2, _ := New(testInstruments(), Config{Seed: 1, StepEvery: time.Millisecond}, clock, nil)
	if err := s2.Run(context.Background(), func([]market.Tick) error { return errStop }); !errors.Is(err, errStop) {
		t.Errorf("Run() = %v, want the emit error", err)
	}
}
