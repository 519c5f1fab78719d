package jobs_test

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/jobs"
)

func TestDueDay(t *testing.T) {
	syd := asx.Sydney()
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, syd)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		name    string
		now     time.Time
		wantDue bool
		wantDay string
	}{
		{"AfterCloseOnATradingDay", at("2026-06-03 17:05"), true, "2026-06-03"},
		{"AtHalfPastFour", at("2026-06-03 16:30"), true, "2026-06-03"},
		{"BeforeTheClose", at("2026-06-03 15:59"), false, ""},
		{"JustBeforeHalfPastFour", at("2026-06-03 16:29"), false, ""},
		{"LateEvening", at("2026-06-03 23:59"), true, "2026-06-03"},
		{"EarlyMorningNextDay", at("2026-06-04 06:00"), false, ""},
		{"Saturday", at("2026-06-06 17:00"), false, ""},
		{"Sunday", at("2026-06-07 17:00"), false, ""},
		{"AustraliaDay", at("2026-01-26 17:00"), false, ""},
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
