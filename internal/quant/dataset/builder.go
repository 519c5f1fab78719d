package dataset

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// Builder assembles a Panel one instrument at a time. Features are stored
// once, row-major, in the order they are added; Build only computes the
// (date, code) ordering on top of that storage, so call Grow with the expected
// row count to avoid re-allocating a large panel while it fills.
//
// A Builder is not safe for concurrent use.
type Builder struct {
	features []string
	x        []float64 // row-major, one storage row per (code, day)
	label    []float64 // per storage row
	dayOf    []int32   // per storage row: index into days
	days     []time.Time
	dayIndex map[time.Time]int32
	blocks   []block // one per Add, in Add order
	seen     map[string]bool
}

// block is the run of storage rows added for one instrument.
type block struct {
	code       string
	start, len int
}

// NewBuilder returns a Builder for rows with the named features.
func NewBuilder(features []string) *Builder {
	return &Builder{
		features: slices.Clone(features),
		dayIndex: make(map[time.Time]int32),
		seen:     make(map[string]bool),
	}
}

// Grow reserves room for n more rows.
func (b *Builder) Grow(n int) {
	if n <= 0 {
		return
	}
	b.x = slices.Grow(b.x, n*len(b.features))
	b.label = slices.Grow(b.label, n)
	b.dayOf = slices.Grow(b.dayOf, n)
}

// Add copies one instrument's columns into the builder. dates must be
// strictly increasing calendar days; features is indexed [feature][day] in
// the order given to NewBuilder, and every column, like label, has one value
// per date. A nil label marks every label missing, as for an inference panel.
// NaN marks a missing value.
func (b *Builder) Add(code string, dates []time.Time, features [][]float64, label []float64) error {
	if err := b.check(code, dates, features, label); err != nil {
		return err
	}
	n, nf := len(dates), len(b.features)
	start := len(b.label)
	if start+n > math.MaxInt32 {
		return apperr.FieldError("dates", "the dataset cannot hold more than %d rows", math.MaxInt32)
	}
	b.seen[code] = true
	b.blocks = append(b.blocks, block{code: code, start: start, len: n})

	b.x = slices.Grow(b.x, n*nf)
	for j := range n {
		for f := range nf {
			b.x = append(b.x, features[f][j])
		}
	}
	if label == nil {
		b.label = slices.Grow(b.label, n)
		for range n {
			b.label = append(b.label, math.NaN())
		}
	} else {
		b.label = append(b.label, label...)
	}
	b.dayOf = slices.Grow(b.dayOf, n)
	for _, t := range dates {
		day := asx.Civil(t)
		d, ok := b.dayIndex[day]
		if !ok {
			d = int32(len(b.days))
			b.dayIndex[day] = d
			b.days = append(b.days, day)
		}
		b.dayOf = append(b.dayOf, d)
	}
	return nil
}

func (b *Builder) check(code string, dates []time.Time, features [][]float64, label []float64) error {
	if code == "" {
		return apperr.FieldError("code", "instrument code is empty")
	}
	if b.seen[code] {
		return apperr.FieldError("code", "instrument %s was added twice", code)
	}
	if len(features) != len(b.features) {
		return apperr.FieldError("features", "instrument %s has %d feature columns; the dataset has %d",
			code, len(features), len(b.features))
	}
	for f, col := range features {
		if len(col) != len(dates) {
			return apperr.FieldError("features", "instrument %s feature %s has %d values for %d dates",
				code, b.features[f], len(col), len(dates))
		}
	}
	if label != nil && len(label) != len(dates) {
		return apperr.FieldError("label", "instrument %s has %d labels for %d dates", code, len(label), len(dates))
	}
	for j := 1; j < len(dates); j++ {
		if !asx.Civil(dates[j-1]).Before(asx.Civil(dates[j])) {
			return apperr.FieldError("dates", "instrument %s dates are not strictly increasing at %s",
				code, dates[j].Format(time.DateOnly))
		}
	}
	return nil
}

// Build returns the panel of everything added so far and resets the
// Builder. The panel takes over the builder's feature storage without
// copying it.
func (b *Builder) Build() *Panel {
	nf := len(b.features)

	// Rank the days and codes, so rows can be placed in (date, code) order.
	dayOrder := make([]int32, len(b.days))
	for i := range dayOrder {
		dayOrder[i] = int32(i)
	}
	slices.SortFunc(dayOrder, func(i, j int32) int { return b.days[i].Compare(b.days[j]) })
	dates := make([]time.Time, len(b.days))
	dayRank := make([]int32, len(b.days))
	for r, d := range dayOrder {
		dates[r] = b.days[d]
		dayRank[d] = int32(r)
	}
	blocks := slices.Clone(b.blocks)
	slices.SortFunc(blocks, func(p, q block) int { return cmp.Compare(p.code, q.code) })
	codes := make([]string, len(blocks))
	for i, bl := range blocks {
		codes[i] = bl.code
	}

	n := len(b.label)
	dayStart := make([]int, len(dates)+1)
	for _, d := range b.dayOf {
		dayStart[dayRank[d]+1]++
	}
	for d := range dates {
		dayStart[d+1] += dayStart[d]
	}

	// Walking codes in ascending order fills each day's rows in code order.
	next := slices.Clone(dayStart[:len(dates)])
	store := make([]int32, n)
	code := make([]int32, n)
	label := make([]float64, n)
	for ci, bl := range blocks {
		for s := bl.start; s < bl.start+bl.len; s++ {
			d := dayRank[b.dayOf[s]]
			i := next[d]
			next[d]++
			store[i] = int32(s)
			code[i] = int32(ci)
			label[i] = b.label[s]
		}
	}

	x := b.x[:n*nf]
	if cap(x)-len(x) > len(x)/8 {
		// Grow over-reserved: hand the panel a right-sized copy instead of
		// pinning the slack for the panel's lifetime.
		x = slices.Clone(x)
	}
	p := &Panel{
		Dates:    dates,
		Codes:    codes,
		Features: b.features,
		dayStart: dayStart,
		store:    store,
		code:     code,
		label:    label,
		x:        x[:len(x):len(x)],
	}
	*b = *NewBuilder(b.features)
	return p
}
