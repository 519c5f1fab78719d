package pipeline_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// After an admin adds a split, Readjust rewrites the code's features and
// rescores the signal days around it: the scores of that code on days whose
// feature windows span the ex-date change, and days long before stay as they
// were.
func TestReadjustAfterSplit(t *testing.T) {
	f := mustSetup(t)
	mustTrain(t, f, pipeline.TrainSpec{Kind: "ridge", Activate: true})
	days := []time.Time{testenv.Date(t, "2019-06-03"), testenv.Date(t, "2022-03-01"), testenv.Date(t, "2022-03-15")}
	if _, err := f.p.ScoreDays(t.Context(), days); err != nil {
		t.Fatal(err)
	}
	score := func(day string) float64 {
		t.Helper()
		var s float64
		if err := f.pool.QueryRow(t.Context(), `SELECT s.score FROM signals s JOIN model_versions m ON m.id = s.model_version_id
			WHERE m.active AND s.code = 'CSL' AND s.date = $1`, day).Scan(&s); err != nil {
			t.Fatalf("CSL score on %s: %v", day, err)
		}
		return s
	}
	early, before := score("2019-06-03"), score("2022-03-15")

	// A fictitious 3:1 CSL split on 2022-03-08. CSL's raw prices have no
	// jump there, so the adjustment makes one in every window spanning the
	// ex-date: a changed score on such a day shows that the features and
	// the signals were recomputed from adjusted prices.
	ex := testenv.Date(t, "2022-03-08")
	fac := 1.0 / 3
	res, err := corpaction.NewService(f.pool).Save(t.Context(), 0, auth.Meta{}, []corpaction.Action{{Code: "CSL", ExDate: &ex, Kind: corpaction.KindSplit, Factor: &fac}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.p.Readjust(t.Context(), res.Codes, res.Earliest)
	if err != nil {
		t.Fatal(err)
	}
	if out.Features.Updated != 1 || out.Features.Written < 1000 {
		t.Errorf("features: %+v, want CSL's history rewritten", out.Features)
	}
	if out.DaysScored != 2 || !out.From.Equal(testenv.Date(t, "2021-11-28")) {
		t.Errorf("rescored %d days from %s, want the 2 days from 100 days before the ex-date", out.DaysScored, out.From.Format(time.DateOnly))
	}
	// Features are ratios within windows: a uniform scale of the whole
	// earlier history changes them (and the score) only in windows that
	// span the ex-date. 2022-03-15 is 5 trading days after it.
	if after := score("2022-03-15"); after == before {
		t.Errorf("CSL score on 2022-03-15 unchanged (%v) although its feature windows span the adjusted split", after)
	}
	if e := score("2019-06-03"); math.Abs(e-early) > 1e-9*math.Max(1, math.Abs(early)) {
		t.Errorf("CSL score on 2019-06-03 = %v, was %v: not rescored, it should not change", e, early)
	}
}
