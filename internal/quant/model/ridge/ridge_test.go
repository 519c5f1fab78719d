package ridge_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/ridge"
)

func mustFit(t *testing.T, p ridge.Params, train, valid model.Matrix) *ridge.Model {
	t.Helper()
	m, err := ridge.New(modeltest.Names(train.Cols), p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
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
	train := modeltest.Linear(4000, 10, 0.3, 1)
	valid := modeltest.Linear(1000, 10, 0.3, 2)
	test := modeltest.Linear(1000, 10, 0.3, 3)
	var steps []model.Progress
	m, err := ridge.New(modeltest.Names(10), ridge.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	err = m.Fit(context.Background(), train, valid, func(p model.Progress) { steps = append(steps, p) })
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	pred := mustPredict(t, m, test)
	if got := model.R2(pred, test.Label); got < 0.9 {
		t.Errorf("held-out R² = %.3f, want > 0.9", got)
	}
	if got, want := len(steps), len(ridge.DefaultParams().Lambdas); got != want {
		t.Errorf("progress calls = %d, want %d", got, want)
	}
	md := m.Metadata()
	lambda, ok := md["lambda"].(float64)
	if !ok {
		t.Fatalf("Metadata lambda = %#v, want a float64", md["lambda"])
	}
	if lambda > 0.1 {
		t.Errorf("chosen lambda = %v, want a small penalty for a clean linear signal", lambda)
	}
	coef := md["coefficients"].(map[string]float64)
	// On z-scored features the coefficients are close to the raw ones because
	// the features are standard normal.
	for name, want := range map[string]float64{"f0": 2, "f1": -1, "f2": 0} {
		if got := coef[name]; math.Abs(got-want) > 0.05 {
			t.Errorf("coefficient %s = %.3f, want %.1f ± 0.05", name, got, want)
		}
	}
}

func TestInterceptNotPenalised(t *testing.T) {
	train := modeltest.Linear(2000, 3, 0.1, 4)
	for i := range train.Label {
		train.Label[i] += 5
	}
	m := mustFit(t, ridge.Params{Lambdas: []float64{1e6}}, train, model.Matrix{})
	zero := model.Matrix{Rows: 1, Cols: 3, Data: []float64{0, 0, 0}}
	got := mustPredict(t, m, zero)[0]
	if math.Abs(got-5) > 0.1 {
		t.Errorf("prediction at the origin with a huge penalty = %.3f, want the label mean ≈ 5", got)
	}
}

func TestMissingValues(t *testing.T) {
	train := modeltest.WithMissing(modeltest.Linear(4000, 5, 0.1, 5), 0.1, 6)
	valid := modeltest.Linear(1000, 5, 0.1, 7)
	m := mustFit(t, ridge.DefaultParams(), train, valid)

	allMissing := model.Matrix{Rows: 1, Cols: 5, Data: []float64{math.NaN(), math.Inf(1), math.NaN(), math.Inf(-1), math.NaN()}}
	got := mustPredict(t, m, allMissing)[0]
	var mean float64
	for _, y := range train.Label {
		mean += y
	}
	mean /= float64(train.Rows)
	if math.Abs(got-mean) > 1e-9 {
		t.Errorf("prediction for an all-missing row = %v, want the training label mean %v", got, mean)
	}
	pred := mustPredict(t, m, valid)
	if r2 := model.R2(pred, valid.Label); r2 < 0.85 {
		t.Errorf("R² after training with 10%% missing = %.3f, want > 0.85", r2)
	}
}

func TestSingularPenaltySkipped(t *testing.T) {
	train := modeltest.Linear(1000, 3, 0.1, 8)
	valid := modeltest.Linear(300, 3, 0.1, 9)
	// Make column 2 a copy of column 0 so that λ = 0 is singular.
	for _, x := range []model.Matrix{train, valid} {
		for i := range x.Rows {
			x.Data[i*3+2] = x.Data[i*3]
		}
	}
	m := mustFit(t, ridge.Params{Lambdas: []float64{0, 0.01}}, train, valid)
	if got := m.Metadata()["lambda"]; got != 0.01 {
		t.Errorf("lambda = %v, want 0.01 (0 is singular)", got)
	}
	cands := m.Metadata()["candidates"].([]ridge.Candidate)
	if !cands[0].Singular {
		t.Errorf("candidate λ=0 = %+v, want Singular", cands[0])
	}

	_, err := ridge.New(modeltest.Names(3), ridge.Params{Lambdas: []float64{0}})
	if err != nil {
		t.Fatal(err)
	}
	only, _ := ridge.New(modeltest.Names(3), ridge.Params{Lambdas: []float64{0}})
	err = only.Fit(context.Background(), train, valid, nil)
	if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "collinear") {
		t.Errorf("Fit with only λ=0 on collinear data = %v, want Invalid mentioning collinear", err)
	}
}

func TestConstantColumn(t *testing.T) {
	train := modeltest.Linear(1000, 3, 0.1, 10)
	for i := range train.Rows {
		train.Data[i*3+2] = 7
	}
	m := mustFit(t, ridge.Params{Lambdas: []float64{0.001}}, train, model.Matrix{})
	if got := m.Metadata()["coefficients"].(map[string]float64)["f2"]; got != 0 {
		t.Errorf("coefficient of a constant column = %v, want 0", got)
	}
}

func TestSaveLoad(t *testing.T) {
	train := modeltest.Linear(2000, 6, 0.5, 11)
	valid := modeltest.Linear(500, 6, 0.5, 12)
	m := mustFit(t, ridge.DefaultParams(), train, valid)
	blob, err := m.Save()
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	loaded, err := ridge.Load(blob, modeltest.Names(6))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	x := modeltest.WithMissing(valid, 0.2, 13)
	want := mustPredict(t, m, x)
	got := mustPredict(t, loaded, x)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: loaded model predicts %v, original %v", i, got[i], want[i])
		}
	}
	if got, want := loaded.Metadata()["lambda"], m.Metadata()["lambda"]; got != want {
		t.Errorf("loaded lambda = %v, want %v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	m := mustFit(t, ridge.Params{Lambdas: []float64{0.1}}, modeltest.Linear(200, 3, 0.1, 14), model.Matrix{})
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
		{"Corrupt", []byte("{not json"), modeltest.Names(3), "not a saved ridge model"},
		{"Empty", nil, modeltest.Names(3), "not a saved ridge model"},
		{"Inconsistent", []byte(`{"version":1,"features":["a"],"means":[],"scales":[],"coef":[]}`), []string{"a"}, "inconsistent"},
		{"MissingFeature", blob, []string{"f0", "f1"}, "missing from the list: f2"},
		{"OutOfOrder", blob, []string{"f1", "f0", "f2"}, "out of order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ridge.Load(tt.blob, tt.features)
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	good := modeltest.Linear(100, 3, 0.1, 15)
	nanLabel := modeltest.Linear(100, 3, 0.1, 16)
	nanLabel.Label[7] = math.NaN()
	tests := []struct {
		name    string
		params  ridge.Params
		train   model.Matrix
		valid   model.Matrix
		want    string
		newFail bool
	}{
		{"NoLambdas", ridge.Params{}, good, good, "at least one penalty", true},
		{"NegativeLambda", ridge.Params{Lambdas: []float64{-1}}, good, good, "≥ 0", true},
		{"EmptyTrain", ridge.DefaultParams(), model.Matrix{Cols: 3}, good, "training data has no rows", false},
		{"NoLabels", ridge.DefaultParams(), model.Matrix{Rows: 1, Cols: 3, Data: []float64{1, 2, 3}}, good, "no labels", false},
		{"NaNLabel", ridge.DefaultParams(), nanLabel, good, "label of row 7", false},
		{"WrongColumns", ridge.DefaultParams(), modeltest.Linear(10, 4, 0, 1), good, "4 columns", false},
		{"GridWithoutValidation", ridge.DefaultParams(), good, model.Matrix{}, "needs validation data", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ridge.New(modeltest.Names(3), tt.params)
			if !tt.newFail {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				err = m.Fit(context.Background(), tt.train, tt.valid, nil)
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestFitCancelled(t *testing.T) {
	m, err := ridge.New(modeltest.Names(3), ridge.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = m.Fit(ctx, modeltest.Linear(100, 3, 0.1, 1), modeltest.Linear(100, 3, 0.1, 2), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fit with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := m.Predict(modeltest.Linear(1, 3, 0, 1)); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("Predict after a cancelled Fit = %v, want Invalid (not trained)", err)
	}
}

func TestConcurrentPredict(t *testing.T) {
	m := mustFit(t, ridge.DefaultParams(), modeltest.Linear(1000, 4, 0.1, 17), modeltest.Linear(200, 4, 0.1, 18))
	x := modeltest.Linear(200, 4, 0.1, 19)
	want := mustPredict(t, m, x)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := m.Predict(x)
			if err != nil {
				t.Errorf("Predict: %v", err)
				return
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("row %d = %v, want %v", i, got[i], want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
