package handlers

import (
	"encoding/json"
	"math"
	"sync"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
)

// QuoteRenderer renders hub updates: the quote board row (HTML) and the
// compact JSON charts and programs receive. The hub calls it once per update.
type QuoteRenderer struct {
	mu       sync.RWMutex
	listings map[string]market.Listing
}

// NewQuoteRenderer returns a renderer that names instruments from listings.
func NewQuoteRenderer(listings []market.Listing) *QuoteRenderer {
	r := &QuoteRenderer{listings: map[string]market.Listing{}}
	r.SetListings(listings)
	return r
}

// SetListings replaces the instrument names and sectors.
func (r *QuoteRenderer) SetListings(listings []market.Listing) {
	m := make(map[string]market.Listing, len(listings))
	for _, l := range listings {
		m[l.Code] = l
	}
	r.mu.Lock()
	r.listings = m
	r.mu.Unlock()
}

func (r *QuoteRenderer) listing(code string) market.Listing {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.listings[code]
}

// Row maps a quote to its board row; prev decides the flash direction.
func (r *QuoteRenderer) Row(q, prev market.Quote) components.QuoteRowView {
	l := r.listing(q.Code)
	v := components.QuoteRowView{
		Code: q.Code, Name: l.Name, Sector: l.Sector,
		Last: q.Last, Change: q.Change(), ChangePct: q.ChangePct(),
		Bid: q.Bid, Ask: q.Ask, Volume: q.Volume, Low: q.Low, High: q.High,
		Event: hub.HTMLEventName(q.Code),
	}
	if !q.Time.IsZero() {
		v.Time = display.Clock(q.Time)
	}
	switch {
	case prev.Last > 0 && q.Last > prev.Last:
		v.Flash = "up"
	case prev.Last > 0 && q.Last < prev.Last:
		v.Flash = "down"
	}
	return v
}

// QuoteHTML renders the board row.
func (r *QuoteRenderer) QuoteHTML(q, prev market.Quote) ([]byte, error) {
	return renderBytes(components.QuoteRow(r.Row(q, prev)))
}

// QuoteJSON is one live update for charts and programs.
type QuoteJSON struct {
	Code      string  `json:"code"`
	Last      float64 `json:"last"`
	Bid       float64 `json:"bid,omitempty"`
	Ask       float64 `json:"ask,omitempty"`
	Open      float64 `json:"open,omitempty"`
	High      float64 `json:"high,omitempty"`
	Low       float64 `json:"low,omitempty"`
	PrevClose float64 `json:"prev_close,omitempty"`
	Change    float64 `json:"change"`
	ChangePct float64 `json:"change_pct"`
	Volume    int64   `json:"volume"`
	Time      string  `json:"time,omitempty"` // RFC 3339, UTC
	// For charts: the last trade's price and size, its time in Unix ms and
	// the Sydney UTC offset then (lightweight-charts draws UTC only).
	Trade  float64 `json:"trade,omitempty"`
	Size   int64   `json:"size,omitempty"`
	TimeMS int64   `json:"t,omitempty"`
	Offset int     `json:"off,omitempty"`
}

// JSONQuote maps a quote (and its last tick) to the JSON payload.
func JSONQuote(q market.Quote, last market.Tick) QuoteJSON {
	out := QuoteJSON{Code: q.Code, Last: q.Last, Bid: q.Bid, Ask: q.Ask, Open: q.Open, High: q.High, Low: q.Low,
		PrevClose: q.PrevClose, Change: round(q.Change(), 1e4), ChangePct: round(q.ChangePct(), 1e6), Volume: q.Volume}
	if !q.Time.IsZero() {
		out.Time = q.Time.UTC().Format(time.RFC3339Nano)
	}
	if last.Size > 0 && last.Price > 0 {
		out.Trade, out.Size, out.TimeMS = last.Price, last.Size, last.Time.UnixMilli()
		_, out.Offset = last.Time.In(asx.Sydney()).Zone()
	}
	return out
}

// QuoteJSON renders the JSON payload.
func (r *QuoteRenderer) QuoteJSON(q market.Quote, last market.Tick) ([]byte, error) {
	return json.Marshal(JSONQuote(q, last))
}

// round drops float noise (−1.1299999999999955 → −1.13) at 1/scale.
func round(v, scale float64) float64 { return math.Round(v*scale) / scale }
