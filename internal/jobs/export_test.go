package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// CatchUpDays is catchUpDays for the external tests.
const CatchUpDays = catchUpDays

// AfterCloseWorker exposes the after-close worker to the external tests
// (which import testenv, and through it this package).
type AfterCloseWorker struct{ w *afterCloseWorker }

// NewAfterCloseWorker builds the worker with a chosen clock and universe.
func NewAfterCloseWorker(pool *pgxpool.Pool, p *pipeline.Pipeline, now func() time.Time, universe []string) AfterCloseWorker {
	return AfterCloseWorker{&afterCloseWorker{pool: pool, p: p, log: slog.New(slog.DiscardHandler), cal: asx.DefaultCalendar(), now: now, universe: universe}}
}

// Work runs the job once.
func (a AfterCloseWorker) Work(ctx context.Context) error { return a.w.Work(ctx, nil) }

// CatchUp scores the days up to day that are not scored yet.
func (a AfterCloseWorker) CatchUp(ctx context.Context, day time.Time) (int, error) {
	res, err := a.w.catchUp(ctx, day)
	return len(res), err
}
