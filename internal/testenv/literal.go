package testenv

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Date is the calendar day s ("2026-11-24") at midnight UTC, the form the
// platform stores and compares dates in (asx.Civil). A malformed s fails the
// test, so a typo in a table cannot pass as the zero time.
func Date(tb testing.TB, s string) time.Time {
	tb.Helper()
	return DateIn(tb, s, time.UTC)
}

// DateIn is Date at midnight in loc: package asx returns its dates as
// midnight in Sydney.
func DateIn(tb testing.TB, s string, loc *time.Location) time.Time {
	tb.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		tb.Fatalf("testenv: date %q: %v", s, err)
	}
	return d
}

// TimeIn is the wall-clock time s in loc, the way market sessions are
// written: in Sydney time, to the second ("2026-06-02 09:59:30") or to the
// minute ("2026-06-02 10:00").
func TimeIn(tb testing.TB, s string, loc *time.Location) time.Time {
	tb.Helper()
	layout := time.DateTime
	if len(s) == len("2006-01-02 15:04") {
		layout = "2006-01-02 15:04"
	}
	d, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		tb.Fatalf("testenv: time %q in %s: %v", s, loc, err)
	}
	return d
}

// Day is y-m-d at midnight UTC, as Date returns it, for fixtures declared
// outside any test, where there is no test to fail (and nothing to parse).
func Day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Decimal is the decimal s ("19.95"). A malformed s fails the test.
func Decimal(tb testing.TB, s string) decimal.Decimal {
	tb.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		tb.Fatalf("testenv: decimal %q: %v", s, err)
	}
	return d
}
