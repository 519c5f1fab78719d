package models_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/models"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/xgb"
)

func TestNewFitSaveLoad(t *testing.T) {
	train := modeltest.Linear(2000, 4, 0.2, 1)
	valid := modeltest.Linear(500, 4, 0.2, 2)
	tests := []struct {
		kind   string
		params string
	}{
		{model.KindRidge, `{"lambdas": [0.001, 0.1]}`},
		{model.KindXGBoost, `{"max_depth": 3, "eta": 0.2, "num_boost_round": 50, "nthread": 2}`},
		{model.KindRidge, ``},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			m, err := models.New(tt.kind, modeltest.Names(4), json.RawMessage(tt.params))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer m.Close()
			if m.Kind() != tt.kind {
				t.Errorf("Kind = %q, want %q", m.Kind(), tt.kind)
			}
			if err := m.Fit(context.Background(), train, valid, nil); err != nil {
				t.Fatalf("Fit: %v", err)
			}
			blob, err := m.Save()
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			loaded, err := models.Load(tt.kind, blob, modeltest.Names(4))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			defer loaded.Close()
			want, _ := m.Predict(valid)
			got, err := loaded.Predict(valid)
			if err != nil {
				t.Fatalf("Predict: %v", err)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("row %d: loaded %v, original %v", i, got[i], want[i])
				}
			}
			if r2 := model.R2(got, valid.Label); r2 < 0.9 {
				t.Errorf("R² = %.3f, want > 0.9", r2)
			}
		})
	}
}

func TestParamsApplied(t *testing.T) {
	m, err := models.New(model.KindXGBoost, modeltest.Names(2), json.RawMessage(`{"max_depth": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p := m.Metadata()["params"].(xgb.Params)
	want := xgb.DefaultParams()
	want.MaxDepth = 3
	if p != want {
		t.Errorf("params = %+v, want defaults with max_depth 3", p)
	}
}

func TestLoadLightGBM(t *testing.T) {
	blob, err := os.ReadFile(filepath.Join("..", "lgbm", "testdata", "alpha158_small.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(model.KindLightGBM, blob, []string{"KMID", "KLEN", "ROC5"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, ok := m.(model.FeatureImportancer); !ok {
		t.Error("a LightGBM model should report feature importance")
	}
	if models.Trainable(model.KindLightGBM) {
		t.Error("Trainable(lightgbm) = true, want false")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"UnknownKindNew", func() error { _, err := models.New("svm", []string{"a"}, nil); return err }, `unknown model kind "svm"`},
		{"UnknownKindLoad", func() error { _, err := models.Load("svm", nil, []string{"a"}); return err }, `unknown model kind "svm"`},
		{"NewLightGBM", func() error { _, err := models.New(model.KindLightGBM, []string{"a"}, nil); return err }, "trained elsewhere"},
		{"UnknownParam", func() error {
			_, err := models.New(model.KindXGBoost, []string{"a"}, json.RawMessage(`{"max_dept": 3}`))
			return err
		}, `xgboost parameters: unknown field "max_dept"`},
		{"BadParamType", func() error {
			_, err := models.New(model.KindRidge, []string{"a"}, json.RawMessage(`{"lambdas": "big"}`))
			return err
		}, "ridge parameters"},
		{"BadParamValue", func() error {
			_, err := models.New(model.KindXGBoost, []string{"a"}, json.RawMessage(`{"subsample": 2}`))
			return err
		}, "subsample must be in (0, 1]"},
		{"NoFeatures", func() error { _, err := models.New(model.KindRidge, nil, nil); return err }, "feature list is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.want) {
				t.Errorf("error = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestDefaultParams(t *testing.T) {
	for _, kind := range models.Kinds() {
		p, err := models.DefaultParams(kind)
		if models.Trainable(kind) != (err == nil) {
			t.Errorf("DefaultParams(%s) = %v, %v; want parameters exactly for trainable kinds", kind, p, err)
		}
	}
}
