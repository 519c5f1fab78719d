package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

var testCodes = []string{"BHP", "CBA", "CSL"}

// mustBars loads every bar of code.
func mustBars(t *testing.T, pool *pgxpool.Pool, code string) []store.Bar {
	t.Helper()
	rows, err := db.New(pool).ListFactorBars(t.Context(), db.ListFactorBarsParams{Code: code, ToDate: testenv.Date(t, "9999-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	bars := make([]store.Bar, len(rows))
	for i, r := range rows {
		bars[i] = store.Bar{Date: r.Date, Open: r.Open, High: r.High, Low: r.Low, Close: r.Close, Volume: r.Volume, Factor: r.Factor}
	}
	return bars
}

// mustRefresh runs Refresh and fails the test on error.
func mustRefresh(t *testing.T, s *store.Store, codes ...string) store.Result {
	t.Helper()
	res, err := s.Refresh(t.Context(), codes)
	if err != nil {
		t.Fatalf("Refresh(%v): %v", codes, err)
	}
	return res
}

// mustExec runs one statement that prepares test data.
func mustExec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	tag, err := pool.Exec(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag.RowsAffected()
}

// checkAgainstFull compares every stored row of codes, read back through
// Panel, with the features computed from scratch over the instrument's whole
// history laid on the market calendar, and Panel's labels with LABEL0 over
// the same history.
func checkAgainstFull(t *testing.T, pool *pgxpool.Pool, codes []string) {
	t.Helper()
	panel, err := store.New(pool).Panel(t.Context(), testenv.Date(t, "0001-01-01"), testenv.Date(t, "9999-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string][]int{} // rows of each code, in date order
	for i := range panel.Len() {
		stored[panel.Code(i)] = append(stored[panel.Code(i)], i)
	}
	cal, err := store.Calendar(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	var exact, close_, total int
	var worst float64
	for _, code := range codes {
		bars := mustBars(t, pool, code)
		a := store.Align(cal, bars)
		slots, slotLabel, err := alpha158.Compute(a.Series)
		if err != nil {
			t.Fatal(err)
		}
		// The values on the instrument's own days, in bar order.
		want := make([][]float64, len(slots))
		for k := range slots {
			want[k] = make([]float64, len(bars))
			for i, p := range a.Pos {
				want[k][i] = slots[k][p]
			}
		}
		label := make([]float64, len(bars))
		for i, p := range a.Pos {
			label[i] = slotLabel[p]
		}
		rows := stored[code]
		if len(rows) != len(bars) {
			t.Fatalf("%s: %d stored rows, %d bars", code, len(rows), len(bars))
		}
		for i, r := range rows {
			if d := panel.Date(r); !d.Equal(bars[i].Date) {
				t.Fatalf("%s row %d: date %s, bar date %s", code, i, d, bars[i].Date)
			}
			if got := panel.Label(r); !(got == label[i] || math.IsNaN(got) && math.IsNaN(label[i])) {
				t.Errorf("%s %s: label %v, want %v", code, bars[i].Date.Format(time.DateOnly), got, label[i])
			}
			for k, v := range panel.X(r) {
				got, w := float32(v), float32(want[k][i])
				total++
				switch {
				case got == w || (got != got && w != w):
					exact++
				default:
					d := math.Abs(float64(got)-float64(w)) / math.Max(1, math.Abs(float64(w)))
					worst = max(worst, d)
					if d > 1e-6 || math.IsNaN(d) {
						t.Errorf("%s %s %s: stored %v, full recompute %v", code, bars[i].Date.Format(time.DateOnly),
							alpha158.Names()[k], got, w)
					} else {
						close_++
					}
				}
			}
		}
	}
	t.Logf("%d values: %d identical, %d within float32 rounding (worst relative difference %.2g)", total, exact, close_, worst)
}

func TestRefreshIncrementalEqualsFull(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	ctx := t.Context()

	// Hold back the last days, store the rest, then let the days arrive.
	cut := testenv.Date(t, "2026-05-28")
	held := map[string][]store.Bar{}
	for _, code := range testCodes {
		for _, b := range mustBars(t, pool, code) {
			if b.Date.After(cut) {
				held[code] = append(held[code], b)
			}
		}
	}
	mustExec(t, pool, `DELETE FROM daily_bars WHERE code = ANY($1) AND date > $2`, testCodes, cut)

	first := mustRefresh(t, s, testCodes...)
	if first.Updated != len(testCodes) || first.Written < 3*2500 {
		t.Fatalf("initial refresh = %+v, want every instrument written", first)
	}
	if again := mustRefresh(t, s, testCodes...); again.Updated != 0 || again.Written != 0 {
		t.Errorf("refresh with nothing new = %+v, want no work", again)
	}
	for i := range held["BHP"] {
		for _, code := range testCodes {
			b := held[code][i]
			mustExec(t, pool, `INSERT INTO daily_bars (code, date, open, high, low, close, volume)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, code, b.Date, b.Open, b.High, b.Low, b.Close, b.Volume)
		}
		res := mustRefresh(t, s, testCodes...)
		if res.Updated != len(testCodes) || res.Written != int64(len(testCodes)) || res.Deleted != 0 {
			t.Fatalf("refresh after day %d = %+v, want one row written per instrument", i+1, res)
		}
	}
	checkAgainstFull(t, pool, testCodes)

	t.Run("CorrectedBar", func(t *testing.T) {
		n := mustExec(t, pool, `UPDATE daily_bars SET close = close * 1.01, high = high * 1.01 WHERE code = 'CBA' AND date = '2019-03-01'`)
		if n != 1 {
			t.Fatalf("updated %d bars", n)
		}
		res := mustRefresh(t, s, testCodes...)
		if res.Updated != 1 || res.Written != res.Deleted || res.Written < 1500 {
			t.Errorf("refresh after a correction = %+v, want CBA rewritten from 2019-03-01", res)
		}
		checkAgainstFull(t, pool, testCodes)
	})
	t.Run("DeletedAndBackfilledBar", func(t *testing.T) {
		mustExec(t, pool, `DELETE FROM daily_bars WHERE code = 'CSL' AND date = '2024-02-01'`)
		res := mustRefresh(t, s, testCodes...)
		if res.Updated != 1 || res.Deleted != res.Written+1 {
			t.Errorf("refresh after a deleted bar = %+v, want CSL rewritten with one row fewer", res)
		}
		checkAgainstFull(t, pool, testCodes)
	})
	t.Run("CalendarDayInserted", func(t *testing.T) {
		// A bar of another equity on a day no equity had one (the shipped
		// data has none 2026-03-10..30) adds a slot to every instrument's
		// calendar: BHP, CBA and CSL did not trade that day in this data,
		// so their windows after it change though their bars did not.
		mustExec(t, pool, `INSERT INTO daily_bars (code, date, open, high, low, close, volume)
			VALUES ('ANZ', '2026-03-16', 30, 31, 29, 30.5, 1000)`)
		res := mustRefresh(t, s, testCodes...)
		if res.Updated != len(testCodes) || res.Written < 3*40 {
			t.Errorf("refresh after a calendar day was added = %+v, want the three rewritten from 2026-03-16", res)
		}
		checkAgainstFull(t, pool, testCodes)
		if again := mustRefresh(t, s, testCodes...); again.Updated != 0 {
			t.Errorf("refresh with nothing new = %+v, want no work", again)
		}
	})
	t.Run("RefusedCodes", func(t *testing.T) {
		tests := []struct {
			codes    []string
			wantCode apperr.Code
			wantMsg  string
		}{
			{[]string{"BHP", "NOPE"}, apperr.NotFound, "unknown instrument NOPE"},
			{[]string{"BHP", "xjo"}, apperr.Invalid, "XJO: the feature store holds equities, not indices"},
		}
		for _, tt := range tests {
			_, err := s.Refresh(ctx, tt.codes)
			if apperr.CodeOf(err) != tt.wantCode || apperr.MessageOf(err) != tt.wantMsg {
				t.Errorf("Refresh(%v) error = %v, want %s %q", tt.codes, err, tt.wantCode, tt.wantMsg)
			}
		}
	})
}
