package dataset

import (
	"math"
	"time"
)

// DropMissingLabel returns p without the rows whose label is missing, and
// without the days left empty, as Qlib's DropnaLabel processor does. It
// returns p itself when no label is missing.
//
// Like DropnaLabel it is a learn-time step: predictions for a day whose
// label is not known yet need the rows it drops.
func DropMissingLabel(p *Panel) *Panel {
	kept := 0
	for _, l := range p.label {
		if !math.IsNaN(l) {
			kept++
		}
	}
	if kept == p.Len() {
		return p
	}
	q := &Panel{
		Codes:    p.Codes,
		Features: p.Features,
		dayStart: make([]int, 1, len(p.dayStart)),
		store:    make([]int32, 0, kept),
		code:     make([]int32, 0, kept),
		label:    make([]float64, 0, kept),
		x:        p.x,
	}
	for d, date := range p.Dates {
		before := len(q.store)
		for i := p.dayStart[d]; i < p.dayStart[d+1]; i++ {
			if math.IsNaN(p.label[i]) {
				continue
			}
			q.store = append(q.store, p.store[i])
			q.code = append(q.code, p.code[i])
			q.label = append(q.label, p.label[i])
		}
		if len(q.store) > before {
			q.Dates = append(q.Dates, date)
			q.dayStart = append(q.dayStart, len(q.store))
		}
	}
	if q.Dates == nil {
		q.Dates = []time.Time{}
	}
	return q
}

// CSZScoreNormLabel returns p with each day's labels z-scored across the
// instruments of that day: (label - mean) / std, as Qlib's CSZScoreNorm on
// the label group. Like pandas, mean and std skip missing labels, std uses
// ddof=1, and missing labels stay missing.
//
// A day with a single labelled instrument has no std, and a day whose labels
// are all equal has std 0; in both Qlib produces NaN for the whole day, and
// so does this. Qlib runs DropnaLabel before CSZScoreNorm, so such NaN labels
// reach the model; call DropMissingLabel again afterwards when the model
// cannot take them.
func CSZScoreNormLabel(p *Panel) *Panel {
	label := make([]float64, len(p.label))
	for d := range p.Dates {
		lo, hi := p.dayStart[d], p.dayStart[d+1]
		zscoreDay(label[lo:hi], p.label[lo:hi])
	}
	q := *p
	q.label = label
	return &q
}

// zscoreDay writes the cross-sectional z-scores of src into dst.
func zscoreDay(dst, src []float64) {
	n, sum := 0, 0.0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range src {
		if math.IsNaN(v) {
			continue
		}
		n++
		sum += v
		lo, hi = min(lo, v), max(hi, v)
	}
	// With one value the ddof=1 std is undefined; with equal values it is 0
	// and every z-score is 0/0. Testing lo == hi instead of std == 0 keeps
	// rounding in the mean from turning 0/0 into ±Inf.
	if n < 2 || lo == hi {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return
	}
	mean := sum / float64(n)
	ss := 0.0
	for _, v := range src {
		if !math.IsNaN(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	std := math.Sqrt(ss / float64(n-1))
	for i, v := range src {
		dst[i] = (v - mean) / std // NaN stays NaN
	}
}
