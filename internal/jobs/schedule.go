package jobs

import (
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// AfterCloseHour and AfterCloseMinute are the Sydney time after which a
// trading day's close is final: the closing auction ends about 16:12, and
// the settled bar follows.
const (
	AfterCloseHour   = 16
	AfterCloseMinute = 30
)

// DueDay reports whether the daily refresh and scoring should run at now:
// on an ASX trading day after 16:30 Sydney time. It returns that day as
// midnight UTC, the form dates take in the database. Weekends, holidays and
// the hours before the close are not due.
func DueDay(cal *asx.Calendar, now time.Time) (time.Time, bool) {
	syd := now.In(asx.Sydney())
	if !cal.IsTradingDay(syd) {
		return time.Time{}, false
	}
	y, m, d := syd.Date()
	if syd.Before(time.Date(y, m, d, AfterCloseHour, AfterCloseMinute, 0, 0, asx.Sydney())) {
		return time.Time{}, false
	}
	return asx.Civil(syd), true
}
