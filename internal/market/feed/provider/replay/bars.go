package replay

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// Defaults for BarsOptions.
const (
	DefaultTradesPerBar = 30
	DefaultStepEvery    = 100 * time.Millisecond
)

// Shares of a bar's volume printed by the opening and closing auctions; the
// rest is split evenly over the continuous-trading prints.
const (
	openAuctionShare  = 0.05
	closeAuctionShare = 0.10
)

// closeAuctionAt is when, after 16:10, a replayed closing auction prints.
const closeAuctionAt = time.Minute

// BarsOptions tune a bar replay.
type BarsOptions struct {
	TradesPerBar int           // continuous-trading prints per bar, at least 3; default 30
	StepEvery    time.Duration // real time between steps in Run; default 100ms
	FirstSeq     int64         // Seq of the first tick; default 1
}

// Bars replays daily bars as simulated sessions on a demo clock: the n-th
// date of the history plays in the clock's n-th session. Each bar becomes an
// opening auction print at the open at the code's group open, a short path of
// trades through the high and the low (whichever is nearer the open first)
// to the close, and a closing auction print at the close, with the bar's
// volume split among them. Step is not safe for concurrent use, nor while
// Run is running.
type Bars struct {
	clock     *provider.DemoClock
	cal       *asx.Calendar
	days      [][]codeBar // by date of the history, codes in order
	trades    int
	stepEvery time.Duration

	started  bool
	day      int       // index of the last history date scheduled; -1 before the first
	demoDate time.Time // the demo session it plays in
	pending  []scheduled
	seq      int64
	last     time.Time
}

var _ provider.Provider = (*Bars)(nil)

type codeBar struct {
	code string
	bar  market.Bar
}

// scheduled is a tick waiting for its session time.
type scheduled struct {
	at   time.Time
	tick market.Tick
}

// NewBars returns a replay of bars, keyed by code, on clock. Bars are dated by
// the Sydney date of their Time; each needs positive prices with the low and
// high bracketing the open and close, and a non-negative volume.
func NewBars(bars map[string][]market.Bar, clock *provider.DemoClock, opts BarsOptions) (*Bars, error) {
	if clock == nil {
		return nil, apperr.New(apperr.Invalid, "replay: bars need a demo clock")
	}
	if opts.TradesPerBar <= 0 {
		opts.TradesPerBar = DefaultTradesPerBar
	}
	if opts.StepEvery <= 0 {
		opts.StepEvery = DefaultStepEvery
	}
	if opts.FirstSeq <= 0 {
		opts.FirstSeq = 1
	}
	byDate := map[time.Time][]codeBar{}
	for code, list := range bars {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			return nil, apperr.New(apperr.Invalid, "replay: bars without a code")
		}
		seen := map[time.Time]bool{}
		for _, b := range list {
			date := sydneyDate(b.Time)
			if err := checkBar(b); err != "" {
				return nil, apperr.New(apperr.Invalid, "replay: %s %s: %s", code, date.Format(time.DateOnly), err)
			}
			if seen[date] {
				return nil, apperr.New(apperr.Invalid, "replay: %s %s: two bars on one day", code, date.Format(time.DateOnly))
			}
			seen[date] = true
			byDate[date] = append(byDate[date], codeBar{code, b})
		}
	}
	if len(byDate) == 0 {
		return nil, apperr.New(apperr.Invalid, "replay: no bars")
	}
	dates := make([]time.Time, 0, len(byDate))
	for d := range byDate {
		dates = append(dates, d)
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	r := &Bars{
		clock:     clock,
		cal:       clock.Calendar(),
		trades:    max(opts.TradesPerBar, 3),
		stepEvery: opts.StepEvery,
		day:       -1,
		seq:       opts.FirstSeq - 1,
	}
	for _, d := range dates {
		day := byDate[d]
		slices.SortFunc(day, func(a, b codeBar) int { return strings.Compare(a.code, b.code) })
		r.days = append(r.days, day)
	}
	return r, nil
}

func sydneyDate(t time.Time) time.Time {
	y, m, d := t.In(asx.Sydney()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, asx.Sydney())
}

// checkBar returns what is wrong with b, or "".
func checkBar(b market.Bar) string {
	for _, p := range []float64{b.Open, b.High, b.Low, b.Close} {
		if !(p > 0) || math.IsInf(p, 0) {
			return "prices must be positive numbers"
		}
	}
	switch {
	case b.Low > min(b.Open, b.Close):
		return "low above the open or close"
	case b.High < max(b.Open, b.Close):
		return "high below the open or close"
	case b.Volume < 0:
		return "negative volume"
	}
	return ""
}

// Name returns "replay".
func (r *Bars) Name() string { return Name }

// Clock returns the demo clock the sessions play on.
func (r *Bars) Clock() provider.Clock { return r.clock }

// Done reports whether every bar has been emitted.
func (r *Bars) Done() bool { return r.day == len(r.days)-1 && len(r.pending) == 0 }

// Run steps the replay every StepEvery at the clock's session time. It
// returns nil when ctx ends or the last bar is out, and the error of emit if
// emit fails.
func (r *Bars) Run(ctx context.Context, emit func([]market.Tick) error) error {
	return provider.RunSteps(ctx, r, r.clock, r.stepEvery, maxBatch, emit)
}

// Step advances to session time session and returns the ticks due by then,
// stamped with the real instant now. The first step starts the history at
// the demo clock's first session; a session time earlier than the previous
// step's yields nothing.
func (r *Bars) Step(now, session time.Time) []market.Tick {
	if !r.started {
		r.started = true
		r.last = session
	}
	if session.Before(r.last) {
		return nil
	}
	r.last = session
	today := sydneyDate(session)
	for r.day+1 < len(r.days) {
		next := sydneyDate(r.clock.Anchor())
		if r.day >= 0 {
			next = r.cal.NextTradingDay(r.demoDate)
		}
		if next.After(today) {
			break
		}
		r.day++
		r.demoDate = next
		r.schedule(r.days[r.day], next)
	}
	var out []market.Tick
	stamp := now.UTC()
	for len(r.pending) > 0 && !r.pending[0].at.After(session) {
		tk := r.pending[0].tick
		r.seq++
		tk.Time, tk.Seq = stamp, r.seq
		out = append(out, tk)
		r.pending = r.pending[1:]
	}
	return out
}

// schedule queues the prints of one history date in the session of demoDate.
func (r *Bars) schedule(day []codeBar, demoDate time.Time) {
	sess, _ := r.cal.SessionTimes(demoDate)
	var evs []scheduled
	for _, cb := range day {
		evs = append(evs, r.barEvents(cb.code, cb.bar, sess)...)
	}
	slices.SortStableFunc(evs, func(a, b scheduled) int { return a.at.Compare(b.at) })
	r.pending = append(r.pending, evs...)
}

// barEvents turns one bar into its session's prints.
func (r *Bars) barEvents(code string, b market.Bar, sess asx.Session) []scheduled {
	n := r.trades
	openAt := sess.Open.Add(asx.GroupOpenOffset(code))
	openVol := int64(float64(b.Volume) * openAuctionShare)
	closeVol := int64(float64(b.Volume) * closeAuctionShare)
	rest := b.Volume - openVol - closeVol
	path := barPath(b, n)
	evs := make([]scheduled, 0, n+2)
	evs = append(evs, scheduled{openAt, replayPrint(code, b.Open, openVol, market.Auction)})
	step := sess.PreClose.Sub(openAt) / time.Duration(n+1)
	for j, p := range path {
		size := rest / int64(n)
		if int64(j) < rest%int64(n) {
			size++
		}
		evs = append(evs, scheduled{openAt.Add(step * time.Duration(j+1)), replayPrint(code, p, size, market.Trade)})
	}
	evs = append(evs, scheduled{sess.ClosingAuction.Add(closeAuctionAt), replayPrint(code, b.Close, closeVol, market.Auction)})
	return evs
}

// replayPrint is one replayed print; one without volume becomes a quote.
func replayPrint(code string, price float64, size int64, kind market.TickKind) market.Tick {
	if size <= 0 {
		kind, size = market.QuoteOnly, 0
	}
	bid, ask := provider.Spread(price, 1, 1)
	if kind == market.Auction {
		bid, ask = provider.Spread(price, 2, 1)
	}
	return market.Tick{Code: code, Price: price, Size: size, Bid: bid, Ask: ask, Kind: kind}
}

// barPath returns n prices from just after the open through the extreme
// nearer the open, then the other, to the close: straight lines between
// those points, rounded to the price grid and kept within the bar's range.
// The extremes and the close are printed exactly.
func barPath(b market.Bar, n int) []float64 {
	first, second := b.High, b.Low
	if b.Open-b.Low < b.High-b.Open {
		first, second = b.Low, b.High
	}
	type point struct {
		i int
		v float64
	}
	points := []point{{-1, b.Open}, {n/3 - 1, first}, {2*n/3 - 1, second}, {n - 1, b.Close}}
	path := make([]float64, n)
	seg := 1
	for j := range path {
		for points[seg].i < j {
			seg++
		}
		a, z := points[seg-1], points[seg]
		if j == z.i {
			path[j] = z.v
			continue
		}
		v := a.v + (z.v-a.v)*float64(j-a.i)/float64(z.i-a.i)
		path[j] = min(max(asx.RoundFloatToTick(v), b.Low), b.High)
	}
	return path
}
