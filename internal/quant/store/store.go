// Package store keeps the Alpha158 factor values of every instrument and
// trading day in PostgreSQL, so that scoring and training read them instead of
// recomputing them per request.
//
// Refresh extends the store after each close: it compares the stored rows
// with the daily bars they were computed from, and recomputes each instrument
// only from the first day that is new or whose bar changed, loading just the
// history the features read before that day. Labels look ahead two days and
// are never stored; Panel computes them from closes when it builds a dataset.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/quant/alpha158"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

// SetAlpha158 is the name of the Alpha158 feature set.
const SetAlpha158 = "alpha158"

// Evaluation names how the stored rows are computed: on the market calendar,
// a day without a bar being a NaN slot, as Qlib does.
const Evaluation = "market-calendar"

// historyMargin is added to the rows of history the features read (60 for
// Alpha158) when an instrument is recomputed from a day on. The lookback is
// exact, so the margin only keeps the first rewritten row away from the edge
// of the loaded history.
const historyMargin = 20

// Store reads and writes one feature set. It is safe for concurrent use;
// refreshes of the same set are serialised through an advisory lock.
type Store struct {
	pool     *pgxpool.Pool
	name     string
	features []string
	hash     string
	program  *expr.Program // the features, then the label
	label    *expr.Program
	trLabel  *expr.Program // the total-return label (labels.go)
	// labelAhead is how many bars after its day LABEL0 reads: a label
	// whose day or horizon holds a simulated bar is unknown.
	labelAhead int
	lookback   int
	workers    int
}

// New returns the Alpha158 store over pool.
func New(pool *pgxpool.Pool) *Store {
	fs := alpha158.Features()
	h := sha256.New()
	// Rows computed before calendar alignment read each instrument's own
	// days; naming the evaluation rule in the hash rebuilds them.
	h.Write([]byte(Evaluation + "\n"))
	for _, f := range fs {
		h.Write([]byte(f.Name + "\t" + f.Node.String() + "\n"))
	}
	label, err := expr.Compile(alpha158.Label().Node)
	if err != nil {
		// The label is a fixed expression embedded in the binary.
		panic("store: compile LABEL0: " + err.Error())
	}
	return &Store{
		pool:       pool,
		name:       SetAlpha158,
		features:   alpha158.Names(),
		hash:       hex.EncodeToString(h.Sum(nil)),
		program:    alpha158.Program(),
		label:      label,
		trLabel:    mustCompile(TotalReturnLabelExpr),
		labelAhead: expr.MaxLookahead(alpha158.Label().Node),
		lookback:   alpha158.Lookback(),
		workers:    2,
	}
}

// Name returns the feature set's name.
func (s *Store) Name() string { return s.name }

// Features returns the feature names in stored column order.
func (s *Store) Features() []string { return append([]string(nil), s.features...) }

// Bar is one daily bar as stored: raw (traded) prices and volume, and the
// corporate-action adjustment factor of its day (Qlib's $factor).
type Bar struct {
	Date                   time.Time
	Open, High, Low, Close float64
	Volume                 *int64 // nil when the source has none
	// Factor adjusts the bar for later splits, consolidations and other
	// corporate actions: adjusted price = raw × Factor, adjusted volume =
	// raw ÷ Factor. The latest bar's factor is 1. Zero reads as 1.
	Factor float64
}

// AdjFactor returns b's adjustment factor (1 when unset).
func (b Bar) AdjFactor() float64 {
	if b.Factor == 0 {
		return 1
	}
	return b.Factor
}

// Adjusted returns b with prices multiplied and volume divided by its factor
// (volume rounded to a whole number of shares), and Factor 1.
func (b Bar) Adjusted() Bar {
	f := b.AdjFactor()
	if f == 1 {
		b.Factor = 1
		return b
	}
	out := Bar{Date: b.Date, Open: b.Open * f, High: b.High * f, Low: b.Low * f, Close: b.Close * f, Factor: 1}
	if b.Volume != nil {
		v := int64(math.Round(float64(*b.Volume) / f))
		out.Volume = &v
	}
	return out
}

// Series turns bars (oldest first) into the expression engine's input, as
// Qlib does: $open, $high, $low, $close are adjusted prices (raw × factor),
// $volume is adjusted volume (raw ÷ factor) and $factor is the factor. The
// data has no VWAP, so $vwap reads as missing, as in Qlib's Yahoo data.
// Factors are evaluated on Align's series instead, which adds the market's
// trading days without a bar as NaN rows, as Qlib does.
func Series(bars []Bar) expr.Series {
	n := len(bars)
	open, high, low := make([]float64, n), make([]float64, n), make([]float64, n)
	closes, volume, factor := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, b := range bars {
		f := b.AdjFactor()
		open[i], high[i], low[i], closes[i], factor[i] = b.Open*f, b.High*f, b.Low*f, b.Close*f, f
		volume[i] = math.NaN()
		if b.Volume != nil {
			volume[i] = float64(*b.Volume) / f
		}
	}
	return expr.Series{Len: n, Fields: map[string][]float64{
		"open": open, "high": high, "low": low, "close": closes, "volume": volume, "factor": factor,
	}}
}
