package market

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]string{
		"": "1D", "1m": "1m", "1M": "1M", "1mo": "1M", "5m": "5m", "5M": "5m", "15m": "15m", "1h": "1h", "1H": "1h",
		"1D": "1D", "1d": "1D", "1W": "1W", "1w": "1W",
	} {
		iv, err := ParseInterval(in)
		if err != nil || iv.Name != want {
			t.Errorf("ParseInterval(%q) = %q, %v; want %q", in, iv.Name, err, want)
		}
	}
	for _, bad := range []string{"2m", "1y", "1Mo", "x"} {
		if _, err := ParseInterval(bad); err == nil {
			t.Errorf("ParseInterval(%q) accepted", bad)
		}
	}
}

func TestMergeLive(t *testing.T) {
	live := Bar{Time: testenv.Date(t, "2026-11-25"), Open: 10, High: 12, Low: 9, Close: 11, Volume: 5}
	week := []Bar{{Time: testenv.Date(t, "2026-11-23"), Open: 8, High: 10, Low: 7, Close: 9, Volume: 10}}
	got := mergeLive(week, live, "week")
	if len(got) != 1 || got[0].High != 12 || got[0].Low != 7 || got[0].Close != 11 || got[0].Volume != 15 || got[0].Open != 8 {
		t.Errorf("weekly merge = %+v", got)
	}
	got = mergeLive(nil, live, "month")
	if len(got) != 1 || !got[0].Time.Equal(testenv.Date(t, "2026-11-01")) {
		t.Errorf("monthly bucket = %+v", got)
	}
	got = mergeLive([]Bar{{Time: testenv.Date(t, "2026-11-24")}}, live, "day")
	if len(got) != 2 || !got[1].Time.Equal(testenv.Date(t, "2026-11-25")) {
		t.Errorf("daily append = %+v", got)
	}
}

func TestQuoteRollsOverAtANewSydneyDay(t *testing.T) {
	q := Quote{Code: "BHP", PrevClose: 40}
	q = q.Apply(Tick{Time: testenv.TimeIn(t, "2026-11-25 10:00", sydney()), Code: "BHP", Price: 41, Size: 1000, Seq: 1})
	q = q.Apply(Tick{Time: testenv.TimeIn(t, "2026-11-25 16:11", sydney()), Code: "BHP", Price: 42, Size: 10, Seq: 2, Kind: Auction})
	if q.Open != 41 || q.Volume != 1010 || q.Change() != 2 {
		t.Fatalf("day one: %+v", q)
	}
	q = q.Apply(Tick{Time: testenv.TimeIn(t, "2026-11-26 10:00", sydney()), Code: "BHP", Price: 43, Size: 5, Seq: 3})
	if q.PrevClose != 42 || q.Open != 43 || q.High != 43 || q.Low != 43 || q.Volume != 5 || q.Trades != 1 || q.Change() != 1 {
		t.Errorf("day two: %+v", q)
	}
	// Midnight UTC is not a new day in Sydney.
	q2 := Quote{Code: "CBA", PrevClose: 100}.Apply(Tick{Time: testenv.TimeIn(t, "2026-11-25 10:30", sydney()), Code: "CBA", Price: 101, Size: 1, Seq: 1})
	q2 = q2.Apply(Tick{Time: testenv.TimeIn(t, "2026-11-25 11:30", sydney()), Code: "CBA", Price: 102, Size: 1, Seq: 2})
	if q2.PrevClose != 100 || q2.Volume != 2 {
		t.Errorf("same Sydney day across midnight UTC rolled over: %+v", q2)
	}
}

func sydney() *time.Location { l, _ := time.LoadLocation("Australia/Sydney"); return l }
