package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

// Aligned is one instrument's bars laid on the market calendar, as Qlib
// evaluates expressions: one row per trading day from the first bar to the
// last, every field NaN on the days without a bar. Those rows count in every
// rolling window but are not the instrument's rows: Pos maps each bar to its
// row, and callers emit values only there.
type Aligned struct {
	Series expr.Series
	Dates  []time.Time // the date of each row
	Pos    []int       // Pos[i] is the row of bars[i]
}

// Halts returns how many rows have no bar.
func (a Aligned) Halts() int { return len(a.Dates) - len(a.Pos) }

// Align lays bars (oldest first, one per day) on cal.
func Align(cal *calendar.Calendar, bars []Bar) Aligned {
	dates := make([]time.Time, len(bars))
	for i, b := range bars {
		dates[i] = b.Date
	}
	slots, pos := cal.Layout(dates)
	s := Series(bars)
	if len(slots) != len(bars) {
		for f, col := range s.Fields {
			spread := make([]float64, len(slots))
			calendar.Spread(spread, col, pos)
			s.Fields[f] = spread
		}
		s.Len = len(slots)
	}
	return Aligned{Series: s, Dates: slots, Pos: pos}
}

// Calendar returns the market calendar the store evaluates features on.
func Calendar(ctx context.Context, pool *pgxpool.Pool) (*calendar.Calendar, error) {
	return calendar.Load(ctx, db.New(pool))
}

// labelAligned evaluates LABEL0 over an instrument's closes laid on cal
// (dates ascending) and returns it per close: the return from the next
// trading day's close to the one after, NaN when the instrument did not
// trade on either day, as Qlib's Ref($close, -2)/Ref($close, -1) - 1 on its
// calendar. With dividends (cash per share going ex on each close's day) it
// is the total-return label instead.
func (s *Store) labelAligned(cal *calendar.Calendar, dates []time.Time, closes, dividends []float64) ([]float64, error) {
	slots, pos := cal.Layout(dates)
	c, d := closes, dividends
	if len(slots) != len(closes) {
		c = make([]float64, len(slots))
		calendar.Spread(c, closes, pos)
		if dividends != nil {
			d = make([]float64, len(slots))
			calendar.Spread(d, dividends, pos)
		}
	}
	var lab []float64
	var err error
	if dividends == nil {
		lab, err = s.Label(c)
	} else {
		lab, err = s.TotalReturnLabel(c, d)
	}
	if err != nil {
		return nil, err
	}
	if len(slots) == len(closes) {
		return lab, nil
	}
	out := make([]float64, len(pos))
	for i, p := range pos {
		out[i] = lab[p]
	}
	return out, nil
}
