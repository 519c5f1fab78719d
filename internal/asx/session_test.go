package asx

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestPhaseStringAndLabel(t *testing.T) {
	tests := []struct {
		phase     Phase
		wantID    string
		wantLabel string
	}{
		{Closed, "closed", "Closed"},
		{PreOpen, "pre_open", "Pre-open"},
		{OpeningAuction, "opening_auction", "Opening auction"},
		{Open, "open", "Open"},
		{PreClose, "pre_close", "Pre-close"},
		{ClosingAuction, "closing_auction", "Closing auction"},
		{Adjust, "adjust", "Adjust"},
		{Phase(99), "Phase(99)", "Phase(99)"},
	}
	for _, tt := range tests {
		if got := tt.phase.String(); got != tt.wantID {
			t.Errorf("Phase(%d).String() = %q, want %q", int(tt.phase), got, tt.wantID)
		}
		if got := tt.phase.Label(); got != tt.wantLabel {
			t.Errorf("Phase(%d).Label() = %q, want %q", int(tt.phase), got, tt.wantLabel)
		}
	}
}

func TestGroupOpenOffset(t *testing.T) {
	tests := []struct {
		code string
		want time.Duration
	}{
		{"360", 0}, {"A2M", 0}, {"BHP", 0},
		{"CBA", 2*time.Minute + 15*time.Second}, {"FMG", 2*time.Minute + 15*time.Second},
		{"GMG", 4*time.Minute + 30*time.Second}, {"MQG", 4*time.Minute + 30*time.Second},
		{"NAB", 6*time.Minute + 45*time.Second}, {"RIO", 6*time.Minute + 45*time.Second},
		{"S32", 9 * time.Minute}, {"ZIP", 9 * time.Minute},
		{"cba", 2*time.Minute + 15*time.Second},
		{"", 0}, {"_X", 0},
	}
	for _, tt := range tests {
		if got := GroupOpenOffset(tt.code); got != tt.want {
			t.Errorf("GroupOpenOffset(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestPhaseAtGroupBoundaries checks each group a second before and at its open.
func TestPhaseAtGroupBoundaries(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		code   string
		before string
		at     string
		// The first group goes straight from pre-open to open.
		wantBefore Phase
	}{
		{"BHP", "2026-06-02 09:59:59", "2026-06-02 10:00:00", PreOpen},
		{"360", "2026-06-02 09:59:59", "2026-06-02 10:00:00", PreOpen},
		{"CBA", "2026-06-02 10:02:14", "2026-06-02 10:02:15", OpeningAuction},
		{"GMG", "2026-06-02 10:04:29", "2026-06-02 10:04:30", OpeningAuction},
		{"NAB", "2026-06-02 10:06:44", "2026-06-02 10:06:45", OpeningAuction},
		{"WBC", "2026-06-02 10:08:59", "2026-06-02 10:09:00", OpeningAuction},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := cal.PhaseAt(testenv.TimeIn(t, tt.before, Sydney()), tt.code); got != tt.wantBefore {
				t.Errorf("PhaseAt(%s, %s) = %s, want %s", tt.before, tt.code, got, tt.wantBefore)
			}
			if got := cal.PhaseAt(testenv.TimeIn(t, tt.at, Sydney()), tt.code); got != Open {
				t.Errorf("PhaseAt(%s, %s) = %s, want open", tt.at, tt.code, got)
			}
		})
	}
}

func TestMarketPhase(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name string
		at   string
		want Phase
	}{
		{"Overnight", "2026-06-02 06:59:59", Closed},
		{"PreOpenStarts", "2026-06-02 07:00:00", PreOpen},
		{"PreOpenEnds", "2026-06-02 09:59:59", PreOpen},
		{"AuctionStarts", "2026-06-02 10:00:00", OpeningAuction},
		{"AuctionLastGroupPending", "2026-06-02 10:08:59", OpeningAuction},
		{"AllGroupsOpen", "2026-06-02 10:09:00", Open},
		{"OpenEnds", "2026-06-02 15:59:59", Open},
		{"PreCloseStarts", "2026-06-02 16:00:00", PreClose},
		{"PreCloseEnds", "2026-06-02 16:09:59", PreClose},
		{"ClosingAuctionStarts", "2026-06-02 16:10:00", ClosingAuction},
		{"ClosingAuctionEnds", "2026-06-02 16:11:59", ClosingAuction},
		{"AdjustStarts", "2026-06-02 16:12:00", Adjust},
		{"AdjustEnds", "2026-06-02 16:59:59", Adjust},
		{"Evening", "2026-06-02 17:00:00", Closed},
		{"EarlyCloseOpen", "2026-12-24 13:59:59", Open},
		{"EarlyClosePreClose", "2026-12-24 14:00:00", PreClose},
		{"EarlyCloseAuction", "2026-12-24 14:10:00", ClosingAuction},
		{"EarlyCloseAdjust", "2026-12-24 14:12:00", Adjust},
		{"EarlyCloseAfter", "2026-12-24 15:00:00", Closed},
		{"EarlyCloseUsualCloseTime", "2026-12-24 16:05:00", Closed},
		{"EarlyCloseMorningUnchanged", "2026-12-24 10:00:00", OpeningAuction},
		{"GoodFriday", "2026-04-03 11:00:00", Closed},
		{"AnzacDaySaturday", "2026-04-25 11:00:00", Closed},
		{"MondayAfterAnzacDayTrades", "2026-04-27 11:00:00", Open},
		{"Saturday", "2026-06-06 11:00:00", Closed},
		{"Sunday", "2026-06-07 11:00:00", Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.MarketPhase(testenv.TimeIn(t, tt.at, Sydney())); got != tt.want {
				t.Errorf("MarketPhase(%s) = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}

// TestPhasesAcrossDaylightSaving checks the first and last trading days
// around each 2025 and 2026 switch: 10:00 in Sydney is 23:00Z the day
// before under AEDT (+11) and 00:00Z the same day under AEST (+10).
func TestPhasesAcrossDaylightSaving(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name     string
		day      string
		wantOpen string
	}{
		{"2025LastAEDTDay", "2025-04-04", "2025-04-03T23:00:00Z"},
		{"2025FirstAEST", "2025-04-07", "2025-04-07T00:00:00Z"},
		{"2025LastAEST", "2025-10-03", "2025-10-03T00:00:00Z"},
		{"2025FirstAEDT", "2025-10-06", "2025-10-05T23:00:00Z"},
		// 2026-04-05 ends AEDT; the Monday after is Easter Monday, so the
		// first AEST session is Tuesday.
		{"2026LastAEDTDay", "2026-04-02", "2026-04-01T23:00:00Z"},
		{"2026FirstAEST", "2026-04-07", "2026-04-07T00:00:00Z"},
		{"2026LastAEST", "2026-10-02", "2026-10-02T00:00:00Z"},
		{"2026FirstAEDT", "2026-10-05", "2026-10-04T23:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := mustUTC(t, tt.wantOpen)
			s, ok := cal.SessionTimes(testenv.DateIn(t, tt.day, Sydney()))
			if !ok {
				t.Fatalf("SessionTimes(%s): not a trading day", tt.day)
			}
			if !s.Open.Equal(open) || s.Open.Location() != time.UTC {
				t.Errorf("Open = %s, want %s", s.Open, open)
			}
			if want := open.Add(-3 * time.Hour); !s.PreOpen.Equal(want) {
				t.Errorf("PreOpen = %s, want %s", s.PreOpen, want)
			}
			if want := open.Add(6 * time.Hour); !s.PreClose.Equal(want) {
				t.Errorf("PreClose = %s, want %s", s.PreClose, want)
			}
			phases := []struct {
				at   time.Time
				code string
				want Phase
			}{
				{open.Add(-time.Second), "BHP", PreOpen},
				{open, "BHP", Open},
				{open, "WBC", OpeningAuction},
				{open.Add(9 * time.Minute), "WBC", Open},
				{open.Add(6*time.Hour + 10*time.Minute), "BHP", ClosingAuction},
			}
			for _, p := range phases {
				if got := cal.PhaseAt(p.at, p.code); got != p.want {
					t.Errorf("PhaseAt(%s, %s) = %s, want %s", p.at.UTC().Format(time.RFC3339), p.code, got, p.want)
				}
			}
		})
	}
}

func TestSessionTimes(t *testing.T) {
	cal := DefaultCalendar()
	t.Run("OK", func(t *testing.T) {
		got, ok := cal.SessionTimes(testenv.TimeIn(t, "2026-06-02 13:45:00", Sydney()))
		if !ok {
			t.Fatal("SessionTimes(2026-06-02): not a trading day")
		}
		if got.EarlyClose {
			t.Error("EarlyClose = true, want false")
		}
		fields := []struct {
			name      string
			got, want time.Time
		}{
			{"Date", got.Date, testenv.DateIn(t, "2026-06-02", Sydney())},
			{"PreOpen", got.PreOpen, mustUTC(t, "2026-06-01T21:00:00Z")},
			{"Open", got.Open, mustUTC(t, "2026-06-02T00:00:00Z")},
			{"PreClose", got.PreClose, mustUTC(t, "2026-06-02T06:00:00Z")},
			{"ClosingAuction", got.ClosingAuction, mustUTC(t, "2026-06-02T06:10:00Z")},
			{"Close", got.Close, mustUTC(t, "2026-06-02T06:12:00Z")},
			{"AdjustEnd", got.AdjustEnd, mustUTC(t, "2026-06-02T07:00:00Z")},
		}
		for _, f := range fields {
			if !f.got.Equal(f.want) {
				t.Errorf("%s = %s, want %s", f.name, f.got, f.want)
			}
		}
		if got.Date.Location() != Sydney() || got.Open.Location() != time.UTC {
			t.Errorf("locations: Date in %s, Open in %s; want Australia/Sydney and UTC", got.Date.Location(), got.Open.Location())
		}
	})
	t.Run("EarlyClose", func(t *testing.T) {
		got, ok := cal.SessionTimes(testenv.DateIn(t, "2026-12-24", Sydney()))
		if !ok || !got.EarlyClose {
			t.Fatalf("SessionTimes(2026-12-24) = %+v, %v; want an early-close session", got, ok)
		}
		if want := mustUTC(t, "2026-12-24T03:10:00Z"); !got.ClosingAuction.Equal(want) {
			t.Errorf("ClosingAuction = %s, want %s", got.ClosingAuction, want)
		}
		if want := mustUTC(t, "2026-12-24T03:00:00Z"); !got.PreClose.Equal(want) {
			t.Errorf("PreClose = %s, want %s", got.PreClose, want)
		}
	})
	t.Run("ErrNotTradingDay", func(t *testing.T) {
		for _, d := range []string{"2026-04-03", "2026-06-06"} {
			if got, ok := cal.SessionTimes(testenv.DateIn(t, d, Sydney())); ok {
				t.Errorf("SessionTimes(%s) = %+v, true; want false", d, got)
			}
		}
	})
}

func TestStatus(t *testing.T) {
	cal := DefaultCalendar()
	tests := []struct {
		name           string
		at             string
		wantPhase      Phase
		wantTradingDay bool
		wantNextOpen   string
		wantNextChange string
	}{
		{"BeforePreOpen", "2026-04-07 06:00:00", Closed, true, "2026-04-07T00:00:00Z", "2026-04-06T21:00:00Z"},
		{"PreOpen", "2026-04-07 09:00:00", PreOpen, true, "2026-04-07T00:00:00Z", "2026-04-07T00:00:00Z"},
		{"AtOpenNextOpenIsTomorrow", "2026-04-07 10:00:00", OpeningAuction, true, "2026-04-08T00:00:00Z", "2026-04-07T00:09:00Z"},
		{"Open", "2026-04-07 10:09:00", Open, true, "2026-04-08T00:00:00Z", "2026-04-07T06:00:00Z"},
		{"ClosingAuction", "2026-04-07 16:11:00", ClosingAuction, true, "2026-04-08T00:00:00Z", "2026-04-07T06:12:00Z"},
		// Thursday before Easter: next open skips Good Friday, the weekend
		// and Easter Monday, and daylight saving ends in between.
		{"EasterAdjust", "2026-04-02 16:30:00", Adjust, true, "2026-04-07T00:00:00Z", "2026-04-02T06:00:00Z"},
		{"EasterEvening", "2026-04-02 20:00:00", Closed, true, "2026-04-07T00:00:00Z", "2026-04-06T21:00:00Z"},
		{"GoodFriday", "2026-04-03 12:00:00", Closed, false, "2026-04-07T00:00:00Z", "2026-04-06T21:00:00Z"},
		{"KingsBirthdayWeekend", "2026-06-05 18:00:00", Closed, true, "2026-06-09T00:00:00Z", "2026-06-08T21:00:00Z"},
		{"EarlyCloseOpen", "2026-12-24 13:00:00", Open, true, "2026-12-28T23:00:00Z", "2026-12-24T03:00:00Z"},
		{"AfterEarlyClose", "2026-12-24 15:30:00", Closed, true, "2026-12-28T23:00:00Z", "2026-12-28T20:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.Status(testenv.TimeIn(t, tt.at, Sydney()))
			if got.Phase != tt.wantPhase || got.Label != tt.wantPhase.Label() {
				t.Errorf("Phase, Label = %s, %q; want %s, %q", got.Phase, got.Label, tt.wantPhase, tt.wantPhase.Label())
			}
			if got.IsTradingDay != tt.wantTradingDay {
				t.Errorf("IsTradingDay = %v, want %v", got.IsTradingDay, tt.wantTradingDay)
			}
			if want := mustUTC(t, tt.wantNextOpen); !got.NextOpen.Equal(want) {
				t.Errorf("NextOpen = %s, want %s", got.NextOpen.UTC(), want)
			}
			if want := mustUTC(t, tt.wantNextChange); !got.NextChange.Equal(want) {
				t.Errorf("NextChange = %s, want %s", got.NextChange.UTC(), want)
			}
		})
	}
}

// TestStatusNextChangeIsAPhaseChange walks a week in one-minute steps and
// checks that the phase holds until NextChange and differs at it.
func TestStatusNextChangeIsAPhaseChange(t *testing.T) {
	cal := DefaultCalendar()
	start := testenv.TimeIn(t, "2026-04-01 00:00:00", Sydney())
	for at := start; at.Before(start.Add(8 * 24 * time.Hour)); at = at.Add(time.Minute) {
		st := cal.Status(at)
		if !st.NextChange.After(at) {
			t.Fatalf("Status(%s).NextChange = %s, not after now", at, st.NextChange)
		}
		if got := cal.MarketPhase(st.NextChange.Add(-time.Nanosecond)); got != st.Phase {
			t.Fatalf("Status(%s): phase just before NextChange %s is %s, want %s", at, st.NextChange, got, st.Phase)
		}
		if got := cal.MarketPhase(st.NextChange); got == st.Phase {
			t.Fatalf("Status(%s): phase at NextChange %s is still %s", at, st.NextChange, got)
		}
	}
}
