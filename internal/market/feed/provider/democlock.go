package provider

import (
	"math"
	"sync"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// Demo session window: each simulated day runs from DemoLeadIn before the
// 10:00 open (so the first opening auction prints within a minute of
// start-up) to DemoTail after the closing auction's nominal end.
const (
	DemoLeadIn = 30 * time.Second
	DemoTail   = 2 * time.Minute
)

// DemoClock maps real time onto a never-ending run of ASX trading days so the
// simulator trades at any hour. Simulated time elapses at speed times real
// time from the anchor, a trading day's 09:59:30 Sydney; when it passes that
// day's close plus DemoTail (16:14, or 14:14 on an early-close day) it
// continues at the next trading day's 09:59:30. At speed 1 a normal day lasts
// 6 h 14 m 30 s of real time. DemoClock is safe for concurrent use.
type DemoClock struct {
	start  time.Time
	speed  float64
	cal    *asx.Calendar
	anchor demoDay

	mu  sync.Mutex
	cur demoDay // the day last returned, so Session walks forward from it
}

// demoDay is one simulated day: offset is the simulated time elapsed before
// it begins, from..until its window in session time.
type demoDay struct {
	offset      time.Duration
	from, until time.Time
}

func (d demoDay) length() time.Duration { return d.until.Sub(d.from) }

// NewDemoClock returns a DemoClock whose session starts at start. The anchor
// is 09:59:30 Sydney on start's Sydney date if it is a trading day, else on
// the next trading day. A speed that is not a positive number counts as 1; a
// nil cal means asx.DefaultCalendar().
func NewDemoClock(start time.Time, speed float64, cal *asx.Calendar) *DemoClock {
	if cal == nil {
		cal = asx.DefaultCalendar()
	}
	if !(speed > 0) || math.IsInf(speed, 0) {
		speed = 1
	}
	date := start
	if !cal.IsTradingDay(date) {
		date = cal.NextTradingDay(date)
	}
	c := &DemoClock{start: start, speed: speed, cal: cal}
	c.anchor = c.dayOf(date, 0)
	c.cur = c.anchor
	return c
}

// dayOf returns the demo window of trading day date.
func (c *DemoClock) dayOf(date time.Time, offset time.Duration) demoDay {
	s, _ := c.cal.SessionTimes(date)
	return demoDay{offset: offset, from: s.Open.Add(-DemoLeadIn), until: s.Close.Add(DemoTail)}
}

// Now returns the real time.
func (c *DemoClock) Now() time.Time { return time.Now() }

// Simulated reports true.
func (c *DemoClock) Simulated() bool { return true }

// Start returns the real instant the clock started.
func (c *DemoClock) Start() time.Time { return c.start }

// Anchor returns the session instant at Start: 09:59:30 Sydney of the first
// simulated trading day.
func (c *DemoClock) Anchor() time.Time { return c.anchor.from }

// Speed returns the multiplier of simulated over real time.
func (c *DemoClock) Speed() float64 { return c.speed }

// Calendar returns the calendar whose trading days the clock walks through.
func (c *DemoClock) Calendar() *asx.Calendar { return c.cal }

// Session returns the simulated session instant at real instant now:
// anchor + (now-start)*speed, skipping from each day's close plus DemoTail
// to the next trading day's 09:59:30. Instants before start map to the anchor.
func (c *DemoClock) Session(now time.Time) time.Time {
	// Clamp before converting: a fast clock left running for long enough
	// would overflow a Duration (about 292 years).
	e := min(max(float64(now.Sub(c.start))*c.speed, 0), math.MaxInt64/2)
	elapsed := time.Duration(e)
	c.mu.Lock()
	defer c.mu.Unlock()
	if elapsed < c.cur.offset {
		c.cur = c.anchor
	}
	// Walk day by day; Session is called with increasing times, so this
	// usually takes no steps, and one at each day's end.
	for elapsed >= c.cur.offset+c.cur.length() {
		next := c.cal.NextTradingDay(c.cur.from)
		c.cur = c.dayOf(next, c.cur.offset+c.cur.length())
	}
	return c.cur.from.Add(elapsed - c.cur.offset)
}
