package xgb_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/xgb"
)

// fastParams trains small test models quickly.
func fastParams() xgb.Params {
	p := xgb.DefaultParams()
	p.MaxDepth = 4
	p.Eta = 0.1
	p.NumRounds = 300
	p.EarlyStoppingRounds = 20
	p.NThread = 2
	p.Seed = 7
	return p
}

func mustNew(t *testing.T, cols int, p xgb.Params) *xgb.Model {
	t.Helper()
	m, err := xgb.New(modeltest.Names(cols), p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func mustFit(t *testing.T, p xgb.Params, train, valid model.Matrix) *xgb.Model {
	t.Helper()
	m := mustNew(t, train.Cols, p)
	if err := m.Fit(context.Background(), train, valid, nil); err != nil {
		t.Fatalf("Fit: %v", err)
	}
	return m
}

func mustPredict(t *testing.T, m model.Model, x model.Matrix) []float64 {
	t.Helper()
	got, err := m.Predict(x)
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	return got
}

func TestFitLinear(t *testing.T) {
	train := modeltest.Linear(5000, 5, 0.1, 1)
	valid := modeltest.Linear(1000, 5, 0.1, 2)
	test := modeltest.Linear(1000, 5, 0.1, 3)
	m := mustNew(t, 5, fastParams())
	var steps []model.Progress
	if err := m.Fit(context.Background(), train, valid, func(p model.Progress) { steps = append(steps, p) }); err != nil {
		t.Fatalf("Fit: %v", err)
	}
	if r2 := model.R2(mustPredict(t, m, test), test.Label); r2 < 0.9 {
		t.Errorf("held-out R² = %.3f, want > 0.9", r2)
	}
	if len(steps) == 0 {
		t.Fatal("progress was never called")
	}
	for i, s := range steps {
		if s.Step != i+1 || s.Total != 300 || s.Metric != "valid_rmse" || !(s.Value > 0) {
			t.Fatalf("progress %d = %+v, want Step %d of 300 with a positive valid_rmse", i, s, i+1)
		}
	}
	md := m.Metadata()
	best := md["best_iteration"].(int)
	if got, want := md["rounds"], best+1; got != want {
		t.Errorf("rounds kept = %v, want best_iteration+1 = %d", got, want)
	}
	if got, want := md["valid_rmse"].(float64), steps[best].Value; got != want {
		t.Errorf("valid_rmse = %v, want the best round's %v", got, want)
	}
	// The kept model's validation RMSE is the best round's (XGBoost computes in
	// float32, hence the tolerance).
	if got, want := model.RMSE(mustPredict(t, m, valid), valid.Label), steps[best].Value; math.Abs(got-want) > 1e-4 {
		t.Errorf("validation RMSE of the kept model = %v, want %v", got, want)
	}
}

func TestEarlyStopping(t *testing.T) {
	// Labels are pure noise, so validation RMSE stops improving quickly.
	train := modeltest.Linear(2000, 5, 0, 4)
	valid := modeltest.Linear(500, 5, 0, 5)
	noise := modeltest.Linear(2500, 1, 0, 6).Data
	copy(train.Label, noise[:2000])
	copy(valid.Label, noise[2000:])
	p := fastParams()
	p.EarlyStoppingRounds = 5
	m := mustNew(t, 5, p)
	calls := 0
	if err := m.Fit(context.Background(), train, valid, func(model.Progress) { calls++ }); err != nil {
		t.Fatalf("Fit: %v", err)
	}
	best := m.Metadata()["best_iteration"].(int)
	if calls >= p.NumRounds {
		t.Fatalf("ran all %d rounds on noise, want early stopping", calls)
	}
	if got, want := calls, best+1+p.EarlyStoppingRounds; got != want {
		t.Errorf("rounds run = %d, want best_iteration+1+%d = %d", got, p.EarlyStoppingRounds, want)
	}
}

func TestNoValidation(t *testing.T) {
	p := fastParams()
	p.NumRounds = 12
	m := mustFit(t, p, modeltest.Linear(500, 3, 0.1, 7), model.Matrix{})
	md := m.Metadata()
	if md["rounds"] != 12 || md["best_iteration"] != 11 {
		t.Errorf("rounds = %v, best_iteration = %v, want all 12 rounds kept", md["rounds"], md["best_iteration"])
	}
	if _, ok := md["train_rmse"]; !ok {
		t.Errorf("Metadata = %v, want train_rmse without validation", md)
	}
}

func TestSaveLoad(t *testing.T) {
	train := modeltest.Linear(3000, 6, 0.3, 8)
	valid := modeltest.Linear(500, 6, 0.3, 9)
	m := mustFit(t, fastParams(), train, valid)
	blob, err := m.Save()
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	if len(blob) == 0 || blob[0] != '{' {
		t.Fatalf("Save returned %d bytes starting %q, want UBJSON", len(blob), blob[:min(len(blob), 1)])
	}
	loaded, err := xgb.Load(blob, modeltest.Names(6))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	defer loaded.Close()
	x := modeltest.WithMissing(modeltest.Linear(300, 6, 0.3, 10), 0.2, 11)
	want := mustPredict(t, m, x)
	got := mustPredict(t, loaded, x)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: loaded model predicts %v, original %v", i, got[i], want[i])
		}
	}
	for _, key := range []string{"best_iteration", "rounds", "valid_rmse"} {
		if got, want := loaded.Metadata()[key], m.Metadata()[key]; got != want {
			t.Errorf("loaded %s = %v, want %v", key, got, want)
		}
	}
	if got, want := loaded.Metadata()["params"], m.Metadata()["params"]; got != want {
		t.Errorf("loaded params = %+v, want %+v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	p := fastParams()
	p.NumRounds = 5
	m := mustFit(t, p, modeltest.Linear(300, 3, 0.1, 12), model.Matrix{})
	blob, err := m.Save()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		blob     []byte
		features []string
		want     string
	}{
		{"Empty", nil, modeltest.Names(3), "not an XGBoost model"},
		{"Binary", []byte{0, 1, 2, 3, 4, 5}, modeltest.Names(3), "not an XGBoost model"},
		{"Garbage", []byte("{garbage"), modeltest.Names(3), "damaged or truncated"},
		{"Truncated", blob[:len(blob)/2], modeltest.Names(3), "damaged or truncated"},
		{"JSONNotAModel", []byte(`{"foo": 1}`), modeltest.Names(3), "not a valid XGBoost model"},
		{"MissingFeature", blob, []string{"f0", "f1"}, "missing from the list: f2"},
		{"ExtraFeature", blob, []string{"f0", "f1", "f2", "KMID"}, "not in the model: KMID"},
		{"OutOfOrder", blob, []string{"f0", "f2", "f1"}, "first at position 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := xgb.Load(tt.blob, tt.features)
			if err == nil {
				got.Close()
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadTruncatedNeverCrashes(t *testing.T) {
	p := fastParams()
	p.NumRounds = 5
	m := mustFit(t, p, modeltest.Linear(300, 3, 0.1, 12), model.Matrix{})
	blob, err := m.Save()
	if err != nil {
		t.Fatal(err)
	}
	step := max(len(blob)/200, 1)
	for n := 1; n < len(blob); n += step {
		got, err := xgb.Load(blob[:n], modeltest.Names(3))
		if err == nil {
			got.Close()
			t.Fatalf("Load of the first %d of %d bytes succeeded, want an error", n, len(blob))
		}
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("Load of %d bytes = %v, want Invalid", n, err)
		}
	}
}

func TestBadParams(t *testing.T) {
	train := modeltest.Linear(200, 3, 0.1, 13)
	tests := []struct {
		name   string
		modify func(*xgb.Params)
		want   string
	}{
		{"EtaZero", func(p *xgb.Params) { p.Eta = 0 }, "eta must be in (0, 1]"},
		{"NegativeDepth", func(p *xgb.Params) { p.MaxDepth = -1 }, "max_depth"},
		{"NoRounds", func(p *xgb.Params) { p.NumRounds = 0 }, "num_boost_round"},
		// The next two pass Go validation and are refused by XGBoost itself.
		{"UnknownTreeMethod", func(p *xgb.Params) { p.TreeMethod = "bogus" }, "XGBoost rejected the parameters"},
		{"UnknownObjective", func(p *xgb.Params) { p.Objective = "reg:bogus" }, "XGBoost rejected the parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fastParams()
			tt.modify(&p)
			m, err := xgb.New(modeltest.Names(3), p)
			if err == nil {
				defer m.Close()
				err = m.Fit(context.Background(), train, model.Matrix{}, nil)
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want Invalid containing %q", err, tt.want)
			}
			msg := apperr.MessageOf(err)
			if strings.Contains(msg, "\n") || strings.Contains(msg, "Stack trace") || strings.Contains(msg, ".cc:") {
				t.Errorf("message %q should be one line without source locations", msg)
			}
		})
	}
}

func TestMissingValues(t *testing.T) {
	train := modeltest.WithMissing(modeltest.Linear(4000, 4, 0.1, 14), 0.2, 15)
	valid := modeltest.Linear(1000, 4, 0.1, 16)
	m := mustFit(t, fastParams(), train, valid)
	if r2 := model.R2(mustPredict(t, m, valid), valid.Label); r2 < 0.7 {
		t.Errorf("R² after training with 20%% missing = %.3f, want > 0.7", r2)
	}
	nan, inf := math.NaN(), math.Inf(1)
	x := model.Matrix{Rows: 3, Cols: 4, Data: []float64{
		nan, nan, nan, nan,
		1, nan, 0, nan,
		1, inf, 0, math.Inf(-1),
	}}
	got := mustPredict(t, m, x)
	if math.IsNaN(got[0]) || math.IsInf(got[0], 0) {
		t.Errorf("prediction for an all-missing row = %v, want a finite value", got[0])
	}
	if got[1] != got[2] {
		t.Errorf("row with ±Inf predicts %v, the same row with NaN %v; want equal", got[2], got[1])
	}
}

func TestFeatureImportance(t *testing.T) {
	m := mustFit(t, fastParams(), modeltest.Linear(3000, 6, 0.1, 17), modeltest.Linear(500, 6, 0.1, 18))
	imp := m.FeatureImportance()
	if len(imp) != 6 {
		t.Fatalf("importance has %d entries, want 6: %+v", len(imp), imp)
	}
	if imp[0].Feature != "f0" || imp[1].Feature != "f1" {
		t.Errorf("top features = %s, %s; want f0, f1 (y = 2·f0 − f1)", imp[0].Feature, imp[1].Feature)
	}
	if !(imp[0].Gain > imp[1].Gain && imp[1].Gain > imp[2].Gain) {
		t.Errorf("gains not sorted with a clear top two: %+v", imp)
	}
	if _, ok := m.Metadata()["feature_importance"].([]model.Importance); !ok {
		t.Errorf("Metadata feature_importance missing")
	}
}

func TestFitCancelled(t *testing.T) {
	m := mustNew(t, 3, fastParams())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := m.Fit(ctx, modeltest.Linear(500, 3, 0.1, 19), modeltest.Linear(100, 3, 0.1, 20), func(p model.Progress) {
		if p.Step == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit = %v, want context.Canceled", err)
	}
	if _, err := m.Predict(modeltest.Linear(1, 3, 0, 1)); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "not been trained") {
		t.Errorf("Predict after a cancelled first Fit = %v, want Invalid not trained", err)
	}
}
