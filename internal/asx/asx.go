// Package asx holds the ASX cash-market rules the platform must get right:
// the trading calendar (holidays as data), session phases by Sydney wall-clock
// time, equity price steps and T+2 settlement.
//
// Conventions: a "date" is a Sydney calendar date and is returned as midnight
// in Sydney (Location Sydney()); an instant such as a session boundary is
// returned in UTC. Inputs of either kind may be in any location; they are
// converted to Sydney time before the date is read, so a date built at
// midnight in UTC or in Sydney names that same day.
package asx

import (
	"time"
	_ "time/tzdata" // Australia/Sydney must load on hosts without a zoneinfo database.
)

// sydney is loaded once; the embedded tzdata makes failure a build defect,
// not a runtime condition.
var sydney = mustLoadLocation("Australia/Sydney")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("asx: load " + name + ": " + err.Error())
	}
	return loc
}

// Sydney returns the Australia/Sydney location, the ASX's time zone
// (AEST/AEDT, with daylight saving).
func Sydney() *time.Location { return sydney }

// Civil returns t's calendar date, read in t's own location, as midnight UTC:
// the form the platform stores (PostgreSQL date) and compares calendar dates
// in, so that two dates are equal exactly when year, month and day are.
func Civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TradeDate returns the Sydney calendar date of instant t (the ASX trading
// date it falls on) as midnight UTC, the form of Civil.
func TradeDate(t time.Time) time.Time { return Civil(t.In(sydney)) }

// civilDate is a Sydney calendar date without a time or zone; it keys the
// holiday table so lookups never depend on a time of day or an offset.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

// dateOf returns the Sydney calendar date of t.
func dateOf(t time.Time) civilDate {
	y, m, d := t.In(sydney).Date()
	return civilDate{y, m, d}
}

// addDays does date arithmetic in UTC, where every day is 24 hours long.
func (c civilDate) addDays(n int) civilDate {
	y, m, d := time.Date(c.year, c.month, c.day+n, 0, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, d}
}

func (c civilDate) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Weekday()
}

func (c civilDate) before(o civilDate) bool {
	if c.year != o.year {
		return c.year < o.year
	}
	if c.month != o.month {
		return c.month < o.month
	}
	return c.day < o.day
}

// at returns the instant of a Sydney wall-clock time on the date. ASX times
// fall between 07:00 and 17:00, well clear of the 02:00–03:00 daylight-saving
// switch, so each exists exactly once.
func (c civilDate) at(hour, minute int) time.Time {
	return time.Date(c.year, c.month, c.day, hour, minute, 0, 0, sydney)
}

// midnight returns the date as midnight in Sydney, the form dates are returned in.
func (c civilDate) midnight() time.Time { return c.at(0, 0) }

func (c civilDate) String() string {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
