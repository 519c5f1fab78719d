package model

import (
	"math"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Matrix is a dense table of feature values, one row per (instrument, date),
// stored row-major. NaN marks a missing value; every model also treats ±Inf as
// missing, as Qlib's ProcessInf would have replaced it. Label holds the
// training target of each row and is nil when predicting.
//
// For 200k rows × 158 features Data is about 250 MB; models copy it only where
// a library needs another layout (XGBoost's float32).
type Matrix struct {
	Rows  int
	Cols  int
	Data  []float64
	Label []float64
}

// Row returns the values of row i, sharing storage with m.
func (m Matrix) Row(i int) []float64 {
	return m.Data[i*m.Cols : (i+1)*m.Cols]
}

// At returns the value in row i, column j.
func (m Matrix) At(i, j int) float64 {
	return m.Data[i*m.Cols+j]
}

// Check reports whether m is well formed and has cols columns, the number of
// features of the model about to read it.
func (m Matrix) Check(cols int) error {
	if m.Rows < 0 || m.Cols < 0 {
		return apperr.New(apperr.Invalid, "matrix has a negative size (%d × %d)", m.Rows, m.Cols)
	}
	if len(m.Data) != m.Rows*m.Cols {
		return apperr.New(apperr.Invalid, "matrix of %d × %d needs %d values, has %d", m.Rows, m.Cols, m.Rows*m.Cols, len(m.Data))
	}
	if m.Cols != cols {
		return apperr.New(apperr.Invalid, "matrix has %d columns, the model has %d features", m.Cols, cols)
	}
	if m.Label != nil && len(m.Label) != m.Rows {
		return apperr.New(apperr.Invalid, "matrix has %d rows but %d labels", m.Rows, len(m.Label))
	}
	return nil
}

// CheckTraining is Check plus what training needs: a finite label on every
// row, and at least one row when required is set. An optional matrix with no
// rows (the zero Matrix) passes whatever its Cols. role names the matrix in
// messages ("training", "validation").
func (m Matrix) CheckTraining(cols int, role string, required bool) error {
	if m.Rows == 0 && len(m.Data) == 0 {
		if required {
			return apperr.New(apperr.Invalid, "%s data has no rows", role)
		}
		return nil // the zero Matrix means "none"
	}
	if err := m.Check(cols); err != nil {
		return apperr.New(apperr.Invalid, "%s data: %s", role, apperr.MessageOf(err))
	}
	if m.Label == nil {
		return apperr.New(apperr.Invalid, "%s data has no labels", role)
	}
	for i, y := range m.Label {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return apperr.New(apperr.Invalid, "%s label of row %d is %v; drop rows without a label first", role, i, y)
		}
	}
	return nil
}

// DropMissingLabels returns the rows of m whose label is finite, copying them
// only when some must go.
func (m Matrix) DropMissingLabels() Matrix {
	if m.Label == nil {
		return m
	}
	keep := 0
	for _, y := range m.Label {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			keep++
		}
	}
	if keep == m.Rows {
		return m
	}
	out := Matrix{Rows: keep, Cols: m.Cols, Data: make([]float64, 0, keep*m.Cols), Label: make([]float64, 0, keep)}
	for i, y := range m.Label {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		out.Data = append(out.Data, m.Row(i)...)
		out.Label = append(out.Label, y)
	}
	return out
}

// IsMissing reports whether a feature value counts as missing: NaN or ±Inf.
func IsMissing(v float64) bool {
	return math.IsNaN(v) || math.IsInf(v, 0)
}
