package model_test

import (
	"math"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

func TestCheckFeatures(t *testing.T) {
	want := []string{"KMID", "KLEN", "ROC5", "MA5"}
	tests := []struct {
		name string
		got  []string
		msg  string // empty: match
	}{
		{"OK", []string{"KMID", "KLEN", "ROC5", "MA5"}, ""},
		{"Missing", []string{"KMID", "KLEN", "ROC5"}, "(4 features in the model, 3 given): missing from the list: MA5"},
		{"Extra", []string{"KMID", "KLEN", "ROC5", "MA5", "STD5"}, "not in the model: STD5"},
		{"Both", []string{"KMID", "KLEN", "ROC10", "MA5"}, "missing from the list: ROC5; not in the model: ROC10"},
		{"Swapped", []string{"KMID", "ROC5", "KLEN", "MA5"}, `out of order: 2 positions differ, first at position 2 (model has "KLEN", list has "ROC5")`},
		{"Repeated", []string{"KMID", "KLEN", "ROC5", "MA5", "MA5"}, "one list repeats a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := model.CheckFeatures(want, tt.got)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("CheckFeatures = %v, want nil", err)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.msg) {
				t.Errorf("CheckFeatures = %v, want Invalid containing %q", err, tt.msg)
			}
		})
	}
}

func TestCheckFeaturesSummarisesLongLists(t *testing.T) {
	var want []string
	for i := range 30 {
		want = append(want, "F"+string(rune('A'+i%26))+string(rune('a'+i/26)))
	}
	err := model.CheckFeatures(want, want[:5])
	if msg := apperr.MessageOf(err); !strings.Contains(msg, "and 15 more") {
		t.Errorf("message = %q, want the list of 25 missing names cut to 10 and 15 more", msg)
	}
}

func TestCheckNames(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"OK", []string{"a", "b"}, ""},
		{"Empty", nil, "feature list is empty"},
		{"Blank", []string{"a", " "}, "feature 2 has no name"},
		{"Duplicate", []string{"a", "b", "a"}, `"a" is listed twice (positions 1 and 3)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := model.CheckNames(tt.names)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckNames = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMatrixCheck(t *testing.T) {
	tests := []struct {
		name string
		m    model.Matrix
		cols int
		want string
	}{
		{"OK", model.Matrix{Rows: 2, Cols: 2, Data: make([]float64, 4)}, 2, ""},
		{"Empty", model.Matrix{Cols: 2}, 2, ""},
		{"ShortData", model.Matrix{Rows: 2, Cols: 2, Data: make([]float64, 3)}, 2, "needs 4 values, has 3"},
		{"WrongCols", model.Matrix{Rows: 1, Cols: 3, Data: make([]float64, 3)}, 2, "3 columns, the model has 2"},
		{"Labels", model.Matrix{Rows: 2, Cols: 1, Data: make([]float64, 2), Label: []float64{1}}, 1, "2 rows but 1 labels"},
		{"Negative", model.Matrix{Rows: -1, Cols: 1}, 1, "negative size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Check(tt.cols)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckTraining(t *testing.T) {
	ok := model.Matrix{Rows: 2, Cols: 1, Data: []float64{1, math.NaN()}, Label: []float64{0.1, 0.2}}
	tests := []struct {
		name     string
		m        model.Matrix
		required bool
		want     string
	}{
		{"OK", ok, true, ""},
		{"NaNFeatureAllowed", ok, true, ""},
		{"NoneOptional", model.Matrix{}, false, ""},
		{"NoneRequired", model.Matrix{}, true, "training data has no rows"},
		{"NoLabels", model.Matrix{Rows: 1, Cols: 1, Data: []float64{1}}, true, "training data has no labels"},
		{"InfLabel", model.Matrix{Rows: 1, Cols: 1, Data: []float64{1}, Label: []float64{math.Inf(1)}}, true, "label of row 0 is +Inf"},
		{"Shape", model.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}, Label: []float64{1}}, true, "training data: matrix has 2 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.CheckTraining(1, "training", tt.required)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckTraining = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDropMissingLabels(t *testing.T) {
	nan := math.NaN()
	m := model.Matrix{Rows: 4, Cols: 2, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8}, Label: []float64{0.1, nan, math.Inf(-1), 0.4}}
	got := m.DropMissingLabels()
	want := model.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 7, 8}, Label: []float64{0.1, 0.4}}
	if got.Rows != want.Rows || !equal(got.Data, want.Data) || !equal(got.Label, want.Label) {
		t.Errorf("DropMissingLabels = %+v, want %+v", got, want)
	}
	clean := model.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}, Label: []float64{3}}
	if got := clean.DropMissingLabels(); &got.Data[0] != &clean.Data[0] {
		t.Error("DropMissingLabels copied a matrix with no missing labels")
	}
}

func TestMetrics(t *testing.T) {
	label := []float64{1, 2, 3, 4}
	tests := []struct {
		name     string
		pred     []float64
		rmse, r2 float64
	}{
		{"Perfect", []float64{1, 2, 3, 4}, 0, 1},
		{"Mean", []float64{2.5, 2.5, 2.5, 2.5}, math.Sqrt(1.25), 0},
		{"OffByOne", []float64{2, 3, 4, 5}, 1, 1 - 4.0/5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.RMSE(tt.pred, label); math.Abs(got-tt.rmse) > 1e-12 {
				t.Errorf("RMSE = %v, want %v", got, tt.rmse)
			}
			if got := model.R2(tt.pred, label); math.Abs(got-tt.r2) > 1e-12 {
				t.Errorf("R2 = %v, want %v", got, tt.r2)
			}
		})
	}
	if !math.IsNaN(model.RMSE(nil, nil)) || !math.IsNaN(model.R2([]float64{1}, []float64{1, 2})) {
		t.Error("RMSE/R2 of empty or mismatched slices should be NaN")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
