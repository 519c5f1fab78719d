package store_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// yalGolden are Alpha158 values of YAL around its 2018 halt, derived by hand
// from the shipped bars and Qlib's operator definitions. YAL's last bar before
// the halt is 2018-09-27 (close 0.125); the market traded on 09-28 and
// 10-01..10-08 without it; it resumed on 10-09 (high 4.25, close 4.25), then
// 10-10 (4.30, 4.30), 10-11 (4.30, 4.28), 10-12, 10-15 (close 4.20), 10-16
// (close 4.20). Real Qlib gives MA5 = 1.0 on 10-09 (issue 11); evaluating on
// YAL's own rows gave 0.2235.
var yalGolden = []struct {
	date, feature string
	want          float64
	why           string
}{
	{"2018-10-09", "MA5", 1, "the 5-slot window holds 10-03..10-08 (halted) and 10-09"},
	{"2018-10-09", "ROC5", nan, "five slots back is 10-02, a halt"},
	{"2018-10-09", "STD5", nan, "one value"},
	{"2018-10-09", "CNTP5", 0, "4.25 > NaN is False"},
	{"2018-10-10", "MA5", (4.25 + 4.30) / 2 / 4.30, ""},
	{"2018-10-10", "STD5", math.Sqrt(0.00125) / 4.30, "sample std of 4.25, 4.30"},
	{"2018-10-10", "BETA5", 0.05 / 4.30, "slope through slots 4 and 5"},
	{"2018-10-10", "RSQR5", 1, "two points"},
	{"2018-10-10", "CNTP5", 0.2, "[0, 0, 0, 0, 1]"},
	{"2018-10-10", "IMAX5", 0.2, "argmax of [NaN, NaN, NaN, 4.25, 4.30] is the first NaN"},
	{"2018-10-16", "ROC5", 4.25 / 4.20, "five slots back is 10-09"},
}

// gdgGolden are values of GDG, a thinly traded code (285 of its 2,063
// calendar days have no bar): in January 2019 it traded on 01-04 (close
// 0.655), 01-07 (high 0.71, close 0.71), 01-09 (0.73, 0.73) and 01-11 (high
// 0.825, close 0.80), not on 01-08 and 01-10, which the market traded.
var gdgGolden = []struct {
	date, feature string
	want          float64
	why           string
}{
	{"2019-01-11", "MA5", (0.71 + 0.73 + 0.80) / 3 / 0.80, "slots 01-07..01-11 hold three values"},
	{"2019-01-11", "ROC5", 0.655 / 0.80, "five slots back is 01-04"},
	{"2019-01-11", "STD5", math.Sqrt(0.0044666666666666665/2) / 0.80, "sample std of 0.71, 0.73, 0.80"},
	{"2019-01-11", "MAX5", 0.825 / 0.80, ""},
	{"2019-01-11", "CNTP5", 0.2, "only 01-07 > 01-04; every comparison with a halted slot is False"},
}

func TestGDGMatchesQlib(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	mustRefresh(t, s, "GDG")
	panel, err := s.Panel(t.Context(), testenv.Date(t, "2019-01-01"), testenv.Date(t, "2019-01-31"))
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, n := range alpha158.Names() {
		col[n] = k
	}
	row := map[string]int{}
	for i := range panel.Len() {
		row[panel.Date(i).Format(time.DateOnly)] = i
	}
	for _, g := range gdgGolden {
		i, ok := row[g.date]
		if !ok {
			t.Fatalf("no row on %s", g.date)
		}
		got, want := panel.X(i)[col[g.feature]], g.want
		if math.Abs(got-want) > 2e-7*math.Abs(want) { // stored as float32
			t.Errorf("%s %s = %v, want %v (%s)", g.date, g.feature, got, want, g.why)
		}
	}
}

func TestHaltedCodeMatchesQlib(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	mustRefresh(t, s, "YAL")
	panel, err := s.Panel(t.Context(), testenv.Date(t, "2018-09-20"), testenv.Date(t, "2018-10-20"))
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, n := range alpha158.Names() {
		col[n] = k
	}
	row := map[string]int{}
	for i := range panel.Len() {
		row[panel.Date(i).Format(time.DateOnly)] = i
	}
	for _, d := range []string{"2018-09-28", "2018-10-01", "2018-10-08"} {
		if _, ok := row[d]; ok {
			t.Errorf("%s: a row for a day YAL did not trade", d)
		}
	}
	for _, g := range yalGolden {
		i, ok := row[g.date]
		if !ok {
			t.Fatalf("no row on %s", g.date)
		}
		got, want := float32(panel.X(i)[col[g.feature]]), float32(g.want) // stored as float32, like Qlib's .bin
		if !(got == want || got != got && want != want) {
			t.Errorf("%s %s = %v, want %v (%s)", g.date, g.feature, got, want, g.why)
		}
	}

	// LABEL0 reads the next two trading days of the market: NaN where YAL
	// did not trade on them, and Qlib's DropnaLabel drops those rows.
	labels := []struct {
		date string
		want float64
	}{
		{"2018-09-26", nan}, {"2018-09-27", nan}, {"2018-10-09", 4.28/4.30 - 1}, {"2018-09-25", 0.125/0.125 - 1},
	}
	for _, l := range labels {
		if got := panel.Label(row[l.date]); !(math.Abs(got-l.want) < 1e-15 || math.IsNaN(got) && math.IsNaN(l.want)) {
			t.Errorf("LABEL0 on %s = %v, want %v", l.date, got, l.want)
		}
	}
	// Scoring reads a day's stored rows: a halted instrument is not scored.
	for _, d := range []struct {
		date string
		want bool
	}{{"2018-10-01", false}, {"2018-10-09", true}} {
		codes, _, err := s.Day(t.Context(), testenv.Date(t, d.date))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(codes, "YAL"); got != d.want {
			t.Errorf("Day(%s) holds YAL: %v, want %v", d.date, got, d.want)
		}
	}

	kept := dataset.DropMissingLabel(panel)
	var days []string
	for i := range kept.Len() {
		days = append(days, kept.Date(i).Format(time.DateOnly))
	}
	if slices.Contains(days, "2018-09-27") || !slices.Contains(days, "2018-10-09") {
		t.Errorf("rows kept for training %v: want 2018-09-27 dropped (no label) and 2018-10-09 kept", days)
	}
}
