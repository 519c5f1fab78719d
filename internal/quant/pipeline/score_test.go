package pipeline_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestScore(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	ctx := t.Context()
	ridge := mustTrain(t, f, pipeline.TrainSpec{Kind: "ridge", Activate: true})
	xgb := mustTrain(t, f, pipeline.TrainSpec{Kind: "xgboost", Activate: true,
		Params: json.RawMessage(`{"num_boost_round": 20, "max_depth": 3, "nthread": 1}`)})
	mustTrain(t, f, pipeline.TrainSpec{Name: "ridge-candidate", Kind: "ridge"}) // inactive: never scores

	dates, err := f.p.Store().Dates(ctx, testenv.Date(t, "2026-06-04"), 30)
	if err != nil || len(dates) != 30 {
		t.Fatalf("Dates = %d (%v), want 30", len(dates), err)
	}
	results, err := f.p.ScoreDays(ctx, dates[:29])
	if err != nil {
		t.Fatal(err)
	}
	last := dates[29]
	res, err := f.p.Score(ctx, time.Time{}) // the latest day with features
	if err != nil {
		t.Fatal(err)
	}
	if !res.Date.Equal(last) || res.Instruments != len(universe) || len(res.Models) != 2 {
		t.Fatalf("Score = %+v, want %s with %d instruments and 2 models", res, last, len(universe))
	}
	for _, ms := range res.Models {
		if ms.Scored != len(universe) || math.IsNaN(ms.RollingRankIC) {
			t.Errorf("%s scored %d, rolling Rank IC %v; want %d and a value", ms.Name, ms.Scored, ms.RollingRankIC, len(universe))
		}
		if got := metricValue(t, f.metrics.ModelAccuracy.WithLabelValues(ms.Name)); got != ms.RollingRankIC {
			t.Errorf("ml_model_accuracy{%s} = %v, want %v", ms.Name, got, ms.RollingRankIC)
		}
	}
	if got, want := metricValue(t, f.metrics.SignalsTotal.WithLabelValues("ridge")), float64(30*len(universe)); got != want {
		t.Errorf("trading_signals_total{ridge} = %v, want %v", got, want)
	}
	if len(results) != 29 {
		t.Errorf("ScoreDays returned %d days, want 29", len(results))
	}

	t.Run("RanksAndPercentiles", func(t *testing.T) {
		for _, v := range []pipeline.ModelVersion{ridge, xgb} {
			rows, err := db.New(f.pool).ListSignalScores(ctx, db.ListSignalScoresParams{ModelVersionID: v.ID, FromDate: last, ToDate: last})
			if err != nil || len(rows) != len(universe) {
				t.Fatalf("%s: %d signals (%v)", v.Name, len(rows), err)
			}
			r, err := f.p.Ranking(ctx, pipeline.RankingQuery{Model: v.Name})
			if err != nil {
				t.Fatal(err)
			}
			n := len(universe)
			for i, s := range r.Rows {
				wantPct := float64(n-i) / float64(n)
				if s.Rank != i+1 || s.Percentile != wantPct || s.Percentile <= 0 || s.Percentile > 1 {
					t.Errorf("%s row %d: rank %d percentile %v, want %d and %v", v.Name, i, s.Rank, s.Percentile, i+1, wantPct)
				}
				if i > 0 && s.Score > r.Rows[i-1].Score {
					t.Errorf("%s: rank %d scores above rank %d", v.Name, s.Rank, i)
				}
				if s.PrevRank == 0 || s.Change != s.PrevRank-s.Rank || s.Sector == "" {
					t.Errorf("%s row %+v: want the previous rank, its change and the sector", v.Name, s)
				}
			}
			if !r.Date.Equal(last) || !r.PrevDate.Equal(dates[28]) {
				t.Errorf("ranking dates %s / %s, want %s / %s", r.Date, r.PrevDate, last, dates[28])
			}
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		if _, err := f.p.Score(ctx, last); err != nil {
			t.Fatal(err)
		}
		if got := mustCount(t, f.pool, `SELECT count(*) FROM signals WHERE date = $1`, last); got != 2*len(universe) {
			t.Errorf("%d signals on %s after scoring twice, want %d", got, last, 2*len(universe))
		}
	})
	t.Run("TopAndSector", func(t *testing.T) {
		r, err := f.p.Ranking(ctx, pipeline.RankingQuery{Model: "ridge", Top: 3})
		if err != nil || len(r.Rows) != 3 {
			t.Errorf("top 3 = %d rows (%v)", len(r.Rows), err)
		}
		r, err = f.p.Ranking(ctx, pipeline.RankingQuery{Model: "ridge", Sector: "Materials"})
		if err != nil || len(r.Rows) != 3 { // BHP, FMG, RIO
			t.Errorf("Materials = %+v (%v), want BHP, FMG and RIO", r.Rows, err)
		}
	})
	t.Run("LatestSignal", func(t *testing.T) {
		s, err := f.p.LatestSignal(ctx, "bhp", "XGBoost")
		if err != nil {
			t.Fatal(err)
		}
		if s.Code != "BHP" || s.Model != "xgboost" || s.VersionID != xgb.ID || !s.AsOf.Equal(last) ||
			s.Rank < 1 || s.Rank > len(universe) || s.Universe != len(universe) {
			t.Errorf("LatestSignal = %+v, want BHP from xgboost v%d as of %s", s, xgb.Version, last)
		}
		tests := []struct {
			name, code, model, want string
		}{
			{"UnknownModel", "BHP", "lightgbm", `unknown model "lightgbm"; available: ridge, xgboost`},
			{"UnknownCode", "NOPE", "ridge", "unknown instrument NOPE"},
			{"NotScored", "XJO", "ridge", "has no signal for XJO"},
		}
		for _, tt := range tests {
			_, err := f.p.LatestSignal(ctx, tt.code, tt.model)
			if apperr.CodeOf(err) != apperr.NotFound || !strings.Contains(apperr.MessageOf(err), tt.want) {
				t.Errorf("%s: error %v, want NotFound %q", tt.name, err, tt.want)
			}
		}
	})
	t.Run("History", func(t *testing.T) {
		h, err := f.p.SignalHistory(ctx, "CBA", "ridge", dates[0], last)
		if err != nil || len(h) != 30 {
			t.Errorf("SignalHistory = %d points (%v), want 30", len(h), err)
		}
	})
}

// metricValue reads a gauge or counter.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Gauge != nil {
		return out.Gauge.GetValue()
	}
	return out.Counter.GetValue()
}

func TestScoreResultJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(pipeline.ScoreResult{Models: []pipeline.ModelScore{{Name: "ridge", RollingRankIC: math.NaN()}}})
	if err != nil || !strings.Contains(string(b), `"rolling_rank_ic":null`) || strings.Count(string(b), "rolling_rank_ic") != 1 {
		t.Errorf("JSON = %s (%v), want one rolling_rank_ic, null", b, err)
	}
}
