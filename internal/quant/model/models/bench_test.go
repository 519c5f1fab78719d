package models_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/models"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
)

// BenchmarkPredictDay scores one trading day, 200 rows × 158 features, with
// each kind at a realistic size: ridge; XGBoost with 300 trees of depth 8
// (Qlib's Alpha158 settings); LightGBM with 200 trees of 210 leaves (Qlib's
// LGBModel on Alpha158).
func BenchmarkPredictDay(b *testing.B) {
	names := modeltest.Names(158)
	day := modeltest.WithMissing(modeltest.Linear(200, 158, 1, 3), 0.02, 4)
	train := modeltest.Linear(5000, 158, 1, 1)
	lgbText, _ := modeltest.LightGBMText(1, names, 200, 210)

	build := map[string]func() (model.Model, error){
		model.KindRidge: func() (model.Model, error) {
			m, err := models.New(model.KindRidge, names, json.RawMessage(`{"lambdas": [0.01]}`))
			if err != nil {
				return nil, err
			}
			return m, m.Fit(context.Background(), train, model.Matrix{}, nil)
		},
		model.KindXGBoost: func() (model.Model, error) {
			m, err := models.New(model.KindXGBoost, names, json.RawMessage(`{"num_boost_round": 300, "early_stopping_rounds": 0}`))
			if err != nil {
				return nil, err
			}
			return m, m.Fit(context.Background(), train, model.Matrix{}, nil)
		},
		model.KindLightGBM: func() (model.Model, error) {
			return models.Load(model.KindLightGBM, lgbText, names)
		},
	}
	for _, kind := range models.Kinds() {
		b.Run(kind, func(b *testing.B) {
			m, err := build[kind]()
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			for b.Loop() {
				if _, err := m.Predict(day); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
