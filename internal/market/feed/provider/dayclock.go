package provider

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// SessionStore keeps the real instant each simulated trading day's session
// started, so that every process, and a restarted one, plays the same
// session on the same clock.
type SessionStore interface {
	// Claim returns the start of day's session: the stored one, or start
	// (stored now) when day has none yet.
	Claim(ctx context.Context, day time.Time, start time.Time, speed float64) (time.Time, error)
	// Lookup returns the stored start of day's session, false when none.
	Lookup(ctx context.Context, day time.Time) (time.Time, bool, error)
}

// DayClock is the demo feed's session clock. It plays one ASX trading day
// per real Sydney date: the day's own session on a trading day, and the
// previous trading day's on a weekend or holiday (so the simulated day is
// never in the future). The session starts at 09:59:30 Sydney of that day
// when the clock is first read on the real date (that instant is stored in
// the SessionStore) and runs at speed times real time; it stops at 23:59:59
// of the simulated day, so after the close the market stays closed until
// the next real date brings the next trading day. A restart on the same
// date reads the stored start and continues the session where it was.
//
// Session times are the simulated exchange's own times: the simulator stamps
// ticks with them, so the board, charts, orders and ledger all show them.
type DayClock struct {
	speed   float64
	cal     *asx.Calendar
	store   SessionStore
	onError func(error)
	timeout time.Duration
	now     func() time.Time

	mu     sync.Mutex
	starts map[time.Time]time.Time // trading day (midnight UTC of its date) → real start
}

// NewDayClock returns a DayClock on store. A speed that is not a positive
// number counts as 1; a nil cal means asx.DefaultCalendar(). onError (may be
// nil) hears store failures: the clock then keeps the session in memory.
func NewDayClock(store SessionStore, speed float64, cal *asx.Calendar, onError func(error)) *DayClock {
	if cal == nil {
		cal = asx.DefaultCalendar()
	}
	if !(speed > 0) || math.IsInf(speed, 0) {
		speed = 1
	}
	if onError == nil {
		onError = func(error) {}
	}
	return &DayClock{speed: speed, cal: cal, store: store, onError: onError, timeout: 2 * time.Second,
		now: time.Now, starts: map[time.Time]time.Time{}}
}

// Now returns the real time.
func (c *DayClock) Now() time.Time { return c.now() }

// Simulated reports true.
func (c *DayClock) Simulated() bool { return true }

// Speed returns the multiplier of simulated over real time.
func (c *DayClock) Speed() float64 { return c.speed }

// Day returns the trading day played on real instant now's Sydney date, as
// midnight UTC of that date (asx.Civil form).
func (c *DayClock) Day(now time.Time) time.Time {
	d := now.In(asx.Sydney())
	if !c.cal.IsTradingDay(d) {
		d = c.cal.PrevTradingDay(d)
	}
	return asx.Civil(d.In(asx.Sydney()))
}

// Session returns the simulated session instant at real instant now,
// starting the day's session (and storing its start) when it has none.
func (c *DayClock) Session(now time.Time) time.Time {
	day := c.Day(now)
	start, ok := c.start(day, now, true)
	if !ok {
		start = now
	}
	return c.at(day, start, now)
}

// SessionAt maps a past real instant t (an order's creation, a ledger
// entry) to the session instant it happened at, without starting a session:
// t itself when its day has no stored session.
func (c *DayClock) SessionAt(t time.Time) time.Time {
	day := c.Day(t)
	start, ok := c.start(day, t, false)
	if !ok || t.Before(start) {
		return t
	}
	return c.at(day, start, t)
}

// DayStart returns the session's 09:59:30 on trading day (asx.Civil form).
func (c *DayClock) DayStart(day time.Time) time.Time {
	s, _ := c.cal.SessionTimes(sydneyDate(day))
	return s.Open.Add(-DemoLeadIn)
}

// at is the session instant at real instant now of day's session started at
// start: 09:59:30 + (now-start)*speed, at most 23:59:59.999 of day.
func (c *DayClock) at(day, start, now time.Time) time.Time {
	from := c.DayStart(day)
	end := sydneyDate(day).AddDate(0, 0, 1).Add(-time.Millisecond)
	e := min(max(float64(now.Sub(start))*c.speed, 0), float64(end.Sub(from)))
	return from.Add(time.Duration(e))
}

// start returns day's session start from memory or the store; claim stores
// now as the start when there is none.
func (c *DayClock) start(day, now time.Time, claim bool) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.starts[day]; ok {
		return s, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if !claim {
		s, ok, err := c.store.Lookup(ctx, day)
		if err != nil {
			c.onError(err)
			return time.Time{}, false
		}
		if ok {
			c.starts[day] = s
		}
		return s, ok
	}
	s, err := c.store.Claim(ctx, day, now, c.speed)
	if err != nil {
		c.onError(err)
		s = now // keep the session in memory; a later process may start its own
	}
	c.starts[day] = s
	return s, true
}

// sydneyDate returns midnight in Sydney of day, a date in asx.Civil form.
func sydneyDate(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, asx.Sydney())
}

// SessionAt maps a stored real instant to the session instant it happened
// at on clock: DayClock.SessionAt for the demo clock, the instant itself on
// the real clock and on clocks that cannot map past instants.
func SessionAt(clock Clock, t time.Time) time.Time {
	if dc, ok := clock.(*DayClock); ok {
		return dc.SessionAt(t)
	}
	return t
}
