package lgbm

import (
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/modeltest"
)

// FuzzLoad checks the LightGBM text models an admin uploads: Load never
// panics and refuses with Invalid errors; a model it accepts predicts any
// row (NaN and infinities included) without error, and predicts the same
// after Save and Load again.
func FuzzLoad(f *testing.F) {
	// Small seeds: minimising a new input costs a Load per candidate.
	for _, name := range []string{"testdata/alpha158_small.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	small, _ := modeltest.LightGBMText(3, modeltest.Names(4), 2, 4)
	f.Add(small)
	f.Add([]byte("tree\nversion=v3\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=0\ntree_sizes=1\n\nTree=0\nnum_leaves=1\nleaf_value=0.5\n\nend of trees\n"))
	f.Fuzz(func(t *testing.T, blob []byte) {
		features := fuzzFeatures(blob)
		m, err := Load(blob, features)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("Load error %v is not Invalid", err)
			}
			return
		}
		x := fuzzRows(len(features))
		got, err := m.Predict(x)
		if err != nil || len(got) != x.Rows {
			t.Fatalf("Predict: %d values, %v", len(got), err)
		}
		saved, _ := m.Save()
		again, err := Load(saved, features)
		if err != nil {
			t.Fatalf("saved model does not load: %v", err)
		}
		want, err := again.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Fatalf("row %d: %v, %v after a round trip", i, got[i], want[i])
			}
		}
	})
}

// fuzzFeatures is the feature list an admin would send with blob: the
// model's own names, or as many Column_i names as it reads.
func fuzzFeatures(blob []byte) []string {
	text, err := parseText(blob)
	if err != nil || text.nFeatures > 1000 {
		return []string{"a"}
	}
	if !text.autoNamed() {
		return text.names
	}
	names := make([]string, text.nFeatures)
	for i := range names {
		names[i] = "Column_" + strconv.Itoa(i)
	}
	return names
}

// fuzzRows are rows of ordinary values, of NaN and of infinities.
func fuzzRows(cols int) model.Matrix {
	special := []float64{0.5, -3, math.NaN(), math.Inf(1), math.Inf(-1), 1e300}
	x := model.Matrix{Rows: len(special), Cols: cols, Data: make([]float64, len(special)*cols)}
	for r, v := range special {
		for c := range cols {
			x.Data[r*cols+c] = v * float64(c+1)
		}
	}
	return x
}
