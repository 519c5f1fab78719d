package market

import (
	"context"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// Listing is an instrument as quote displays need it.
type Listing struct {
	Code, Name, Sector, Kind string
}

// SessionQuotes rebuilds every active instrument's quote for the Sydney date
// of now: the previous close from daily bars, today's open, high, low and
// volume from one-minute bars, and bid, ask and sequence from the newest tick.
// A process that starts mid-session therefore shows the day so far.
func (s *Service) SessionQuotes(ctx context.Context, now time.Time) ([]Quote, []Listing, error) {
	seeds, err := s.q.ListQuoteSeeds(ctx)
	if err != nil {
		return nil, nil, err
	}
	syd := now.In(asx.Sydney())
	today := asx.Civil(syd)
	bars, err := s.q.ListSessionBars(ctx, today)
	if err != nil {
		return nil, nil, err
	}
	startOfDay := time.Date(syd.Year(), syd.Month(), syd.Day(), 0, 0, 0, 0, asx.Sydney())
	ticks, err := s.q.ListLastTicks(ctx, startOfDay)
	if err != nil {
		return nil, nil, err
	}
	byCode := map[string]db.ListSessionBarsRow{}
	for _, b := range bars {
		byCode[b.Code] = b
	}
	lastTick := map[string]db.ListLastTicksRow{}
	for _, t := range ticks {
		lastTick[t.Code] = t
	}
	quotes := make([]Quote, 0, len(seeds))
	listings := make([]Listing, 0, len(seeds))
	for _, sd := range seeds {
		listings = append(listings, Listing{Code: sd.Code, Name: sd.Name, Sector: sd.Sector, Kind: sd.Kind})
		q := Quote{Code: sd.Code, PrevClose: sd.LastClose, Last: sd.LastClose}
		if !sd.LastDate.Before(today) {
			q.PrevClose = sd.PriorClose // today's bar is already final
		}
		if b, ok := byCode[sd.Code]; ok {
			q.Open, q.High, q.Low, q.Last, q.Volume = b.Open, b.High, b.Low, b.Close, b.Volume
		}
		if t, ok := lastTick[sd.Code]; ok {
			q.Bid, q.Ask, q.Seq, q.Time = t.Bid, t.Ask, t.Seq, t.Time
		}
		quotes = append(quotes, q)
	}
	return quotes, listings, nil
}
