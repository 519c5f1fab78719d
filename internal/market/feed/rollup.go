package feed

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
)

// RollUp keeps bars_1m within seconds of the ticks on plain PostgreSQL (under
// TimescaleDB bars_1m is a continuous aggregate and RollUp is not started).
type RollUp struct {
	q *db.Queries
}

// NewRollUp returns the roll-up job.
func NewRollUp(pool *pgxpool.Pool) *RollUp { return &RollUp{q: db.New(pool)} }

const rollupJob = "bars_1m_rollup"

// Once recomputes every minute bucket that received ticks since the last
// watermark and moves the watermark to the newest write. It is idempotent: a
// bucket seen twice is recomputed from its ticks, not added to. The few
// seconds of overlap cover batches whose transactions committed late.
func (r *RollUp) Once(ctx context.Context) (int64, error) {
	upto, err := r.q.GetJobState(ctx, rollupJob)
	if err != nil && !db.IsNotFound(err) {
		return 0, err
	}
	newest, err := r.q.MaxTickIngestedAt(ctx)
	if err != nil {
		return 0, err
	}
	if newest.Year() < 2 {
		return 0, nil // no ticks yet
	}
	since := upto.Add(-5 * time.Second)
	n, err := r.q.RollUpMinuteBars(ctx, since)
	if err != nil {
		return 0, err
	}
	return n, r.q.SetJobState(ctx, db.SetJobStateParams{Name: rollupJob, Upto: newest})
}

// Run rolls up every interval until ctx ends.
func (r *RollUp) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}
