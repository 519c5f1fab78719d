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
		labelAhead: expr.MaxLookahead(alpha158.Label().Node),
		lookback:   alpha158.Lookback(),
		workers:    2,
	}
}

// Name returns the feature set's name.
func (s *Store) Name() string { return s.name }

// Features returns the feature names in stored column order.
func (s *Store) Features() []string { return append([]string(nil), s.features...) }

// Bar is one daily bar, as the features read it.
type Bar struct {
	Date                   time.Time
	Open, High, Low, Close float64
	Volume                 *int64 // nil when the source has none
}

// Series turns bars (oldest first) into the expression engine's input. The
// data has no VWAP, so $vwap reads as missing, as in Qlib's Yahoo data.
func Series(bars []Bar) expr.Series {
	n := len(bars)
	open, high, low := make([]float64, n), make([]float64, n), make([]float64, n)
	closes, volume := make([]float64, n), make([]float64, n)
	for i, b := range bars {
		open[i], high[i], low[i], closes[i] = b.Open, b.High, b.Low, b.Close
		volume[i] = math.NaN()
		if b.Volume != nil {
			volume[i] = float64(*b.Volume)
		}
	}
	return expr.Series{Len: n, Fields: map[string][]float64{
		"open": open, "high": high, "low": low, "close": closes, "volume": volume,
	}}
}
