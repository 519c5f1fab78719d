package jobs_test

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestDueDay(t *testing.T) {
	syd := asx.Sydney()
	tests := []struct {
		name    string
		now     time.Time
		wantDue bool
		wantDay string
	}{
		{"AfterCloseOnATradingDay", testenv.TimeIn(t, "2026-06-03 17:05", syd), true, "2026-06-03"},
		{"AtHalfPastFour", testenv.TimeIn(t, "2026-06-03 16:30", syd), true, "2026-06-03"},
		{"BeforeTheClose", testenv.TimeIn(t, "2026-06-03 15:59", syd), false, ""},
		{"JustBeforeHalfPastFour", testenv.TimeIn(t, "2026-06-03 16:29", syd), false, ""},
		{"LateEvening", testenv.TimeIn(t, "2026-06-03 23:59", syd), true, "2026-06-03"},
		{"EarlyMorningNextDay", testenv.TimeIn(t, "2026-06-04 06:00", syd), false, ""},
		{"Saturday", testenv.TimeIn(t, "2026-06-06 17:00", syd), false, ""},
		{"Sunday", testenv.TimeIn(t, "2026-06-07 17:00", syd), false, ""},
		{"AustraliaDay", testenv.TimeIn(t, "2026-01-26 17:00", syd), false, ""},
		{"GivenInUTC", time.Date(2026, 6, 3, 7, 0, 0, 0, time.UTC), true, "2026-06-03"},    // 17:00 AEST
		{"UTCDateIsTheDayBefore", time.Date(2026, 6, 2, 22, 0, 0, 0, time.UTC), false, ""}, // 08:00 on the 3rd
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, due := jobs.DueDay(asx.DefaultCalendar(), tt.now)
			if due != tt.wantDue {
				t.Fatalf("DueDay(%s) due = %v, want %v", tt.now, due, tt.wantDue)
			}
			if due && got.Format(time.DateOnly) != tt.wantDay {
				t.Errorf("DueDay(%s) = %s, want %s", tt.now, got.Format(time.DateOnly), tt.wantDay)
			}
			if due && got.Location() != time.UTC {
				t.Errorf("DueDay returned %s, want midnight UTC", got)
			}
		})
	}
}
