package portfolio

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// BenchmarkCode is the index value history is compared with.
const BenchmarkCode = "XJO"

// Point is an account's value on one day.
type Point struct {
	Date  time.Time // civil date (UTC midnight)
	Value decimal.Decimal
	Flow  decimal.Decimal // money paid in that day
	Live  bool            // today's live value, not a snapshot
}

// BenchPoint is the benchmark's close on one day.
type BenchPoint struct {
	Date  time.Time
	Close float64
}

// History is an account's daily value with today's live value, the XJO
// closes over the same dates and the time-weighted return.
type History struct {
	Points    []Point
	Benchmark []BenchPoint
	TWR       decimal.Decimal // time-weighted return over Points, a fraction
	// BenchmarkReturn is XJO's return over its closes within the period, a
	// fraction (0 without two closes).
	BenchmarkReturn float64
}

// Snapshot records a's value v as the snapshot of date (idempotent: the
// last write of a day wins).
func (s *Service) Snapshot(ctx context.Context, v Valuation, date time.Time) error {
	return s.q.UpsertSnapshot(ctx, db.UpsertSnapshotParams{AccountID: v.Account.ID, Generation: v.Account.Generation,
		Date: asx.Civil(date), Cash: v.Cash, MarketValue: v.MarketValue, Total: v.Total, Flow: decimal.Zero})
}

// SnapshotAll records every account's value as the snapshot of date (the
// matcher runs it after each session's close).
func (s *Service) SnapshotAll(ctx context.Context, date time.Time) error {
	rows, err := s.q.ListAllPaperAccounts(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		v, err := s.Value(ctx, accountFrom(r))
		if err != nil {
			return err
		}
		if err := s.Snapshot(ctx, v, date); err != nil {
			return err
		}
	}
	return nil
}

// History returns the value history of the account valued live by v.
func (s *Service) History(ctx context.Context, v Valuation) (History, error) {
	a := v.Account
	rows, err := s.q.ListSnapshots(ctx, db.ListSnapshotsParams{AccountID: a.ID, Generation: a.Generation})
	if err != nil {
		return History{}, err
	}
	var h History
	today := asx.TradeDate(s.sessionNow())
	for _, r := range rows {
		if !r.Date.Before(today) {
			continue
		}
		h.Points = append(h.Points, Point{Date: asx.Civil(r.Date), Value: r.Total, Flow: r.Flow})
	}
	flow := decimal.Zero
	for _, r := range rows {
		if asx.Civil(r.Date).Equal(today) {
			flow = r.Flow
		}
	}
	h.Points = append(h.Points, Point{Date: today, Value: v.Total, Flow: flow, Live: true})
	h.TWR = TimeWeightedReturn(h.Points)
	bench, err := s.q.ListBenchmarkCloses(ctx, db.ListBenchmarkClosesParams{Code: BenchmarkCode,
		FromDate: h.Points[0].Date, ToDate: today})
	if err != nil {
		return h, err
	}
	for _, b := range bench {
		h.Benchmark = append(h.Benchmark, BenchPoint{Date: asx.Civil(b.Date), Close: b.Close})
	}
	if n := len(h.Benchmark); n >= 2 && h.Benchmark[0].Close > 0 {
		h.BenchmarkReturn = h.Benchmark[n-1].Close/h.Benchmark[0].Close - 1
	}
	return h, nil
}

// TimeWeightedReturn chains the daily returns of points, taking each day's
// flow (money paid in, counted at the start of the day) out of that day's
// growth, so deposits do not count as performance:
//
//	TWR = Π V_i / (V_{i−1} + F_i) − 1, with V_{−1} = 0.
//
// The opening deposit is the first day's flow, so the first day's growth is
// its closing value over the money paid in.
func TimeWeightedReturn(points []Point) decimal.Decimal {
	growth := decimal.NewFromInt(1)
	prev := decimal.Zero
	for _, p := range points {
		if base := prev.Add(p.Flow); base.IsPositive() {
			growth = growth.Mul(p.Value).DivRound(base, 12)
		}
		prev = p.Value
	}
	return growth.Sub(decimal.NewFromInt(1)).Round(6)
}
