package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// QueueTraining runs training jobs one at a time: each takes the machine's
// cores and about 2 GB for XGBoost on the full data.
const QueueTraining = "training"

// catchUpDays is how many of the latest feature days the after-close job
// checks for missing signals, so that a few missed days are scored late.
const catchUpDays = 10

// TrainArgs trains a model (TrainJob).
type TrainArgs struct {
	Spec pipeline.TrainSpec `json:"spec"`
}

// Kind names the job in river.
func (TrainArgs) Kind() string { return "quant_train" }

// InsertOpts sends training to its own queue and retries once: a training
// run that fails on its input is cancelled instead.
func (TrainArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueTraining, MaxAttempts: 2}
}

// ScoreArgs scores one day with every active model (ScoreJob).
type ScoreArgs struct {
	Date time.Time `json:"date"`
}

// Kind names the job in river.
func (ScoreArgs) Kind() string { return "quant_score" }

// RefreshFeaturesArgs brings the feature store up to date.
type RefreshFeaturesArgs struct {
	Codes []string `json:"codes,omitempty"`
}

// Kind names the job in river.
func (RefreshFeaturesArgs) Kind() string { return "quant_refresh_features" }

// AfterCloseArgs is the periodic job: after a trading day's close it
// refreshes the features and scores the day, once.
type AfterCloseArgs struct{}

// Kind names the job in river.
func (AfterCloseArgs) Kind() string { return "quant_after_close" }

// InsertOpts keeps one after-close job per check period.
func (AfterCloseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 10 * time.Minute}}
}

// finish records how a job ended. Errors in the request (Invalid, NotFound,
// Conflict) cancel the job, since retrying cannot help.
func finish(ctx context.Context, rec *recorder, result any, err error) error {
	if err == nil {
		rec.done(ctx, result)
		return nil
	}
	rec.failed(ctx, err)
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.Unprocessable:
		return river.JobCancel(err)
	}
	return err
}

type trainWorker struct {
	river.WorkerDefaults[TrainArgs]
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	log  *slog.Logger
}

func (w *trainWorker) Timeout(*river.Job[TrainArgs]) time.Duration { return 2 * time.Hour }

func (w *trainWorker) Work(ctx context.Context, job *river.Job[TrainArgs]) error {
	rec := newRecorder(w.pool, w.log, job.ID, job.Kind)
	// The feature store is kept current by the after-close job; training
	// reads it as it stands.
	v, err := w.p.Train(ctx, job.Args.Spec, func(p pipeline.Progress) { rec.report(ctx, p) })
	if err != nil {
		return finish(ctx, rec, nil, err)
	}
	w.log.Info("model trained", slog.String("model", v.Name), slog.Int("version", v.Version),
		slog.Float64("test_rank_ic", v.Metrics.RankIC))
	result := map[string]any{"model_version_id": v.ID, "name": v.Name, "version": v.Version, "active": v.Active}
	if err := river.RecordOutput(ctx, result); err != nil {
		w.log.Warn("record job output", slog.Any("error", err))
	}
	return finish(ctx, rec, result, nil)
}

type scoreWorker struct {
	river.WorkerDefaults[ScoreArgs]
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	log  *slog.Logger
}

func (w *scoreWorker) Timeout(*river.Job[ScoreArgs]) time.Duration { return 10 * time.Minute }

func (w *scoreWorker) Work(ctx context.Context, job *river.Job[ScoreArgs]) error {
	rec := newRecorder(w.pool, w.log, job.ID, job.Kind)
	rec.report(ctx, pipeline.Progress{Stage: "score", Step: 0, Total: 1, Message: "scoring"})
	res, err := w.p.Score(ctx, job.Args.Date)
	return finish(ctx, rec, res, err)
}

type refreshWorker struct {
	river.WorkerDefaults[RefreshFeaturesArgs]
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	log  *slog.Logger
}

func (w *refreshWorker) Timeout(*river.Job[RefreshFeaturesArgs]) time.Duration {
	return 30 * time.Minute
}

func (w *refreshWorker) Work(ctx context.Context, job *river.Job[RefreshFeaturesArgs]) error {
	rec := newRecorder(w.pool, w.log, job.ID, job.Kind)
	rec.report(ctx, pipeline.Progress{Stage: "features", Step: 0, Total: 1, Message: "refreshing the feature store"})
	res, err := w.p.Store().Refresh(ctx, job.Args.Codes)
	return finish(ctx, rec, res, err)
}

type afterCloseWorker struct {
	river.WorkerDefaults[AfterCloseArgs]
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	log  *slog.Logger
	cal  *asx.Calendar
	now  func() time.Time
	// universe is refreshed before scoring; nil means every equity.
	universe []string
}

func (w *afterCloseWorker) Timeout(*river.Job[AfterCloseArgs]) time.Duration { return time.Hour }

// Work refreshes the features and scores, with every active model, the
// latest days that have features but lack some active model's signals. It
// does nothing unless DueDay says a close has passed, and nothing twice.
func (w *afterCloseWorker) Work(ctx context.Context, _ *river.Job[AfterCloseArgs]) error {
	due, ok := DueDay(w.cal, w.now())
	if !ok {
		return nil
	}
	_, err := w.catchUp(ctx, due)
	return err
}

// catchUp refreshes the store and scores the unscored days up to due.
func (w *afterCloseWorker) catchUp(ctx context.Context, due time.Time) ([]pipeline.ScoreResult, error) {
	ref, err := w.p.Store().Refresh(ctx, w.universe)
	if err != nil {
		return nil, fmt.Errorf("refresh features: %w", err)
	}
	dates, err := w.p.Store().Dates(ctx, due, catchUpDays)
	if err != nil {
		return nil, err
	}
	q := db.New(w.pool)
	var unscored []time.Time
	for _, d := range dates {
		missing, err := q.ListUnscoredActiveVersions(ctx, d)
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			unscored = append(unscored, d)
		}
	}
	if len(unscored) == 0 {
		return nil, nil
	}
	res, err := w.p.ScoreDays(ctx, unscored)
	if err != nil {
		return res, err
	}
	w.log.Info("after-close scoring", slog.String("day", due.Format(time.DateOnly)),
		slog.Int64("feature_rows_written", ref.Written), slog.Int("days_scored", len(res)))
	return res, nil
}
