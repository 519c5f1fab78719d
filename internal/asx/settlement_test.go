package asx

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestSettlementDate(t *testing.T) {
	tests := []struct {
		name  string
		trade time.Time
		want  string
	}{
		{"T+2Midweek", testenv.TimeIn(t, "2026-06-01 11:00:00", Sydney()), "2026-06-03"},
		{"T+2OverWeekend", testenv.TimeIn(t, "2026-05-28 11:00:00", Sydney()), "2026-06-01"},
		{"T+2OverEaster", testenv.TimeIn(t, "2026-04-01 11:00:00", Sydney()), "2026-04-07"},
		{"T+2ThursdayBeforeEaster", testenv.TimeIn(t, "2026-04-02 15:59:00", Sydney()), "2026-04-08"},
		{"T+2OverKingsBirthday", testenv.TimeIn(t, "2026-06-05 11:00:00", Sydney()), "2026-06-10"},
		{"T+2OverChristmas", testenv.TimeIn(t, "2026-12-24 13:00:00", Sydney()), "2026-12-30"},
		{"T+2OverNewYear", testenv.TimeIn(t, "2026-12-31 11:00:00", Sydney()), "2027-01-05"},
		// 14:30Z on 1 April is 01:30 on 2 April in Sydney: the trade date is the 2nd.
		{"TradeDateReadInSydney", mustUTC(t, "2026-04-01T14:30:00Z"), "2026-04-08"},
		{"T+3BeforeSwitch", testenv.TimeIn(t, "2016-03-03 11:00:00", Sydney()), "2016-03-08"},
		{"T+3LastDay", testenv.TimeIn(t, "2016-03-04 11:00:00", Sydney()), "2016-03-09"},
		{"T+2FirstDay", testenv.TimeIn(t, "2016-03-07 11:00:00", Sydney()), "2016-03-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SettlementDate(tt.trade)
			if want := testenv.DateIn(t, tt.want, Sydney()); !got.Equal(want) || got.Location() != Sydney() {
				t.Errorf("SettlementDate(%s) = %s, want %s", tt.trade, got, want)
			}
		})
	}
}
