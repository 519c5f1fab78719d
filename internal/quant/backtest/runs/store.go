package runs

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

// Create stores a checked run for user, queued, through q (the caller's
// transaction, which queues its job too). A user with MaxActive runs queued
// or running is refused with TooManyRequests.
func (s *Service) Create(ctx context.Context, q *db.Queries, user int64, spec Spec) (int64, error) {
	if err := q.LockUserBacktests(ctx, user); err != nil {
		return 0, err
	}
	n, err := q.CountActiveBacktests(ctx, user)
	if err != nil {
		return 0, err
	}
	if n >= MaxActive {
		return 0, &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: 30e9,
			Message: "You have 3 backtests queued or running; wait for one to finish or cancel one."}
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return 0, err
	}
	vid := spec.ModelVersionID
	return q.CreateBacktest(ctx, db.CreateBacktestParams{UserID: user, ModelName: spec.ModelName, ModelVersionID: &vid,
		ModelVersion: int32(spec.ModelVersion), StartDate: spec.Start, EndDate: spec.End, Benchmark: Benchmark, Params: b})
}

// Get returns user's run id; another user's run is NotFound, as is a run
// that does not exist.
func (s *Service) Get(ctx context.Context, user, id int64) (Run, error) {
	b, err := db.New(s.pool).GetBacktest(ctx, db.GetBacktestParams{ID: id, UserID: user})
	if db.IsNotFound(err) {
		return Run{}, apperr.New(apperr.NotFound, "backtest %d does not exist", id)
	}
	if err != nil {
		return Run{}, err
	}
	return runFrom(b)
}

// ListItem is one row of a user's runs.
type ListItem struct {
	Run
	Metrics *backtest.Metrics `json:"metrics,omitempty"`
}

// List returns user's latest MaxListed runs, newest first.
func (s *Service) List(ctx context.Context, user int64) ([]ListItem, error) {
	rows, err := db.New(s.pool).ListBacktests(ctx, db.ListBacktestsParams{UserID: user, Limit: MaxListed})
	if err != nil {
		return nil, err
	}
	out := make([]ListItem, 0, len(rows))
	for _, r := range rows {
		it := ListItem{Run: Run{ID: r.ID, Status: r.Status, Stage: r.Stage, Step: int(r.Step), Total: int(r.Total),
			Message: r.Message, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt}}
		if err := json.Unmarshal(r.Params, &it.Spec); err != nil {
			return nil, err
		}
		if len(r.Metrics) > 0 {
			it.Metrics = &backtest.Metrics{}
			if err := json.Unmarshal(r.Metrics, it.Metrics); err != nil {
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// Cancel marks user's queued or running run cancelled and returns its job
// id for the queue to cancel. A finished run is Conflict.
func (s *Service) Cancel(ctx context.Context, user, id int64) (jobID int64, err error) {
	q := db.New(s.pool)
	j, err := q.CancelBacktest(ctx, db.CancelBacktestParams{ID: id, UserID: user})
	if db.IsNotFound(err) {
		r, gerr := s.Get(ctx, user, id)
		if gerr != nil {
			return 0, gerr
		}
		return 0, apperr.New(apperr.Conflict, "backtest %d is %s already", id, r.Status)
	}
	if err != nil || j == nil {
		return 0, err
	}
	return *j, nil
}

// Days returns a completed run's daily rows.
func (s *Service) Days(ctx context.Context, run Run) ([]backtest.Day, error) {
	rows, err := db.New(s.pool).ListBacktestDays(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	out := make([]backtest.Day, len(rows))
	for i, r := range rows {
		d := backtest.Day{Date: r.Date, Value: r.Value, Cash: r.Cash, Costs: r.Costs, Dividends: r.Dividends,
			Positions: int(r.Positions), Return: r.Ret, Cost: r.Cost, Turnover: r.Turnover, BenchReturn: r.BenchReturn,
			Bench: math.NaN()}
		if r.BenchClose != nil {
			d.Bench = *r.BenchClose
		}
		d.StockValue = d.Value.Sub(d.Cash)
		out[i] = d
	}
	return out, nil
}

// Trades returns limit of a run's trades from offset, and how many it has.
func (s *Service) Trades(ctx context.Context, run Run, offset, limit int) ([]backtest.Trade, int, error) {
	q := db.New(s.pool)
	n, err := q.CountBacktestTrades(ctx, run.ID)
	if err != nil {
		return nil, 0, err
	}
	if offset < 0 || offset >= int(n) {
		return []backtest.Trade{}, int(n), nil // past the end (also: no offset beyond int32 reaches SQL)
	}
	rows, err := q.ListBacktestTrades(ctx, db.ListBacktestTradesParams{BacktestID: run.ID, Lim: int32(limit), Off: int32(offset)})
	if err != nil {
		return nil, 0, err
	}
	out := make([]backtest.Trade, len(rows))
	for i, r := range rows {
		out[i] = backtest.Trade{Date: r.Date, Code: r.Code, Side: r.Side, Shares: r.Shares, Price: r.Price,
			Value: r.Value, Cost: r.Cost, Gain: r.Gain.Decimal}
	}
	return out, int(n), nil
}

// Holdings returns a run's positions at the closes from from to to.
func (s *Service) Holdings(ctx context.Context, run Run, from, to time.Time) ([]backtest.Holding, error) {
	rows, err := db.New(s.pool).ListBacktestHoldings(ctx, db.ListBacktestHoldingsParams{BacktestID: run.ID, FromDate: from, ToDate: to})
	if err != nil {
		return nil, err
	}
	out := make([]backtest.Holding, len(rows))
	for i, r := range rows {
		out[i] = backtest.Holding{Date: r.Date, Code: r.Code, Shares: r.Shares, Price: r.Price, Value: r.Value, DaysHeld: int(r.DaysHeld)}
	}
	return out, nil
}

// HoldingsPage returns limit of a run's holdings (every close, by date then
// code) from offset, and how many there are.
func (s *Service) HoldingsPage(ctx context.Context, run Run, offset, limit int) ([]backtest.Holding, int, error) {
	q := db.New(s.pool)
	n, err := q.CountBacktestHoldings(ctx, run.ID)
	if err != nil {
		return nil, 0, err
	}
	if offset < 0 || offset >= int(n) {
		return []backtest.Holding{}, int(n), nil // past the end (also: no offset beyond int32 reaches SQL)
	}
	rows, err := q.ListBacktestHoldingsPage(ctx, db.ListBacktestHoldingsPageParams{BacktestID: run.ID, Lim: int32(limit), Off: int32(offset)})
	if err != nil {
		return nil, 0, err
	}
	out := make([]backtest.Holding, len(rows))
	for i, r := range rows {
		out[i] = backtest.Holding{Date: r.Date, Code: r.Code, Shares: r.Shares, Price: r.Price, Value: r.Value, DaysHeld: int(r.DaysHeld)}
	}
	return out, int(n), nil
}

// save writes a computed run's rows and summary in one transaction; it
// stores nothing when the run was cancelled meanwhile.
func (s *Service) save(ctx context.Context, id int64, c *Computed) error {
	summary, err := json.Marshal(c.Summary)
	if err != nil {
		return err
	}
	res := c.Report.Result
	return db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		for _, del := range []func(context.Context, int64) error{q.DeleteBacktestResults, q.DeleteBacktestTrades, q.DeleteBacktestHoldings} {
			if err := del(ctx, id); err != nil {
				return err
			}
		}
		days := make([]db.CopyBacktestDaysParams, len(res.Days))
		for i, d := range res.Days {
			days[i] = db.CopyBacktestDaysParams{BacktestID: id, Date: d.Date, Value: d.Value, Cash: d.Cash, Costs: d.Costs,
				Dividends: d.Dividends, Positions: int32(d.Positions), Ret: d.Return, Cost: d.Cost, Turnover: d.Turnover,
				BenchReturn: d.BenchReturn}
			if !math.IsNaN(d.Bench) {
				b := d.Bench
				days[i].BenchClose = &b
			}
		}
		if _, err := q.CopyBacktestDays(ctx, days); err != nil {
			return err
		}
		trades := make([]db.CopyBacktestTradesParams, len(res.Trades))
		for i, t := range res.Trades {
			trades[i] = db.CopyBacktestTradesParams{BacktestID: id, Seq: int32(i + 1), Date: t.Date, Code: t.Code, Side: t.Side,
				Shares: t.Shares, Price: t.Price, Value: t.Value, Cost: t.Cost}
			if t.Side == backtest.Sell {
				trades[i].Gain = decimal.NullDecimal{Decimal: t.Gain, Valid: true}
			}
		}
		if _, err := q.CopyBacktestTrades(ctx, trades); err != nil {
			return err
		}
		hold := make([]db.CopyBacktestHoldingsParams, len(res.Holdings))
		for i, h := range res.Holdings {
			hold[i] = db.CopyBacktestHoldingsParams{BacktestID: id, Date: h.Date, Code: h.Code, Shares: h.Shares,
				Price: h.Price, Value: h.Value, DaysHeld: int32(h.DaysHeld)}
		}
		if _, err := q.CopyBacktestHoldings(ctx, hold); err != nil {
			return err
		}
		n, err := q.CompleteBacktest(ctx, db.CompleteBacktestParams{ID: id, Report: summary})
		if err != nil {
			return err
		}
		if n == 0 {
			return errCancelled
		}
		return nil
	})
}

// TradesOf returns a run's trades of one code, in order.
func (s *Service) TradesOf(ctx context.Context, run Run, code string) ([]backtest.Trade, error) {
	rows, err := db.New(s.pool).ListBacktestTradesOf(ctx, db.ListBacktestTradesOfParams{BacktestID: run.ID, Code: code})
	if err != nil {
		return nil, err
	}
	out := make([]backtest.Trade, len(rows))
	for i, r := range rows {
		out[i] = backtest.Trade{Date: r.Date, Code: r.Code, Side: r.Side, Shares: r.Shares, Price: r.Price,
			Value: r.Value, Cost: r.Cost, Gain: r.Gain.Decimal}
	}
	return out, nil
}
