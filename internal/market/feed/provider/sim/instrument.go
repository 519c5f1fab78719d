package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// How a day's variance of log price is shared out: the overnight gap into
// the opening auction, continuous trading and the closing auction. They sum
// to 1, so closes move with about DailyVol from day to day.
const (
	gapShare     = 0.15
	closeShare   = 0.02
	tradingShare = 1 - gapShare - closeShare
)

// Auction volumes as fractions of the average daily volume, drawn uniformly.
const (
	openVolMin, openVolMax   = 0.02, 0.05
	closeVolMin, closeVolMax = 0.03, 0.06
	tradingVolume            = 1 - (openVolMin+openVolMax)/2 - (closeVolMin+closeVolMax)/2
)

// Timing noise.
const (
	openJitter    = 15 * time.Second // the opening auction ends up to this long after the group opens
	closeWindow   = 90 * time.Second // the closing auction prints within this of 16:10
	preOpenJitter = time.Minute      // the first pre-open quote comes within this of 07:00
	quietFactor   = 10               // quotes in pre-open and pre-close come this many times less often than trades
	indicative    = 0.25             // spread of indicative prices, as a fraction of the gap's stdev
)

// instrument is one instrument's state and its next event.
type instrument struct {
	idx       int
	code      string
	rng       *rand.Rand
	cal       *asx.Calendar
	tickEvery time.Duration
	dailyVol  float64
	avgVolume float64

	prevClose float64 // the reference price of the current session
	last      float64 // the latest trade or auction price
	fair      float64 // the unrounded random walk trades are rounded from
	next      time.Time

	// The current session, set by rollDay.
	dayStart, dayEnd time.Time
	trading          bool
	sess             asx.Session
	openAt, closeAt  time.Time // this day's auction prints
	gap              float64   // this day's opening gap in log price
	sigma            float64   // stdev of log price per trade
	meanSize         float64   // mean trade size at the average point of the day
	opened, closed   bool
	resume           *Resume // applied to the first session if it is resume.Day
}

func newInstrument(idx int, in Instrument, cfg Config, cal *asx.Calendar) *instrument {
	vol := in.DailyVol
	if !(vol > 0) {
		vol = DefaultDailyVol
	}
	avg := in.AvgVolume
	if avg <= 0 {
		avg = DefaultAvgVolume
	}
	ref := asx.RoundFloatToTick(in.LastClose)
	return &instrument{
		idx:       idx,
		code:      in.Code,
		rng:       newRand(cfg.Seed, in.Code),
		cal:       cal,
		tickEvery: cfg.TickEvery,
		dailyVol:  min(max(vol, MinDailyVol), MaxDailyVol),
		avgVolume: float64(avg),
		prevClose: ref,
		last:      ref,
		fair:      ref,
		resume:    in.Resume,
	}
}

// event handles the instrument's event at session time at, schedules the
// next one and returns the tick to emit, if any. Quotes and trades due
// before floor are skipped (see Sim.advance); auctions are never skipped.
func (in *instrument) event(at, floor time.Time) (market.Tick, bool) {
	if at.Before(in.dayStart) || !at.Before(in.dayEnd) {
		in.rollDay(at)
	}
	stale := at.Before(floor)
	s := in.sess
	switch {
	case !in.trading || at.Before(s.PreOpen) || !at.Before(s.Close) || in.closed:
		in.next = in.nextPreOpen(at)
		return market.Tick{}, false

	case at.Before(in.openAt): // pre-open, or waiting for the group's auction
		in.next = earliest(in.after(at, floor, quietFactor), in.openAt)
		if stale {
			return market.Tick{}, false
		}
		return in.preOpenQuote(at), true

	case at.Before(s.PreClose) && !in.opened:
		in.next = earliest(in.after(at, floor, 1), s.PreClose)
		return in.openingAuction(), true

	case at.Before(s.PreClose):
		in.next = earliest(in.after(at, floor, 1), s.PreClose)
		if stale {
			return market.Tick{}, false
		}
		return in.trade(at), true

	case at.Before(in.closeAt): // pre-close, or the closing auction before it ends
		in.next = earliest(in.after(at, floor, quietFactor), in.closeAt)
		if stale {
			return market.Tick{}, false
		}
		return in.preCloseQuote(), true
	}
	in.next = in.nextPreOpen(at)
	return in.closingAuction(), true
}

// after returns the time of the next event: an exponential wait of mean
// factor*tickEvery from at, or from floor when at is behind it.
func (in *instrument) after(at, floor time.Time, factor float64) time.Time {
	if at.Before(floor) {
		at = floor
	}
	wait := time.Duration(in.rng.ExpFloat64() * factor * float64(in.tickEvery))
	return at.Add(max(wait, time.Millisecond))
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// rollDay starts the session of at's Sydney date: the previous session's
// last price becomes the reference, and the day's auction times, opening gap
// and per-trade volatility are drawn.
func (in *instrument) rollDay(at time.Time) {
	if !in.dayStart.IsZero() {
		in.prevClose = in.last
	}
	y, m, d := at.In(asx.Sydney()).Date()
	in.dayStart = time.Date(y, m, d, 0, 0, 0, 0, asx.Sydney())
	in.dayEnd = time.Date(y, m, d+1, 0, 0, 0, 0, asx.Sydney())
	in.opened, in.closed = false, false
	in.sess, in.trading = in.cal.SessionTimes(at)
	if !in.trading {
		return
	}
	s := in.sess
	in.openAt = s.Open.Add(asx.GroupOpenOffset(in.code) + in.jitter(openJitter))
	in.closeAt = s.ClosingAuction.Add(in.jitter(closeWindow))
	trades := max(float64(s.PreClose.Sub(in.openAt))/float64(in.tickEvery), 1)
	in.sigma = in.dailyVol * math.Sqrt(tradingShare/trades)
	in.meanSize = in.avgVolume * tradingVolume / trades
	in.gap = in.dailyVol * math.Sqrt(gapShare) * in.rng.NormFloat64()
	if r := in.resume; r != nil {
		in.resume = nil
		if asx.Civil(in.dayStart).Equal(asx.Civil(r.Day)) {
			if r.Last > 0 {
				in.opened = true
				in.last, in.fair = asx.RoundFloatToTick(r.Last), r.Last
			}
			in.closed = r.Closed
		}
	}
}

func (in *instrument) jitter(d time.Duration) time.Duration {
	return time.Duration(in.rng.Int64N(int64(d)))
}

// nextPreOpen returns the first pre-open event after at: shortly after 07:00
// today if that is still to come on a trading day, else on the next trading day.
func (in *instrument) nextPreOpen(at time.Time) time.Time {
	if in.trading && at.Before(in.sess.PreOpen) {
		return in.sess.PreOpen.Add(in.jitter(preOpenJitter))
	}
	s, _ := in.cal.SessionTimes(in.cal.NextTradingDay(at))
	return s.PreOpen.Add(in.jitter(preOpenJitter))
}

// preOpenQuote is an indicative quote that leans from the reference price
// towards the coming opening price as the auction nears.
func (in *instrument) preOpenQuote(at time.Time) market.Tick {
	w := float64(at.Sub(in.sess.PreOpen)) / float64(in.openAt.Sub(in.sess.PreOpen))
	w = min(max(w, 0), 1)
	noise := indicative * in.dailyVol * math.Sqrt(gapShare) * in.rng.NormFloat64()
	return in.quote(in.prevClose * math.Exp(in.gap*w+noise))
}

// preCloseQuote is an indicative quote around the price the closing auction
// is heading for.
func (in *instrument) preCloseQuote() market.Tick {
	noise := indicative * in.dailyVol * math.Sqrt(closeShare) * in.rng.NormFloat64()
	return in.quote(in.fair * math.Exp(noise))
}

func (in *instrument) quote(mid float64) market.Tick {
	bid, ask := in.spread(asx.RoundFloatToTick(mid))
	return market.Tick{Code: in.code, Price: in.last, Bid: bid, Ask: ask, Kind: market.QuoteOnly}
}

// spread draws a one-tick spread (seven times in ten) with the price at the
// bid or the ask, or a two-tick spread around it.
func (in *instrument) spread(p float64) (bid, ask float64) {
	if in.rng.IntN(10) < 7 {
		return provider.Spread(p, 1, in.rng.IntN(2))
	}
	return provider.Spread(p, 2, 1)
}

func (in *instrument) openingAuction() market.Tick {
	in.opened = true
	return in.auction(in.prevClose*math.Exp(in.gap), openVolMin, openVolMax)
}

func (in *instrument) closingAuction() market.Tick {
	in.closed = true
	move := in.dailyVol * math.Sqrt(closeShare) * in.rng.NormFloat64()
	return in.auction(in.fair*math.Exp(move), closeVolMin, closeVolMax)
}

func (in *instrument) auction(price, volMin, volMax float64) market.Tick {
	p := asx.RoundFloatToTick(price)
	in.last, in.fair = p, p
	share := volMin + (volMax-volMin)*in.rng.Float64()
	size := max(int64(math.Round(in.avgVolume*share)), 1)
	bid, ask := provider.Spread(p, 2, 1)
	return market.Tick{Code: in.code, Price: p, Size: size, Bid: bid, Ask: ask, Kind: market.Auction}
}

// trade moves the random walk one step and trades at the rounded price. The
// size follows the intraday U-shape: u(τ) = 2/3 + (2τ-1)² over the day's
// fraction τ, which averages 1 and is 2.5 times busier at the ends than at
// midday.
func (in *instrument) trade(at time.Time) market.Tick {
	in.fair *= math.Exp(in.sigma * in.rng.NormFloat64())
	// Keep the walk on prices the grid can show.
	in.fair = min(max(in.fair, 0.001), 1e7)
	p := asx.RoundFloatToTick(in.fair)
	in.last = p
	tau := float64(at.Sub(in.sess.Open)) / float64(in.sess.PreClose.Sub(in.sess.Open))
	tau = min(max(tau, 0), 1)
	u := 2.0/3 + (2*tau-1)*(2*tau-1)
	size := max(int64(math.Round(in.meanSize*u*in.rng.ExpFloat64())), 1)
	bid, ask := in.spread(p)
	return market.Tick{Code: in.code, Price: p, Size: size, Bid: bid, Ask: ask, Kind: market.Trade}
}
