// Package market holds Qlib Pro's market data: the tick, quote and bar types
// and the rules that turn ticks into quotes and bars (this file), candles at
// any interval from the stored bars (candles.go), the session's opening
// quotes (seed.go) and users' watchlists (watchlists.go). It reads and writes
// PostgreSQL through db; it knows nothing of HTTP or templates.
package market

import (
	"math"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// TickKind says how a print came about.
type TickKind uint8

// Tick kinds: continuous trading, an auction's single price print, or a quote
// update with no trade (Size 0).
const (
	Trade TickKind = iota
	Auction
	QuoteOnly
)

// Tick is one market event for one instrument. Prices are market data
// (float64); money that changes hands is decimal elsewhere.
type Tick struct {
	Time  time.Time // exchange time, UTC
	Code  string
	Price float64 // last trade price (for QuoteOnly, the last trade so far)
	Size  int64   // shares traded; 0 for QuoteOnly
	Bid   float64 // best bid after the event; 0 when none
	Ask   float64 // best ask after the event; 0 when none
	Seq   int64   // per-feed sequence, strictly increasing
	Kind  TickKind
}

// Quote is the running state of one instrument for the current session.
type Quote struct {
	Code      string    `json:"code"`
	Last      float64   `json:"last"`
	Bid       float64   `json:"bid"`
	Ask       float64   `json:"ask"`
	Open      float64   `json:"open"`
	High      float64   `json:"high"`
	Low       float64   `json:"low"`
	PrevClose float64   `json:"prev_close"`
	Volume    int64     `json:"volume"`
	Trades    int64     `json:"trades"`
	Time      time.Time `json:"time"`
	Seq       int64     `json:"seq"`
}

// Change is Last minus the previous close (0 without a previous close).
func (q Quote) Change() float64 {
	if q.PrevClose == 0 || q.Last == 0 {
		return 0
	}
	return q.Last - q.PrevClose
}

// ChangePct is the change as a fraction of the previous close.
func (q Quote) ChangePct() float64 {
	if q.PrevClose == 0 || q.Last == 0 {
		return 0
	}
	return q.Last/q.PrevClose - 1
}

// Apply folds t into q and returns the new quote. Ticks older than the quote's
// sequence are ignored so replays and duplicates cannot move it backwards.
func (q Quote) Apply(t Tick) Quote {
	if t.Seq != 0 && t.Seq <= q.Seq {
		return q
	}
	if newSession(q.Time, t.Time) {
		// The first event of a new trading day: the last price becomes the
		// previous close and the day's figures start again.
		if q.Last > 0 {
			q.PrevClose = q.Last
		}
		q.Open, q.High, q.Low, q.Volume, q.Trades = 0, 0, 0, 0, 0
	}
	q.Code = t.Code
	q.Time, q.Seq = t.Time, t.Seq
	if t.Bid > 0 {
		q.Bid = t.Bid
	}
	if t.Ask > 0 {
		q.Ask = t.Ask
	}
	if t.Kind == QuoteOnly || t.Size <= 0 || t.Price <= 0 {
		return q
	}
	q.Last = t.Price
	if q.Open == 0 {
		q.Open = t.Price
	}
	q.High = math.Max(q.High, t.Price)
	if q.Low == 0 || t.Price < q.Low {
		q.Low = t.Price
	}
	q.Volume += t.Size
	q.Trades++
	return q
}

// newSession reports whether next falls on a later Sydney calendar date than
// prev (both known).
func newSession(prev, next time.Time) bool {
	if prev.IsZero() || next.IsZero() || !next.After(prev) {
		return false
	}
	p, n := prev.In(asx.Sydney()), next.In(asx.Sydney())
	return p.Year() != n.Year() || p.YearDay() != n.YearDay()
}

// Bar is an OHLCV bar starting at Time.
type Bar struct {
	Time   time.Time `json:"time"`
	Open   float64   `json:"open"`
	High   float64   `json:"high"`
	Low    float64   `json:"low"`
	Close  float64   `json:"close"`
	Volume int64     `json:"volume"`
}

// Add folds a trade into the bar.
func (b Bar) Add(price float64, size int64) Bar {
	if b.Open == 0 {
		b.Open, b.High, b.Low = price, price, price
	}
	b.High = math.Max(b.High, price)
	b.Low = math.Min(b.Low, price)
	b.Close = price
	b.Volume += size
	return b
}
