// Package calendar is the market calendar factors are evaluated on, as Qlib
// evaluates them: every instrument is laid on one market-wide list of trading
// days, from its first bar to its last, and a day on which the market traded
// but the instrument did not (a halt, a suspension) is a slot whose fields are
// all missing (NaN). Such a slot still counts in every rolling window, so
// Mean($close, 5) on the first day after a week-long halt is that day's close
// alone, and Ref($close, 1) there is missing.
//
// Qlib's calendar is its calendars/day.txt, which scripts/dump_bin.py writes
// as the union of the dates of every dumped instrument, and dump_bin reindexes
// each instrument onto that calendar between its own first and last date
// (data_merge_calendar). Here the calendar is derived the same way from the
// stored bars: the days on which at least one equity has a daily bar (see
// Load). It is not the rule-based ASX calendar of package asx: the shipped
// data has no rows at all for 10–30 March 2026, so Qlib run on that data has
// no slots there, and neither does this calendar.
package calendar

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// Calendar is an ascending list of trading days (civil dates, midnight UTC),
// without repeats. It is immutable and safe for concurrent use.
type Calendar struct {
	days []time.Time
}

// New returns the calendar of days, which need not be sorted or unique; each
// is reduced to its civil date.
func New(days []time.Time) *Calendar {
	c := make([]time.Time, len(days))
	for i, d := range days {
		c[i] = asx.Civil(d)
	}
	slices.SortFunc(c, time.Time.Compare)
	c = slices.CompactFunc(c, time.Time.Equal)
	return &Calendar{days: c}
}

// Load returns the market calendar: every day on which at least one equity
// has a daily bar, oldest first (Qlib's calendar, as dump_bin builds it from
// the instruments it dumps).
func Load(ctx context.Context, q *db.Queries) (*Calendar, error) {
	days, err := q.ListTradingDays(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the trading calendar: %w", err)
	}
	return &Calendar{days: days}, nil
}

// Len returns the number of trading days.
func (c *Calendar) Len() int { return len(c.days) }

// Days returns the trading days, oldest first. The slice is shared: do not
// change it.
func (c *Calendar) Days() []time.Time { return c.days }

// Index returns the position of day in the calendar, or where it would be
// inserted and false when it is not a trading day.
func (c *Calendar) Index(day time.Time) (int, bool) {
	return slices.BinarySearchFunc(c.days, asx.Civil(day), time.Time.Compare)
}

// Layout lays an instrument's bar dates (ascending, without repeats) on the
// calendar: slots holds one date per calendar day from dates[0] to the last
// date, and pos[i] is the slot of dates[i]. A bar dated on a day the calendar
// lacks (an index trading on a day no equity has a bar, say) keeps a slot of
// its own, so that no bar is ever dropped.
func (c *Calendar) Layout(dates []time.Time) (slots []time.Time, pos []int) {
	pos = make([]int, len(dates))
	if len(dates) == 0 {
		return nil, pos
	}
	lo, _ := c.Index(dates[0])
	hi, found := c.Index(dates[len(dates)-1])
	if found {
		hi++
	}
	cal := c.days[lo:hi]
	if len(cal) == len(dates) { // no halts: the common case
		for i := range pos {
			pos[i] = i
		}
		if slices.EqualFunc(cal, dates, time.Time.Equal) {
			return cal, pos
		}
	}
	slots = make([]time.Time, 0, max(len(cal), len(dates)))
	i, j := 0, 0
	for i < len(cal) || j < len(dates) {
		switch {
		case j == len(dates) || (i < len(cal) && cal[i].Before(dates[j])):
			slots = append(slots, cal[i])
			i++
		case i == len(cal) || dates[j].Before(cal[i]):
			pos[j] = len(slots)
			slots = append(slots, dates[j])
			j++
		default: // the same day
			pos[j] = len(slots)
			slots = append(slots, cal[i])
			i++
			j++
		}
	}
	return slots, pos
}

// Spread writes vals (one per bar, in bar order) into dst at the slots pos
// gives and NaN into every other slot. dst must hold one value per slot.
func Spread(dst, vals []float64, pos []int) {
	if len(dst) == len(vals) {
		copy(dst, vals)
		return
	}
	for i := range dst {
		dst[i] = math.NaN()
	}
	for i, p := range pos {
		dst[p] = vals[i]
	}
}

// FirstChange returns the first day on which a calendar that was old differs
// from now, when it does other than by days added after old's last day
// (which change no window of what was evaluated on old). An empty old is
// not a record of anything and reports no change.
func FirstChange(old, now []time.Time) (time.Time, bool) {
	if len(old) == 0 {
		return time.Time{}, false
	}
	i := 0
	for i < len(old) && i < len(now) && old[i].Equal(now[i]) {
		i++
	}
	switch {
	case i == len(old):
		return time.Time{}, false
	case i == len(now):
		return old[i], true
	case now[i].Before(old[i]):
		return now[i], true
	}
	return old[i], true
}
