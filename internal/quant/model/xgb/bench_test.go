package xgb_test

import (
	"context"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/xgb"
)

// BenchmarkXGBoostTrain runs 100 rounds of Qlib's Alpha158 settings (depth 8,
// hist, every core) on 200k rows × 158 features with a 50k-row validation
// set evaluated every round. Early stopping is off so every run does the same
// work; a full Qlib run is up to 1000 rounds, so scale by rounds.
func BenchmarkXGBoostTrain(b *testing.B) {
	train := modeltest.Linear(200_000, 158, 1, 1)
	valid := modeltest.Linear(50_000, 158, 1, 2)
	p := xgb.DefaultParams()
	p.NumRounds = 100
	p.EarlyStoppingRounds = 0
	b.ResetTimer()
	for b.Loop() {
		m, err := xgb.New(modeltest.Names(158), p)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Fit(context.Background(), train, valid, nil); err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}
