package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
)

// QueueBacktests runs backtests one at a time per machine, apart from the
// scoring jobs.
const QueueBacktests = "backtests"

// BacktestArgs runs a stored backtest (runs.Service.Execute).
type BacktestArgs struct {
	ID int64 `json:"backtest_id"`
}

// Kind names the job in river.
func (BacktestArgs) Kind() string { return "quant_backtest" }

// InsertOpts sends backtests to their queue; a run that fails is marked
// failed and not retried.
func (BacktestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueBacktests, MaxAttempts: 1}
}

type backtestWorker struct {
	river.WorkerDefaults[BacktestArgs]
	runs *runs.Service
	log  *slog.Logger
}

func (w *backtestWorker) Timeout(*river.Job[BacktestArgs]) time.Duration { return 30 * time.Minute }

func (w *backtestWorker) Work(ctx context.Context, job *river.Job[BacktestArgs]) error {
	if err := w.runs.Execute(ctx, job.Args.ID, w.log); err != nil {
		return river.JobCancel(err) // marked failed with its reason; retrying cannot help
	}
	return nil
}

// Backtests returns the backtest service the workers run.
func (c *Client) Backtests() *runs.Service { return c.backtests }

// EnqueueBacktest checks req (bad input is an Invalid or NotFound error
// naming the field, before anything is stored), stores the run for user and
// queues its job in one transaction.
func (c *Client) EnqueueBacktest(ctx context.Context, user int64, req runs.Request) (int64, error) {
	spec, err := c.backtests.Check(ctx, req)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.WithTx(ctx, c.pool, func(q *db.Queries, tx pgx.Tx) error {
		if id, err = c.backtests.Create(ctx, q, user, spec); err != nil {
			return err
		}
		res, err := c.river.InsertTx(ctx, tx, BacktestArgs{ID: id}, nil)
		if err != nil {
			return err
		}
		return q.SetBacktestJob(ctx, db.SetBacktestJobParams{ID: id, JobID: &res.Job.ID})
	})
	return id, err
}

// CancelBacktest cancels user's run id: it is marked cancelled at once and
// its job is cancelled (a running job stops at its next progress step).
func (c *Client) CancelBacktest(ctx context.Context, user, id int64) error {
	jobID, err := c.backtests.Cancel(ctx, user, id)
	if err != nil || jobID == 0 {
		return err
	}
	if _, err := c.river.JobCancel(ctx, jobID); err != nil && !errors.Is(err, river.ErrNotFound) {
		c.log.Warn("cancel backtest job", slog.Int64("job_id", jobID), slog.Any("error", err))
	}
	return nil
}
