package dataset

import (
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// FuzzParseRange checks date ranges ("YYYY-MM-DD:YYYY-MM-DD"): a refusal is
// an Invalid error on "range"; an accepted range is two midnight-UTC days in
// order, and its String form reads back the same.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"2015-01-01:2021-12-31", " 2022-01-01 : 2022-01-01 ", "2022-01-02:2022-01-01", "2022-01-01", "2022-02-30:2022-03-01", "0000-01-01:9999-12-31", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "range" {
				t.Fatalf("ParseRange(%q) error %v", s, err)
			}
			return
		}
		checkRange(t, r)
		if again, err := ParseRange(r.String()); err != nil || again != r {
			t.Fatalf("%s reads back as %v, %v", r, again, err)
		}
	})
}

// FuzzParseSegments checks train, valid and test windows: a refusal names
// the segment at fault; accepted windows are each a range in order and
// follow one another without overlapping.
func FuzzParseSegments(f *testing.F) {
	for _, s := range [][3]string{
		{"2015-01-01:2021-12-31", "2022-01-01:2022-12-31", "2023-01-01:2026-06-04"},
		{"2020-01-01:2020-01-03", "2020-01-03:2020-01-06", "2020-01-07:2020-01-10"},
		{"2020-01-01:2020-01-03", "", "2020-01-07:2020-01-10"},
		{"2021-01-01:2020-01-03", "x", "y"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, train, valid, test string) {
		segs, err := ParseSegments(train, valid, test)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || !slices.Contains([]string{"train", "valid", "test"}, ae.Field) {
				t.Fatalf("ParseSegments error %v", err)
			}
			return
		}
		if err := segs.Validate(); err != nil {
			t.Fatalf("accepted segments do not validate: %v", err)
		}
		for _, r := range []DateRange{segs.Train, segs.Valid, segs.Test} {
			checkRange(t, r)
		}
		if !segs.Train.End.Before(segs.Valid.Start) || !segs.Valid.End.Before(segs.Test.Start) {
			t.Fatalf("segments overlap: %+v", segs)
		}
	})
}

func checkRange(t *testing.T, r DateRange) {
	t.Helper()
	for _, d := range []time.Time{r.Start, r.End} {
		if d.Location() != time.UTC || d.Hour()|d.Minute()|d.Second()|d.Nanosecond() != 0 {
			t.Fatalf("%v is not a midnight-UTC day", d)
		}
	}
	if r.End.Before(r.Start) {
		t.Fatalf("range %s ends before it starts", r)
	}
}
