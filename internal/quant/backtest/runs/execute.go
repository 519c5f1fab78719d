package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
)

// progressEvery is the least time between progress writes of one run.
const progressEvery = 300 * time.Millisecond

var errCancelled = errors.New("runs: the backtest was cancelled")

// Execute runs stored run id: the job queue's work. A run cancelled before
// it starts does nothing; one cancelled while it runs stops at its next
// progress write and stores nothing. A run that fails is marked failed with
// a message its owner may read (internal errors are logged, and say so), and
// the error is returned.
func (s *Service) Execute(ctx context.Context, id int64, log *slog.Logger) error {
	q := db.New(s.pool)
	n, err := q.StartBacktest(ctx, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil // cancelled (or finished) before it started
	}
	b, err := q.GetBacktestForJob(ctx, id)
	if err != nil {
		return err
	}
	run, err := runFrom(b)
	if err != nil {
		s.fail(ctx, id, err, log)
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rec := &recorder{q: q, id: id, cancel: cancel}
	c, err := s.Compute(ctx, run.Spec, rec.report)
	if err == nil {
		days := c.Report.Result.Days
		_ = q.SetBacktestRange(ctx, db.SetBacktestRangeParams{ID: id, DataFrom: &days[0].Date, DataTo: &days[len(days)-1].Date})
		rec.report("save", 0, 1, "saving the results")
		err = s.save(ctx, id, c)
	}
	if errors.Is(err, errCancelled) || errors.Is(context.Cause(ctx), errCancelled) {
		return nil
	}
	if err != nil {
		s.fail(ctx, id, err, log)
	}
	return err
}

// fail marks the run failed.
func (s *Service) fail(ctx context.Context, id int64, err error, log *slog.Logger) {
	msg := apperr.MessageOf(err)
	if apperr.CodeOf(err) == apperr.Internal {
		msg = "The run failed on an internal error (logged)."
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			msg = "The run was stopped before it finished (the server stopped or the job timed out)."
		}
		if log != nil {
			log.Error("backtest failed", slog.Int64("backtest_id", id), slog.Any("error", err))
		}
	}
	if ferr := db.New(s.pool).FailBacktest(context.WithoutCancel(ctx), db.FailBacktestParams{ID: id, Message: msg}); ferr != nil && log != nil {
		log.Warn("mark backtest failed", slog.Int64("backtest_id", id), slog.Any("error", ferr))
	}
}

// recorder writes a run's progress, at most every progressEvery, and stops
// the run when its row says it was cancelled.
type recorder struct {
	q      *db.Queries
	id     int64
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	stage  string
	last   time.Time
}

func (r *recorder) report(stage string, step, total int, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if stage == r.stage && now.Sub(r.last) < progressEvery && step != total {
		return
	}
	r.stage, r.last = stage, now
	status, err := r.q.SetBacktestProgress(context.Background(), db.SetBacktestProgressParams{
		ID: r.id, Stage: stage, Step: int32(step), Total: int32(total), Message: msg})
	if err == nil && status != Running {
		r.cancel(errCancelled)
	}
}

// String names a run for logs.
func (r Run) String() string { return fmt.Sprintf("backtest %d (%s)", r.ID, r.Status) }
