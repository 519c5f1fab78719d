package ridge_test

import (
	"context"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
	"github.com/qlibpro/qlibpro/internal/quant/model/ridge"
)

// BenchmarkRidgeFit trains on 200k rows × 158 features, the size of an
// Alpha158 training segment, with a 50k-row validation set and the default
// grid of six penalties.
func BenchmarkRidgeFit(b *testing.B) {
	train := modeltest.Linear(200_000, 158, 1, 1)
	valid := modeltest.Linear(50_000, 158, 1, 2)
	b.ResetTimer()
	for b.Loop() {
		m, err := ridge.New(modeltest.Names(158), ridge.DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Fit(context.Background(), train, valid, nil); err != nil {
			b.Fatal(err)
		}
	}
}
