package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// The shipped prices are raw: REH's 5:1 split (ex 2017-12-18, first shipped
// row after it 2017-12-29) and PDN's 1-for-10 consolidation (ex 2024-04-11,
// first row 2024-04-22) are jumps in raw daily returns. Everything quant
// reads — expressions over Series, the stored features, LABEL0 — must see
// adjusted prices, in which the jumps are gone.
func TestAdjustedReturnsLoseSplitJumps(t *testing.T) {
	pool := testdb.New(t)
	ret, err := expr.Parse("$close/Ref($close, 1) - 1")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := expr.Compile(ret)
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(pool)
	for _, tc := range []struct {
		code, firstAfter, lastBefore string
		rawLo, rawHi                 float64
	}{
		{"REH", "2017-12-29", "2017-12-15", -0.85, -0.75},
		{"PDN", "2024-04-22", "2024-04-10", 7, 9},
	} {
		t.Run(tc.code, func(t *testing.T) {
			bars := mustBars(t, pool, tc.code)
			raw := make([]store.Bar, len(bars))
			for i, b := range bars {
				b.Factor = 1
				raw[i] = b
			}
			adj, err := prog.Eval(store.Series(bars))
			if err != nil {
				t.Fatal(err)
			}
			unadj, err := prog.Eval(store.Series(raw))
			if err != nil {
				t.Fatal(err)
			}
			at := -1
			for i, b := range bars {
				if b.Date.Equal(testenv.Date(t, tc.firstAfter)) {
					at = i
				}
			}
			if at < 1 || !bars[at-1].Date.Equal(testenv.Date(t, tc.lastBefore)) {
				t.Fatalf("%s: no bar %s right after %s", tc.code, tc.firstAfter, tc.lastBefore)
			}
			if r := unadj[0][at]; r < tc.rawLo || r > tc.rawHi {
				t.Errorf("raw return on %s = %.3f, want the jump in [%v, %v]", tc.firstAfter, r, tc.rawLo, tc.rawHi)
			}
			if r := adj[0][at]; math.Abs(r) > 0.1 {
				t.Errorf("adjusted return on %s = %.3f, want |r| < 0.1", tc.firstAfter, r)
			}
			// No adjusted daily move in the 40 bars around the event is
			// split-sized (PDN has a real ×4 move across its 2017–18
			// suspension, so the whole history is not checked).
			worst := 0.0
			for _, r := range adj[0][at-20 : at+20] {
				if !math.IsNaN(r) {
					worst = max(worst, math.Abs(math.Log1p(r)))
				}
			}
			if worst > math.Log(1.5) {
				t.Errorf("largest adjusted daily move around the event |log r| = %.3f, want below log 1.5", worst)
			}

			// LABEL0 is Ref($close,-2)/Ref($close,-1)-1. On the market
			// calendar the labels that reach into the days the code did not
			// trade are NaN, as in Qlib; every label Labels does give around
			// the event is split-free, and so is the label over the three
			// bars around it on adjusted closes.
			labels, err := s.Labels(t.Context(), []string{tc.code}, bars[at-5].Date)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bars[at-5 : at+5] {
				if l := labels.At(tc.code, b.Date); !math.IsNaN(l) && math.Abs(l) > 0.1 {
					t.Errorf("LABEL0 on %s = %.3f, want an adjusted return with |r| < 0.1", b.Date.Format(time.DateOnly), l)
				}
			}
			adjLabel, err := s.Label([]float64{bars[at-2].Adjusted().Close, bars[at-1].Adjusted().Close, bars[at].Adjusted().Close})
			if err != nil {
				t.Fatal(err)
			}
			if r := adjLabel[0]; math.IsNaN(r) || math.Abs(r) > 0.1 {
				t.Errorf("LABEL0 on adjusted closes = %.3f, want |r| < 0.1", r)
			}
			rawLabel, err := s.Label([]float64{raw[at-2].Close, raw[at-1].Close, raw[at].Close})
			if err != nil {
				t.Fatal(err)
			}
			if r := rawLabel[0]; r < tc.rawLo || r > tc.rawHi {
				t.Errorf("LABEL0 on raw closes = %.3f, want the jump", r)
			}
		})
	}

	t.Run("Factor", func(t *testing.T) {
		fp, err := expr.Parse("$factor")
		if err != nil {
			t.Fatal(err)
		}
		p, err := expr.Compile(fp)
		if err != nil {
			t.Fatal(err)
		}
		bars := mustBars(t, pool, "REH")
		out, err := p.Eval(store.Series(bars))
		if err != nil {
			t.Fatal(err)
		}
		if out[0][0] != 0.2 || out[0][len(bars)-1] != 1 {
			t.Errorf("$factor of REH = %v first, %v last; want 0.2 and 1", out[0][0], out[0][len(bars)-1])
		}
	})
}

// An added or corrected action changes the factors of the bars before it,
// which makes the stored features of that code stale: Refresh rewrites them
// from the code's first changed bar, and only that code.
func TestRefreshAfterCorporateAction(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	mustRefresh(t, s, "CBA", "BHP")
	if again := mustRefresh(t, s, "CBA", "BHP"); again.Updated != 0 {
		t.Fatalf("a second refresh updated %d instruments", again.Updated)
	}
	ex := testenv.Date(t, "2020-06-01")
	f := 0.5
	if _, err := corpaction.NewService(pool).Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CBA", ExDate: &ex, Kind: corpaction.KindSplit, Factor: &f}}); err != nil {
		t.Fatal(err)
	}
	res := mustRefresh(t, s, "CBA", "BHP")
	if res.Updated != 1 || res.Written < 1000 {
		t.Errorf("refresh after a CBA split = %+v, want CBA's history rewritten and BHP left alone", res)
	}
	var stale int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM features WHERE code = 'CBA' AND date < '2020-06-01' AND src_factor <> 0.5`).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d CBA rows before the split were not recomputed with factor 0.5 (err %v)", stale, err)
	}
	checkAgainstFull(t, pool, []string{"CBA"})
}
