package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestLabelsLeaveOutSimulatedBars: with simulated days filled after the
// real history, LABEL0 — what model evidence (IC, Rank IC, quintiles,
// training windows) is measured against — is unknown on every simulated day
// and on the real days whose horizon reaches one, and unchanged elsewhere.
// Features are still computed on simulated days, so signals can be scored.
func TestLabelsLeaveOutSimulatedBars(t *testing.T) {
	pool := testdb.New(t)
	ctx := t.Context()
	s := store.New(pool)
	from := testenv.Date(t, "2026-05-01")
	lastReal := testenv.Date(t, "2026-06-04")
	codes := []string{"BHP", "CBA"}

	before, err := s.Labels(ctx, codes, from)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feed.FillSimulated(ctx, pool, asx.DefaultCalendar(), 1, testenv.Date(t, "2026-07-31")); err != nil {
		t.Fatal(err)
	}
	after, err := s.Labels(ctx, codes, from)
	if err != nil {
		t.Fatal(err)
	}
	// The label of the day before the last real one reads two days ahead:
	// one real and one simulated close. Without the rule it would be known now.
	dayBefore := testenv.Date(t, "2026-06-03")
	for _, code := range codes {
		for d, v := range before[code] {
			switch {
			case !d.Before(dayBefore):
				if !math.IsNaN(after.At(code, d)) {
					t.Errorf("%s %s: label %v, want unknown (its horizon holds a simulated bar)", code, d.Format(time.DateOnly), after.At(code, d))
				}
			case !sameFloat(v, after.At(code, d)):
				t.Errorf("%s %s: label %v, was %v before the fill", code, d.Format(time.DateOnly), after.At(code, d), v)
			}
		}
		var simDays int
		for d, v := range after[code] {
			if d.After(lastReal) {
				simDays++
				if !math.IsNaN(v) {
					t.Errorf("%s %s (simulated): label %v, want unknown", code, d.Format(time.DateOnly), v)
				}
			}
		}
		if simDays < 30 {
			t.Errorf("%s: %d simulated days read, want the fill's", code, simDays)
		}
	}

	// The stored panel (the training and test windows) agrees, and holds
	// feature rows on simulated days (for scoring) with unknown labels.
	mustRefresh(t, s, codes...)
	panel, err := s.Panel(ctx, from, testenv.Date(t, "2026-07-31"))
	if err != nil {
		t.Fatal(err)
	}
	var simRows, known int
	for i := range panel.Len() {
		d := panel.Date(i)
		if d.After(lastReal) {
			simRows++
		}
		if !math.IsNaN(panel.Label(i)) {
			known++
			if !d.Before(dayBefore) {
				t.Errorf("panel %s %s: label %v, want unknown", panel.Code(i), d.Format(time.DateOnly), panel.Label(i))
			}
		}
	}
	if simRows == 0 || known == 0 {
		t.Errorf("panel: %d rows on simulated days, %d with known labels; want both", simRows, known)
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
