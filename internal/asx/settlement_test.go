package asx

import (
	"testing"
	"time"
)

func TestSettlementDate(t *testing.T) {
	tests := []struct {
		name  string
		trade time.Time
		want  string
	}{
		{"T+2Midweek", mustSydney(t, "2026-06-01 11:00:00"), "2026-06-03"},
		{"T+2OverWeekend", mustSydney(t, "2026-05-28 11:00:00"), "2026-06-01"},
		{"T+2OverEaster", mustSydney(t, "2026-04-01 11:00:00"), "2026-04-07"},
		{"T+2ThursdayBeforeEaster", mustSydney(t, "2026-04-02 15:59:00"), "2026-04-08"},
		{"T+2OverKingsBirthday", mustSydney(t, "2026-06-05 11:00:00"), "2026-06-10"},
		{"T+2OverChristmas", mustSydney(t, "2026-12-24 13:00:00"), "2026-12-30"},
		{"T+2OverNewYear", mustSydney(t, "2026-12-31 11:00:00"), "2027-01-05"},
		// 14:30Z on 1 April is 01:30 on 2 April in Sydney: the trade date is the 2nd.
		{"TradeDateReadInSydney", mustUTC(t, "2026-04-01T14:30:00Z"), "2026-04-08"},
		{"T+3BeforeSwitch", mustSydney(t, "2016-03-03 11:00:00"), "2016-03-08"},
		{"T+3LastDay", mustSydney(t, "2016-03-04 11:00:00"), "2016-03-09"},
		{"T+2FirstDay", mustSydney(t, "2016-03-07 11:00:00"), "2016-03-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SettlementDate(tt.trade)
			if want := mustDate(t, tt.want); !got.Equal(want) || got.Location() != Sydney() {
				t.Errorf("SettlementDate(%s) = %s, want %s", tt.trade, got, want)
			}
		})
	}
}
