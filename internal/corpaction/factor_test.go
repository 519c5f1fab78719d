package corpaction_test

import (
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// closeAround returns code's last raw close and factor before day and its
// first raw close and factor on or after it.
func closeAround(t *testing.T, pool *pgxpool.Pool, code, day string) (before, after, fBefore, fAfter float64) {
	t.Helper()
	err := pool.QueryRow(t.Context(), `
		SELECT (SELECT close FROM daily_bars WHERE code = $1 AND date < $2::date ORDER BY date DESC LIMIT 1),
		       (SELECT close FROM daily_bars WHERE code = $1 AND date >= $2::date ORDER BY date LIMIT 1),
		       (SELECT factor FROM daily_bars WHERE code = $1 AND date < $2::date ORDER BY date DESC LIMIT 1),
		       (SELECT factor FROM daily_bars WHERE code = $1 AND date >= $2::date ORDER BY date LIMIT 1)`,
		code, day).Scan(&before, &after, &fBefore, &fAfter)
	if err != nil {
		t.Fatal(err)
	}
	return before, after, fBefore, fAfter
}

func TestSeededFactors(t *testing.T) {
	pool := testdb.New(t)
	for _, tc := range []struct {
		code, exDate string
		factor       float64
		// rawFrom, rawTo bound the raw close-to-close return across the
		// event, which the shipped prices show as a jump.
		rawFrom, rawTo float64
	}{
		{"REH", "2017-12-18", 0.2, -0.85, -0.75}, // 47.77 -> ~9.5
		{"PDN", "2024-04-11", 10, 7, 9},          // 1.53 -> ~14
	} {
		t.Run(tc.code, func(t *testing.T) {
			before, after, fb, fa := closeAround(t, pool, tc.code, tc.exDate)
			if fb != tc.factor || fa != 1 {
				t.Errorf("factor before %s = %v, on/after = %v; want %v and 1", tc.exDate, fb, fa, tc.factor)
			}
			raw := after/before - 1
			adj := after/(before*fb) - 1
			if raw < tc.rawFrom || raw > tc.rawTo {
				t.Errorf("raw return across %s = %.3f, want the jump in [%v, %v]", tc.exDate, raw, tc.rawFrom, tc.rawTo)
			}
			if math.Abs(adj) > 0.1 {
				t.Errorf("adjusted return across %s = %.3f, want |r| < 0.1", tc.exDate, adj)
			}
		})
	}

	t.Run("LatestFactorIsOne", func(t *testing.T) {
		var n int
		err := pool.QueryRow(t.Context(), `
			SELECT count(*) FROM daily_bars d
			WHERE d.date = (SELECT max(x.date) FROM daily_bars x WHERE x.code = d.code) AND d.factor <> 1`).Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("%d instruments have a latest factor other than 1 (err %v)", n, err)
		}
	})

	t.Run("BHPTwoDemergers", func(t *testing.T) {
		var f float64
		if err := pool.QueryRow(t.Context(), `SELECT factor FROM daily_bars WHERE code = 'BHP' AND date = '2015-01-02'`).Scan(&f); err != nil {
			t.Fatal(err)
		}
		if want := 0.936296 * 0.890815; math.Abs(f-want) > 1e-12 {
			t.Errorf("BHP 2015-01-02 factor = %v, want %v (S32 2015 × WDS 2022)", f, want)
		}
	})

	t.Run("UnknownFactorAdjustsNothing", func(t *testing.T) {
		// QAN 2015-11-09 is listed with a blank factor.
		var n int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM daily_bars WHERE code = 'QAN' AND factor <> 1`).Scan(&n); err != nil || n != 0 {
			t.Errorf("QAN has %d adjusted bars (err %v), want 0", n, err)
		}
	})
}

func TestSaveRecomputes(t *testing.T) {
	pool := testdb.New(t)
	svc := corpaction.NewService(pool)
	ex := testenv.Date(t, "2020-06-01")
	f := 0.5
	res, err := svc.Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CBA", ExDate: &ex, Kind: corpaction.KindSplit, Ratio: "2:1", Factor: &f}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 1 || len(res.Codes) != 1 || res.Codes[0] != "CBA" || res.Bars < 1000 || !res.Earliest.Equal(ex) {
		t.Fatalf("save = %+v, want 1 change to CBA and its bars before 2020-06-01 adjusted", res)
	}
	var before, after float64
	if err := pool.QueryRow(t.Context(), `SELECT
		(SELECT factor FROM daily_bars WHERE code = 'CBA' AND date = '2020-05-29'),
		(SELECT factor FROM daily_bars WHERE code = 'CBA' AND date = '2020-06-01')`).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	if before != 0.5 || after != 1 {
		t.Errorf("CBA factors %v / %v, want 0.5 / 1", before, after)
	}

	again, err := svc.Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CBA", ExDate: &ex, Kind: corpaction.KindSplit, Ratio: "2:1", Factor: &f}})
	if err != nil || again.Changed != 0 || again.Bars != 0 {
		t.Errorf("same action again = %+v, %v; want no change", again, err)
	}

	// A correction (the factor was wrong) replaces the factor.
	g := 0.25
	if _, err := svc.Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CBA", ExDate: &ex, Kind: corpaction.KindSplit, Ratio: "4:1", Factor: &g}}); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(t.Context(), `SELECT factor FROM daily_bars WHERE code = 'CBA' AND date = '2015-01-02'`).Scan(&before); err != nil || before != 0.25 {
		t.Errorf("after correction CBA 2015 factor = %v (err %v), want 0.25", before, err)
	}

	// An event after the latest bar does not apply yet: the latest bar stays real.
	late := time.Date(2099, 1, 2, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "BHP", ExDate: &late, Kind: corpaction.KindSplit, Factor: &f}}); err != nil {
		t.Fatal(err)
	}
	var latest float64
	if err := pool.QueryRow(t.Context(), `SELECT factor FROM daily_bars WHERE code = 'BHP' ORDER BY date DESC LIMIT 1`).Scan(&latest); err != nil || latest != 1 {
		t.Errorf("BHP latest factor = %v (err %v), want 1", latest, err)
	}

	_, err = svc.Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "NOPE", ExDate: &ex, Kind: corpaction.KindSplit, Factor: &f}})
	if err == nil {
		t.Error("an unknown code was saved")
	}
}
