// Package jobs runs Qlib Pro's background work on river, a job queue kept
// in PostgreSQL: model training, scoring a day, refreshing the feature store,
// and the periodic after-close job that scores every trading day with the
// active models. Progress that a browser can watch is kept per job in
// job_progress.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// Config chooses what a Client does besides inserting jobs.
type Config struct {
	// Work runs the workers in this process. A client that does not work
	// only inserts jobs, for machines that serve pages but leave the work to
	// another.
	Work bool
	// Periodic schedules the after-close job (only with Work). River runs
	// periodic jobs on its elected leader, so one machine inserts them.
	Periodic bool
	// CheckEvery is how often the after-close job runs (default 15 min).
	CheckEvery time.Duration
	// Universe is what the after-close job refreshes; nil means every
	// equity.
	Universe []string
	// Calendar and Now default to the ASX calendar and time.Now.
	Calendar *asx.Calendar
	Now      func() time.Time
}

// Client inserts and, when configured to, works the quant jobs.
type Client struct {
	river     *river.Client[pgx.Tx]
	pool      *pgxpool.Pool
	pipeline  *pipeline.Pipeline
	backtests *runs.Service
	log       *slog.Logger
	work      bool
}

// New builds a client over pool. metrics receives the signal counters and
// the model accuracy gauges; it may be nil. Start migrates river's tables.
func New(pool *pgxpool.Pool, log *slog.Logger, metrics *telemetry.Metrics, cfg Config) (*Client, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Calendar == nil {
		cfg.Calendar = asx.DefaultCalendar()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = 15 * time.Minute
	}
	p := pipeline.New(pool, metrics, log)
	bt := runs.New(pool, p)
	rc := &river.Config{Logger: log.With(slog.String("component", "river"))}
	if cfg.Work {
		workers := river.NewWorkers()
		river.AddWorker(workers, &trainWorker{pool: pool, p: p, log: log})
		river.AddWorker(workers, &scoreWorker{pool: pool, p: p, log: log})
		river.AddWorker(workers, &refreshWorker{pool: pool, p: p, log: log})
		river.AddWorker(workers, &readjustWorker{pool: pool, p: p, log: log})
		river.AddWorker(workers, &backtestWorker{runs: bt, log: log})
		river.AddWorker(workers, &afterCloseWorker{pool: pool, p: p, log: log, cal: cfg.Calendar, now: cfg.Now, universe: cfg.Universe})
		rc.Workers = workers
		if metrics != nil {
			rc.Middleware = []rivertype.Middleware{&workMetrics{worked: metrics.JobsWorked}}
		}
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 2},
			QueueTraining:      {MaxWorkers: 1},
			QueueBacktests:     {MaxWorkers: 1},
		}
		// Training runs for minutes; do not rescue it as stuck before its
		// own timeout has passed.
		rc.RescueStuckJobsAfter = 3 * time.Hour
		if cfg.Periodic {
			rc.PeriodicJobs = []*river.PeriodicJob{
				river.NewPeriodicJob(river.PeriodicInterval(cfg.CheckEvery),
					func() (river.JobArgs, *river.InsertOpts) { return AfterCloseArgs{}, nil },
					&river.PeriodicJobOpts{RunOnStart: true}),
			}
		}
	}
	rcl, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, err
	}
	return &Client{river: rcl, pool: pool, pipeline: p, backtests: bt, log: log, work: cfg.Work}, nil
}

// Pipeline returns the pipeline the workers run.
func (c *Client) Pipeline() *pipeline.Pipeline { return c.pipeline }

// Start migrates river's tables and, for a working client, starts the
// workers and sets the model accuracy gauges from the stored signals.
func (c *Client) Start(ctx context.Context) error {
	if err := Migrate(ctx, c.pool, c.log); err != nil {
		return err
	}
	if !c.work {
		return nil
	}
	if err := c.pipeline.RefreshAccuracy(ctx); err != nil {
		c.log.Warn("model accuracy gauges", slog.Any("error", err))
	}
	return c.river.Start(ctx)
}

// Stop lets running jobs finish, until ctx ends; it does nothing for a
// client that does not work.
func (c *Client) Stop(ctx context.Context) error {
	if !c.work {
		return nil
	}
	return c.river.Stop(ctx)
}

// EnqueueTrain checks spec as Train would (bad input is an Invalid error
// naming the field, before anything is queued) and queues a TrainJob. The
// returned id is for Progress.
func (c *Client) EnqueueTrain(ctx context.Context, spec pipeline.TrainSpec) (int64, error) {
	spec, err := c.pipeline.CheckTrainSpec(ctx, spec)
	if err != nil {
		return 0, err
	}
	return c.insert(ctx, TrainArgs{Spec: spec}, "queued: train "+spec.Kind+" as "+spec.Name)
}

// EnqueueScore queues scoring of date (zero: the latest day with features).
func (c *Client) EnqueueScore(ctx context.Context, date time.Time) (int64, error) {
	return c.insert(ctx, ScoreArgs{Date: date}, "queued: score")
}

// EnqueueRefresh queues a feature store refresh of codes (none: every
// equity).
func (c *Client) EnqueueRefresh(ctx context.Context, codes []string) (int64, error) {
	return c.insert(ctx, RefreshFeaturesArgs{Codes: codes}, "queued: refresh features")
}

// insert queues args and records its first progress line in the same
// transaction, so a job never runs without one.
func (c *Client) insert(ctx context.Context, args river.JobArgs, message string) (int64, error) {
	var id int64
	err := db.WithTx(ctx, c.pool, func(q *db.Queries, tx pgx.Tx) error {
		res, err := c.river.InsertTx(ctx, tx, args, nil)
		if err != nil {
			return err
		}
		if res.UniqueSkippedAsDuplicate {
			return errors.New("jobs: an identical job is already queued")
		}
		id = res.Job.ID
		return q.UpsertJobProgress(ctx, db.UpsertJobProgressParams{
			JobID: id, Kind: args.Kind(), Stage: "queued", Message: message,
		})
	})
	return id, err
}
