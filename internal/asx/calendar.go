package asx

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"
)

//go:embed holidays.csv
var holidaysCSV []byte

// defaultCalendar is parsed when the package initialises: the embedded file is
// part of the build, so a malformed row is a programming error that every
// test run of this package catches at once.
var defaultCalendar = mustParseCalendar(holidaysCSV)

func mustParseCalendar(data []byte) *Calendar {
	c, err := ParseCalendar(bytes.NewReader(data))
	if err != nil {
		panic("asx: embedded holidays.csv: " + err.Error())
	}
	return c
}

// DefaultCalendar returns the ASX calendar built from the embedded
// holidays.csv. The value is shared and read-only, so it is safe for
// concurrent use.
func DefaultCalendar() *Calendar { return defaultCalendar }

// HolidayKind says what a listed day does to trading.
type HolidayKind int

// Holiday kinds, written in holidays.csv as "closed" and "early_close".
const (
	HolidayClosed     HolidayKind = iota + 1 // no trading all day
	HolidayEarlyClose                        // trading ends early: pre-close 14:00, closing auction 14:10
)

// String returns the kind as written in holidays.csv.
func (k HolidayKind) String() string {
	switch k {
	case HolidayClosed:
		return "closed"
	case HolidayEarlyClose:
		return "early_close"
	}
	return fmt.Sprintf("HolidayKind(%d)", int(k))
}

func parseHolidayKind(s string) (HolidayKind, error) {
	switch s {
	case "closed":
		return HolidayClosed, nil
	case "early_close":
		return HolidayEarlyClose, nil
	}
	return 0, fmt.Errorf("unknown kind %q (want closed or early_close)", s)
}

type holiday struct {
	name string
	kind HolidayKind
}

// Calendar answers which days the ASX trades and when. Days not listed in its
// holiday table are trading days if they fall Monday to Friday, so answers are
// only authoritative inside the covered years (see Covers). A Calendar is
// immutable after parsing and safe for concurrent use.
type Calendar struct {
	days      map[civilDate]holiday
	firstYear int
	lastYear  int
}

// ParseCalendar reads a holiday table in the holidays.csv format: a header
// "date,name,kind", then one row per day with date YYYY-MM-DD and kind
// "closed" or "early_close"; lines starting with # are comments. The covered
// years run from the first listed year to the last.
func ParseCalendar(r io.Reader) (*Calendar, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if header[0] != "date" || header[1] != "name" || header[2] != "kind" {
		return nil, fmt.Errorf("header is %q, want date,name,kind", header)
	}
	c := &Calendar{days: make(map[civilDate]holiday)}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if err := c.add(rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	if len(c.days) == 0 {
		return nil, errors.New("no holidays listed")
	}
	return c, nil
}

func (c *Calendar) add(rec []string) error {
	t, err := time.Parse(time.DateOnly, rec[0])
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	day := civilDate{t.Year(), t.Month(), t.Day()}
	if wd := day.weekday(); wd == time.Saturday || wd == time.Sunday {
		// The ASX never trades on weekends, so a weekend row is a typo.
		return fmt.Errorf("%s is a %s", day, wd)
	}
	if rec[1] == "" {
		return fmt.Errorf("%s has no name", day)
	}
	kind, err := parseHolidayKind(rec[2])
	if err != nil {
		return fmt.Errorf("%s: %w", day, err)
	}
	if _, dup := c.days[day]; dup {
		return fmt.Errorf("%s is listed twice", day)
	}
	c.days[day] = holiday{name: rec[1], kind: kind}
	if c.firstYear == 0 || day.year < c.firstYear {
		c.firstYear = day.year
	}
	if day.year > c.lastYear {
		c.lastYear = day.year
	}
	return nil
}

// Covers reports whether the holiday table covers d's Sydney date. Outside
// it, every weekday is treated as a trading day.
func (c *Calendar) Covers(d time.Time) bool {
	y := dateOf(d).year
	return y >= c.firstYear && y <= c.lastYear
}

// Holiday returns the listed name and kind of d's Sydney date, and whether it
// is listed at all. Weekends are not listed.
func (c *Calendar) Holiday(d time.Time) (name string, kind HolidayKind, ok bool) {
	h, ok := c.days[dateOf(d)]
	return h.name, h.kind, ok
}

// IsTradingDay reports whether the ASX trades on d's Sydney calendar date:
// a weekday that is not a full-day holiday. Early-close days are trading days.
func (c *Calendar) IsTradingDay(d time.Time) bool {
	return c.isTradingDate(dateOf(d))
}

func (c *Calendar) isTradingDate(day civilDate) bool {
	if wd := day.weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	h, ok := c.days[day]
	return !ok || h.kind != HolidayClosed
}

func (c *Calendar) isEarlyClose(day civilDate) bool {
	h, ok := c.days[day]
	return ok && h.kind == HolidayEarlyClose
}

// nextTradingDate returns the first trading date strictly after day. It
// always ends: no run of holidays and weekends lasts more than a few days.
func (c *Calendar) nextTradingDate(day civilDate) civilDate {
	for {
		day = day.addDays(1)
		if c.isTradingDate(day) {
			return day
		}
	}
}

func (c *Calendar) prevTradingDate(day civilDate) civilDate {
	for {
		day = day.addDays(-1)
		if c.isTradingDate(day) {
			return day
		}
	}
}

// NextTradingDay returns the first trading day strictly after d's Sydney
// date, as midnight in Sydney.
func (c *Calendar) NextTradingDay(d time.Time) time.Time {
	return c.nextTradingDate(dateOf(d)).midnight()
}

// PrevTradingDay returns the last trading day strictly before d's Sydney
// date, as midnight in Sydney.
func (c *Calendar) PrevTradingDay(d time.Time) time.Time {
	return c.prevTradingDate(dateOf(d)).midnight()
}

// TradingDays returns the trading days from from's Sydney date to to's,
// both inclusive, as midnights in Sydney; nil if to is before from.
func (c *Calendar) TradingDays(from, to time.Time) []time.Time {
	first, last := dateOf(from), dateOf(to)
	var days []time.Time
	for day := first; !last.before(day); day = day.addDays(1) {
		if c.isTradingDate(day) {
			days = append(days, day.midnight())
		}
	}
	return days
}
