package lgbm_test

import (
	"math"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/model/lgbm"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
)

// TestRandomModelsMatchReference compares leaves with a direct reading of
// LightGBM's split rules on random trees of many shapes, with NaN and zero
// values under every missing-value rule.
func TestRandomModelsMatchReference(t *testing.T) {
	for seed := range uint64(20) {
		names := modeltest.Names(12)
		blob, trees := modeltest.LightGBMText(seed, names, 15, 1+int(seed)*3)
		m := mustLoad(t, blob, names)
		x := modeltest.RandomRows(seed, 300, 12)
		got := mustPredict(t, m, x)
		for i := range x.Rows {
			var want float64
			for _, tr := range trees {
				want += tr.Predict(x.Row(i))
			}
			if math.Abs(got[i]-want) > 1e-12 {
				t.Fatalf("seed %d row %d = %v, want %v", seed, i, got[i], want)
			}
		}
	}
}

// BenchmarkLightGBMLoad parses and checks a model of Qlib's Alpha158 size:
// 200 trees of 210 leaves over 158 features (about 2.5 MB of text).
func BenchmarkLightGBMLoad(b *testing.B) {
	names := modeltest.Names(158)
	blob, _ := modeltest.LightGBMText(1, names, 200, 210)
	b.SetBytes(int64(len(blob)))
	for b.Loop() {
		if _, err := lgbm.Load(blob, names); err != nil {
			b.Fatal(err)
		}
	}
}
