package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MinuteBars is how bars_1m is kept current.
type MinuteBars int

const (
	// BarsTable: bars_1m is a table (plain PostgreSQL, or an Apache-licensed
	// TimescaleDB) that RollUp keeps current.
	BarsTable MinuteBars = iota
	// BarsAggregate: bars_1m is a TimescaleDB continuous aggregate; its
	// policy refreshes it and AggregateRefresher stands in when the policy
	// lags.
	BarsAggregate
)

// DetectMinuteBars reads which kind of relation bars_1m is.
func DetectMinuteBars(ctx context.Context, pool *pgxpool.Pool) (MinuteBars, error) {
	var kind string
	err := pool.QueryRow(ctx, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass('bars_1m')`).Scan(&kind)
	if err == pgx.ErrNoRows {
		return BarsTable, fmt.Errorf("bars_1m does not exist: run qlibpro migrate up")
	}
	if err != nil {
		return BarsTable, err
	}
	if kind == "v" {
		return BarsAggregate, nil
	}
	return BarsTable, nil
}

// AggregateRefresher keeps the bars_1m continuous aggregate materialised
// without relying on TimescaleDB's job scheduler. On PostgreSQL 15.20 the
// scheduler records every run as failed ("cannot drop portal … while it is
// being set up") and backs off, although the work commits; the aggregate's
// watermark then falls behind. A real-time aggregate stays correct, but every
// query aggregates the raw ticks above the watermark, so this job refreshes
// the aggregate itself whenever the watermark is more than MaxLag old.
type AggregateRefresher struct {
	pool   *pgxpool.Pool
	MaxLag time.Duration // the policy runs every 30 s and stops 1 minute short of now
}

// NewAggregateRefresher returns the refresher with a 3-minute tolerance.
func NewAggregateRefresher(pool *pgxpool.Pool) *AggregateRefresher {
	return &AggregateRefresher{pool: pool, MaxLag: 3 * time.Minute}
}

// Watermark returns how far bars_1m is materialised (the zero time when it
// never was).
func (a *AggregateRefresher) Watermark(ctx context.Context) (time.Time, error) {
	var w *time.Time
	err := a.pool.QueryRow(ctx, `
		SELECT CASE WHEN wm <= -210866803200000000 THEN NULL ELSE _timescaledb_functions.to_timestamp(wm) END
		FROM (SELECT _timescaledb_functions.cagg_watermark(mat_hypertable_id) AS wm
		      FROM _timescaledb_catalog.continuous_agg
		      WHERE user_view_name = 'bars_1m' AND user_view_schema = current_schema()) c`).Scan(&w)
	if err != nil {
		return time.Time{}, fmt.Errorf("bars_1m watermark: %w", err)
	}
	if w == nil {
		return time.Time{}, nil
	}
	return w.UTC(), nil
}

// Once refreshes bars_1m when its watermark lags by more than MaxLag: from
// two days back (the policy's window, which takes late ticks) or from the
// watermark if older, to one minute ago. It reports the lag it found and
// whether it refreshed.
func (a *AggregateRefresher) Once(ctx context.Context, now time.Time) (lag time.Duration, refreshed bool, err error) {
	w, err := a.Watermark(ctx)
	if err != nil {
		return 0, false, err
	}
	end := now.Add(-time.Minute)
	if !w.IsZero() {
		lag = end.Sub(w)
		if lag <= a.MaxLag {
			return lag, false, nil
		}
	}
	start := now.Add(-48 * time.Hour)
	var from any = start
	if w.IsZero() {
		from = nil // never materialised: everything
	} else if w.Before(start) {
		from = w
	}
	if _, err := a.pool.Exec(ctx, `CALL refresh_continuous_aggregate('bars_1m', $1::timestamptz, $2::timestamptz)`, from, end); err != nil {
		return lag, false, fmt.Errorf("refresh bars_1m: %w", err)
	}
	return lag, true, nil
}

// Run checks every interval until ctx ends; onRefresh hears each refresh
// this job had to do.
func (a *AggregateRefresher) Run(ctx context.Context, every time.Duration, onRefresh func(lag time.Duration), onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			lag, refreshed, err := a.Once(ctx, now)
			switch {
			case err != nil && ctx.Err() == nil:
				onErr(err)
			case refreshed:
				onRefresh(lag)
			}
		}
	}
}
