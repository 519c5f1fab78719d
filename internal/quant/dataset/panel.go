// Package dataset turns per-instrument feature and label columns into the
// instrument × day panel that Qlib's DatasetH hands to a model: rows keyed by
// (date, code), split into train, valid and test windows by date, with the
// label and feature processing of Qlib's Alpha158 workflow.
//
// A Panel is immutable. Processing steps (DropMissingLabel,
// CSZScoreNormLabel, FeatureNormaliser.Apply) and windows (Split, Window)
// return new panels that share whatever they did not change with the panel
// they came from, so one build can feed a raw-feature model and a normalised
// linear model without copying the feature matrix for each.
package dataset

import (
	"iter"
	"sort"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// Panel is an instrument × day table of feature vectors and labels. Rows are
// ordered by date, then by code.
//
// The exported slices are shared between panels derived from one build;
// treat them as read-only.
type Panel struct {
	// Dates lists the days that hold at least one row, ascending. Days are
	// calendar dates held as midnight UTC.
	Dates []time.Time
	// Codes is the instrument table that rows refer into, ascending. Panels
	// derived from one build share it, so a code may have no rows in a
	// window or after rows were dropped.
	Codes []string
	// Features names the columns of every row's X.
	Features []string

	dayStart []int     // rows of Dates[d] are dayStart[d]:dayStart[d+1]
	store    []int32   // storage row in x of each row
	code     []int32   // index into Codes of each row
	label    []float64 // label of each row, NaN when missing
	x        []float64 // feature storage, row-major, len(Features) values per storage row
}

// Row is one (date, instrument) observation.
type Row struct {
	Date time.Time
	Code string
	// X holds the features in Panel.Features order, NaN when missing. It is a
	// view into the panel's storage and must not be modified.
	X []float64
	// Label is the training target, NaN when missing.
	Label float64
}

// Len returns the number of rows.
func (p *Panel) Len() int { return len(p.store) }

// NumFeatures returns the number of feature columns.
func (p *Panel) NumFeatures() int { return len(p.Features) }

// X returns the features of row i as a view into the panel's storage.
func (p *Panel) X(i int) []float64 {
	nf := len(p.Features)
	s := int(p.store[i]) * nf
	return p.x[s : s+nf : s+nf]
}

// Label returns the label of row i, NaN when missing.
func (p *Panel) Label(i int) float64 { return p.label[i] }

// Code returns the instrument code of row i.
func (p *Panel) Code(i int) string { return p.Codes[p.code[i]] }

// Date returns the day of row i.
func (p *Panel) Date(i int) time.Time {
	// dayStart is ascending; the day of row i is the last d with dayStart[d] <= i.
	d := sort.Search(len(p.Dates), func(d int) bool { return p.dayStart[d+1] > i })
	return p.Dates[d]
}

// Row returns row i.
func (p *Panel) Row(i int) Row {
	return Row{Date: p.Date(i), Code: p.Code(i), X: p.X(i), Label: p.label[i]}
}

// DayRows returns the half-open row range [start, end) of Dates[d].
func (p *Panel) DayRows(d int) (start, end int) {
	return p.dayStart[d], p.dayStart[d+1]
}

// All iterates over the rows in order, with their index.
func (p *Panel) All() iter.Seq2[int, Row] {
	return func(yield func(int, Row) bool) {
		for d, date := range p.Dates {
			for i := p.dayStart[d]; i < p.dayStart[d+1]; i++ {
				if !yield(i, Row{Date: date, Code: p.Code(i), X: p.X(i), Label: p.label[i]}) {
					return
				}
			}
		}
	}
}

// Window returns the rows whose day falls inside r, bounds included. The
// result may be empty.
func (p *Panel) Window(r DateRange) *Panel {
	start, end := asx.Civil(r.Start), asx.Civil(r.End)
	a := sort.Search(len(p.Dates), func(d int) bool { return !p.Dates[d].Before(start) })
	b := sort.Search(len(p.Dates), func(d int) bool { return p.Dates[d].After(end) })
	if b < a {
		b = a
	}
	lo, hi := p.dayStart[a], p.dayStart[b]
	dayStart := make([]int, b-a+1)
	for d := range dayStart {
		dayStart[d] = p.dayStart[a+d] - lo
	}
	return &Panel{
		Dates:    p.Dates[a:b:b],
		Codes:    p.Codes,
		Features: p.Features,
		dayStart: dayStart,
		store:    p.store[lo:hi:hi],
		code:     p.code[lo:hi:hi],
		label:    p.label[lo:hi:hi],
		x:        p.x,
	}
}

// Matrix is a panel exported for model training: a dense row-major feature
// matrix, the label vector and the key of every row.
type Matrix struct {
	Rows, Cols int
	// X holds Rows × Cols features, row-major; NaN marks a missing value.
	X []float64
	// Y holds the label of each row, NaN when missing.
	Y []float64
	// Dates and Codes give the (day, instrument) of each row; Dates can be
	// passed straight to analysis.DailyIC.
	Dates []time.Time
	Codes []string
}

// Matrix copies the panel into a Matrix the caller owns.
func (p *Panel) Matrix() Matrix {
	n, nf := p.Len(), len(p.Features)
	m := Matrix{
		Rows:  n,
		Cols:  nf,
		X:     make([]float64, n*nf),
		Y:     make([]float64, n),
		Dates: make([]time.Time, n),
		Codes: make([]string, n),
	}
	copy(m.Y, p.label)
	for d, date := range p.Dates {
		for i := p.dayStart[d]; i < p.dayStart[d+1]; i++ {
			copy(m.X[i*nf:(i+1)*nf], p.X(i))
			m.Dates[i] = date
			m.Codes[i] = p.Codes[p.code[i]]
		}
	}
	return m
}
