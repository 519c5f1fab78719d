package asx

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// mustUTC returns an RFC 3339 instant.
func mustUTC(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("parse instant %q: %v", s, err)
	}
	return d
}

func TestIsTradingDay(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name string
		day  time.Time
		want bool
	}{
		{"OrdinaryTuesday", testenv.DateIn(t, "2026-06-02", Sydney()), true},
		{"Saturday", testenv.DateIn(t, "2026-06-06", Sydney()), false},
		{"Sunday", testenv.DateIn(t, "2026-06-07", Sydney()), false},
		{"GoodFriday", testenv.DateIn(t, "2026-04-03", Sydney()), false},
		{"EasterMonday", testenv.DateIn(t, "2026-04-06", Sydney()), false},
		{"AnzacDayOnSaturday", testenv.DateIn(t, "2026-04-25", Sydney()), false},
		{"MondayAfterSaturdayAnzacDayTrades", testenv.DateIn(t, "2026-04-27", Sydney()), true},
		{"MondayAfterSundayAnzacDayTrades", testenv.DateIn(t, "2021-04-26", Sydney()), true},
		{"AustraliaDayObserved", testenv.DateIn(t, "2025-01-27", Sydney()), false},
		{"KingsBirthday", testenv.DateIn(t, "2026-06-08", Sydney()), false},
		{"LabourDayNSWTrades", testenv.DateIn(t, "2026-10-05", Sydney()), true},
		{"ChristmasEveEarlyCloseTrades", testenv.DateIn(t, "2026-12-24", Sydney()), true},
		{"BoxingDayObserved", testenv.DateIn(t, "2026-12-28", Sydney()), false},
		{"NationalDayOfMourning", testenv.DateIn(t, "2022-09-22", Sydney()), false},
		{"UTCMidnightNamesSameDay", mustUTC(t, "2026-04-03T00:00:00Z"), false},
		// 14:30Z on 2 April is 01:30 on Good Friday in Sydney.
		{"InstantReadInSydney", mustUTC(t, "2026-04-02T14:30:00Z"), false},
		{"InstantBeforeSydneyMidnight", mustUTC(t, "2026-04-02T12:59:59Z"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsTradingDay(tt.day); got != tt.want {
				t.Errorf("IsTradingDay(%s) = %v, want %v", tt.day, got, tt.want)
			}
		})
	}
}

func TestHoliday(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		day      string
		wantName string
		wantKind HolidayKind
		wantOK   bool
	}{
		{"2026-04-03", "Good Friday", HolidayClosed, true},
		{"2026-12-24", "Last trading day before Christmas", HolidayEarlyClose, true},
		{"2027-12-27", "Christmas Day (observed)", HolidayClosed, true},
		{"2026-04-27", "", 0, false},
		{"2026-04-25", "", 0, false}, // weekends are not listed
	}
	for _, tt := range tests {
		name, kind, ok := cal.Holiday(testenv.DateIn(t, tt.day, Sydney()))
		if name != tt.wantName || kind != tt.wantKind || ok != tt.wantOK {
			t.Errorf("Holiday(%s) = %q, %v, %v; want %q, %v, %v", tt.day, name, kind, ok, tt.wantName, tt.wantKind, tt.wantOK)
		}
	}
}

func TestNextPrevTradingDay(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name     string
		day      string
		wantNext string
		wantPrev string
	}{
		{"Midweek", "2026-06-03", "2026-06-04", "2026-06-02"},
		{"EasterLongWeekend", "2026-04-02", "2026-04-07", "2026-04-01"},
		{"FromGoodFriday", "2026-04-03", "2026-04-07", "2026-04-02"},
		{"KingsBirthdayWeekend", "2026-06-05", "2026-06-09", "2026-06-04"},
		{"Christmas2026", "2026-12-24", "2026-12-29", "2026-12-23"},
		{"NewYear2027", "2026-12-31", "2027-01-04", "2026-12-30"},
		{"Christmas2021BothObserved", "2021-12-24", "2021-12-29", "2021-12-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testenv.DateIn(t, tt.day, Sydney())
			if got, want := cal.NextTradingDay(d), testenv.DateIn(t, tt.wantNext, Sydney()); !got.Equal(want) || got.Location() != Sydney() {
				t.Errorf("NextTradingDay(%s) = %s, want %s", tt.day, got, want)
			}
			if got, want := cal.PrevTradingDay(d), testenv.DateIn(t, tt.wantPrev, Sydney()); !got.Equal(want) || got.Location() != Sydney() {
				t.Errorf("PrevTradingDay(%s) = %s, want %s", tt.day, got, want)
			}
		})
	}
}

func TestTradingDays(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name      string
		from, to  string
		wantCount int
		wantFirst string
		wantLast  string
	}{
		{"April2026", "2026-04-01", "2026-04-30", 20, "2026-04-01", "2026-04-30"},
		{"Year2026", "2026-01-01", "2026-12-31", 254, "2026-01-02", "2026-12-31"},
		{"HolidayOnly", "2026-04-03", "2026-04-06", 0, "", ""},
		{"SingleDay", "2026-06-02", "2026-06-02", 1, "2026-06-02", "2026-06-02"},
		{"Reversed", "2026-06-05", "2026-06-01", 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			days := cal.TradingDays(testenv.DateIn(t, tt.from, Sydney()), testenv.DateIn(t, tt.to, Sydney()))
			if len(days) != tt.wantCount {
				t.Fatalf("len(TradingDays(%s, %s)) = %d, want %d", tt.from, tt.to, len(days), tt.wantCount)
			}
			if tt.wantCount == 0 {
				return
			}
			if got, want := days[0], testenv.DateIn(t, tt.wantFirst, Sydney()); !got.Equal(want) {
				t.Errorf("first = %s, want %s", got, want)
			}
			if got, want := days[len(days)-1], testenv.DateIn(t, tt.wantLast, Sydney()); !got.Equal(want) {
				t.Errorf("last = %s, want %s", got, want)
			}
			for _, d := range days {
				if !cal.IsTradingDay(d) {
					t.Errorf("TradingDays returned %s, which is not a trading day", d)
				}
			}
		})
	}
}

func TestCovers(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		day  string
		want bool
	}{
		{"2014-12-31", false},
		{"2015-01-01", true},
		{"2027-12-31", true},
		{"2028-01-03", false},
	}
	for _, tt := range tests {
		if got := cal.Covers(testenv.DateIn(t, tt.day, Sydney())); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}
