// Package modeltest builds synthetic feature matrices for the tests and
// benchmarks of the model packages.
package modeltest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// Names returns cols feature names f0, f1, ….
func Names(cols int) []string {
	names := make([]string, cols)
	for j := range names {
		names[j] = fmt.Sprintf("f%d", j)
	}
	return names
}

// Linear returns rows × cols standard normal features with the label
// y = 2·x0 − x1 + noise·ε, ε standard normal. The same seed gives the same
// matrix.
func Linear(rows, cols int, noise float64, seed uint64) model.Matrix {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m := model.Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols), Label: make([]float64, rows)}
	for i := range rows {
		row := m.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		m.Label[i] = target(row) + noise*rng.NormFloat64()
	}
	return m
}

func target(row []float64) float64 {
	var y float64
	if len(row) > 0 && !math.IsNaN(row[0]) {
		y += 2 * row[0]
	}
	if len(row) > 1 && !math.IsNaN(row[1]) {
		y -= row[1]
	}
	return y
}

// WithMissing returns a copy of m in which about frac of the feature values
// are NaN.
func WithMissing(m model.Matrix, frac float64, seed uint64) model.Matrix {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	out := m
	out.Data = make([]float64, len(m.Data))
	for i, v := range m.Data {
		if rng.Float64() < frac {
			v = math.NaN()
		}
		out.Data[i] = v
	}
	return out
}
