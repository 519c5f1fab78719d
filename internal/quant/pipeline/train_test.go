package pipeline_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestTrainRidge(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	var stages []string
	v, err := f.p.Train(t.Context(), pipeline.TrainSpec{Kind: "ridge", Segments: segments, Activate: true},
		func(pr pipeline.Progress) {
			if len(stages) == 0 || stages[len(stages)-1] != pr.Stage {
				stages = append(stages, pr.Stage)
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(stages, ","), "dataset,fit,evaluate,save"; got != want {
		t.Errorf("progress stages = %s, want %s", got, want)
	}
	if v.ID == 0 || v.Name != "ridge" || v.Version != 1 || v.Kind != "ridge" || !v.Active || v.ActivatedAt == nil {
		t.Errorf("version = %+v, want ridge v1 active", v)
	}
	if v.Train != segments.Train || v.Valid != segments.Valid || v.Test != segments.Test {
		t.Errorf("segments = %v %v %v, want %v", v.Train, v.Valid, v.Test, segments)
	}
	m := v.Metrics
	if m.Days < 200 || math.IsNaN(m.IC) || math.IsNaN(m.RankIC) || math.IsNaN(m.ICIR) || math.IsNaN(m.RankICIR) {
		t.Errorf("metrics = %+v, want IC, Rank IC and IRs over about 250 test days", m)
	}
	if len(m.Quantiles) != 5 || math.IsNaN(m.LongShort) || m.TrainRows == 0 || m.ValidRows == 0 || m.TestRows == 0 {
		t.Errorf("metrics = %+v, want 5 quintiles, a long-short spread and row counts", m)
	}
	if len(v.Features) != 158 {
		t.Errorf("features = %d, want 158", len(v.Features))
	}
	var params map[string]any
	if err := json.Unmarshal(v.Params, &params); err != nil || params["lambdas"] == nil {
		t.Errorf("params = %s (%v), want the effective ridge parameters", v.Params, err)
	}
	daily, err := f.p.DailyIC(t.Context(), v.ID)
	if err != nil || len(daily) != m.Days {
		t.Errorf("DailyIC = %d days (%v), want %d", len(daily), err, m.Days)
	}
	if got := mustCount(t, f.pool, `SELECT count(*) FROM model_versions WHERE id = $1 AND preprocess IS NOT NULL AND length(blob) > 0`, v.ID); got != 1 {
		t.Errorf("ridge version stored without its normaliser or blob")
	}

	t.Run("SecondVersionTakesOver", func(t *testing.T) {
		v2 := mustTrain(t, f, pipeline.TrainSpec{Kind: "ridge", Params: json.RawMessage(`{"lambdas":[1]}`), Activate: true})
		if v2.Version != 2 || !v2.Active {
			t.Errorf("second version = v%d active %v, want v2 active", v2.Version, v2.Active)
		}
		if got := mustCount(t, f.pool, `SELECT count(*) FROM model_versions WHERE name = 'ridge' AND active`); got != 1 {
			t.Errorf("%d active ridge versions, want 1", got)
		}
		old, err := f.p.ModelVersion(t.Context(), v.ID)
		if err != nil || old.Active {
			t.Errorf("first version active = %v (%v), want false", old.Active, err)
		}
		if _, err := f.p.Activate(t.Context(), v.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.p.ActiveVersion(t.Context(), "ridge")
		if err != nil || got.ID != v.ID {
			t.Errorf("active ridge = %d (%v), want %d after Activate", got.ID, err, v.ID)
		}
		models, err := f.p.ListModels(t.Context())
		if err != nil || len(models) != 1 || models[0].Versions != 2 || models[0].ID != v.ID {
			t.Errorf("ListModels = %+v (%v), want ridge with 2 versions, v1 active", models, err)
		}
	})
	t.Run("TotalReturnLabel", func(t *testing.T) {
		if v.Metrics.Label != "price" {
			t.Errorf("default label %q, want price", v.Metrics.Label)
		}
		tr := mustTrain(t, f, pipeline.TrainSpec{Kind: "ridge", Name: "ridge-tr", Label: "total_return"})
		got, err := f.p.ModelVersion(t.Context(), tr.ID)
		if err != nil || got.Metrics.Label != "total_return" {
			t.Fatalf("stored label %q (%v), want total_return", got.Metrics.Label, err)
		}
		// Same features, same test rows, a different target: the evidence
		// is measured against the total-return label, so it differs.
		if got.Metrics.TestRows != v.Metrics.TestRows || got.Metrics.IC == v.Metrics.IC {
			t.Errorf("total-return test rows %d IC %v; price %d IC %v", got.Metrics.TestRows, got.Metrics.IC, v.Metrics.TestRows, v.Metrics.IC)
		}
	})
	t.Run("NameKeepsItsKind", func(t *testing.T) {
		_, err := f.p.Train(t.Context(), pipeline.TrainSpec{Name: "ridge", Kind: "xgboost", Segments: segments}, nil)
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("xgboost under the ridge name: %v, want Conflict", err)
		}
	})
}

func TestTrainRefusesBadSpecs(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	outside := func(mut func(*dataset.Segments)) dataset.Segments {
		s := segments
		mut(&s)
		return s
	}
	tests := []struct {
		name      string
		spec      pipeline.TrainSpec
		wantField string
		wantText  string
	}{
		{"TrainBeforeData", pipeline.TrainSpec{Kind: "ridge", Segments: outside(func(s *dataset.Segments) {
			s.Train = dataset.DateRange{Start: testenv.Date(t, "1990-01-01"), End: testenv.Date(t, "1999-12-31")}
		})}, "train", "outside the data"},
		{"TestAfterData", pipeline.TrainSpec{Kind: "ridge", Segments: outside(func(s *dataset.Segments) {
			s.Test = dataset.DateRange{Start: testenv.Date(t, "2030-01-01"), End: testenv.Date(t, "2030-12-31")}
		})}, "test", "outside the data"},
		{"Overlap", pipeline.TrainSpec{Kind: "ridge", Segments: outside(func(s *dataset.Segments) {
			s.Valid.Start = testenv.Date(t, "2020-06-01")
		})}, "valid", "must start after"},
		{"LightGBM", pipeline.TrainSpec{Kind: "lightgbm", Segments: segments}, "kind", "uploaded"},
		{"BadParams", pipeline.TrainSpec{Kind: "xgboost", Params: json.RawMessage(`{"max_depht": 3}`), Segments: segments}, "params", "max_depht"},
		{"BadName", pipeline.TrainSpec{Kind: "ridge", Name: "Ridge Model!", Segments: segments}, "name", "lower-case"},
		{"BadLabel", pipeline.TrainSpec{Kind: "ridge", Label: "dividend_yield", Segments: segments}, "label", "price, total_return"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.p.Train(t.Context(), tt.spec, nil)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantText) {
				t.Errorf("Train error = %v, want Invalid on %s mentioning %q", err, tt.wantField, tt.wantText)
			}
		})
	}
	if got := mustCount(t, f.pool, `SELECT count(*) FROM model_versions`); got != 0 {
		t.Errorf("%d versions stored by refused requests, want 0", got)
	}
}
