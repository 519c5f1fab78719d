package runs_test

import (
	"math"
	"testing"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestBacktestInputsAreAdjusted: a backtest reads adjusted prices, so PDN's
// 1-for-10 consolidation (ex 2024-04-11; raw closes jump about ×8 across
// the gap to 2024-04-22) is no fake return; and it reads dividends per
// adjusted share without the distribution a demerger's factor already
// carries (BHP's in-specie Woodside shares of 2022-05-25), while an
// ordinary dividend (CBA's $2.15 interim, ex 2024-02-21, factor 1) stays.
func TestBacktestInputsAreAdjusted(t *testing.T) {
	pool := testdb.QuietDB(t)
	q := db.New(pool)
	bars, err := q.ListBacktestBars(t.Context(), db.ListBacktestBarsParams{Codes: []string{"PDN"},
		FromDate: testenv.Day(2024, 4, 1), ToDate: testenv.Day(2024, 4, 30)})
	if err != nil {
		t.Fatal(err)
	}
	var before, after float64
	for _, b := range bars {
		switch {
		case b.Date.Equal(testenv.Day(2024, 4, 10)):
			before = b.Close
		case b.Date.Equal(testenv.Day(2024, 4, 22)):
			after = b.Open
		}
	}
	if before == 0 || after == 0 {
		t.Fatalf("PDN bars around the consolidation: %d rows, close 10 Apr %v, open 22 Apr %v", len(bars), before, after)
	}
	if r := after/before - 1; math.Abs(r) > 0.15 {
		t.Errorf("PDN overnight move across the consolidation = %.3f on backtest prices, want it adjusted away", r)
	}

	divs, err := q.ListBacktestDividends(t.Context(), db.ListBacktestDividendsParams{Codes: []string{"BHP", "CBA"},
		FromDate: testenv.Day(2022, 5, 1), ToDate: testenv.Day(2024, 3, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var cba bool
	for _, d := range divs {
		if d.Code == "BHP" && d.ExDate.Equal(testenv.Day(2022, 5, 25)) {
			t.Errorf("BHP's in-specie distribution (%s) is read as a dividend though the demerger factor carries it", d.Amount)
		}
		if d.Code == "CBA" && d.ExDate.Equal(testenv.Day(2024, 2, 21)) {
			cba = d.Amount.Equal(testenv.Decimal(t, "2.15"))
		}
	}
	if !cba {
		t.Errorf("CBA's $2.15 interim of 2024-02-21 missing or changed: %+v", divs)
	}
}
