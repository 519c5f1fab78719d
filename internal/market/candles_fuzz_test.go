package market

import (
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// FuzzIntervalRange checks candle intervals and ranges as the chart and the
// API read them: refusals are Invalid errors on the parameter at fault; an
// accepted interval is one of Intervals and reads back by its name; an
// accepted range runs forwards, is no longer than the interval allows,
// takes its defaults when a bound is missing, and reads back the same from
// its RFC 3339 form (when it can be written in one).
func FuzzIntervalRange(f *testing.F) {
	for _, s := range [][3]string{
		{"", "", ""},
		{"5m", "2026-06-01", "2026-06-04"},
		{"1mo", "2015-01-01", ""},
		{"60m", "2026-06-02T10:00:00+10:00", "2026-06-02T16:10:00+10:00"},
		{"1m", "2026-05-01", "2026-06-04"},
		{"1W", "2026-06-04", "2026-06-01"},
		{"1D", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"},
		{"1y", "yesterday", "2026-02-30"},
		{"1D", "9999-12-01", "9999-12-31"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 6, 4, 6, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name, fromS, toS string) {
		iv, err := ParseInterval(name)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "interval" {
				t.Fatalf("ParseInterval(%q) error %v", name, err)
			}
			return
		}
		if !slices.Contains(Intervals, iv) {
			t.Fatalf("ParseInterval(%q) = %+v", name, iv)
		}
		if again, err := ParseInterval(iv.Name); err != nil || again != iv {
			t.Fatalf("%s reads back as %+v, %v", iv.Name, again, err)
		}
		from, to, err := iv.Range(fromS, toS, now)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || (ae.Field != "from" && ae.Field != "to") {
				t.Fatalf("Range(%q, %q) error %v", fromS, toS, err)
			}
			return
		}
		switch {
		case !from.Before(to) || to.Sub(from) > iv.MaxSpan:
			t.Fatalf("%s Range(%q, %q) = %v – %v", iv.Name, fromS, toS, from, to)
		case toS == "" && !to.Equal(now):
			t.Fatalf("no to: %v, want now", to)
		case fromS == "" && !from.Equal(to.Add(-iv.Default)):
			t.Fatalf("no from: %v, want %v before %v", from, iv.Default, to)
		}
		if to.Year() > 9999 { // "to=9999-12-31" ends in year 10000, which RFC 3339 cannot write
			return
		}
		f2, t2, err := iv.Range(from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), now)
		if err != nil || !f2.Equal(from) || !t2.Equal(to) {
			t.Fatalf("%v – %v written back reads as %v – %v, %v", from, to, f2, t2, err)
		}
	})
}
