package jobs

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// ReadjustArgs recomputes the features and signals of codes after their
// corporate actions changed (ReadjustJob).
type ReadjustArgs struct {
	Codes []string `json:"codes"`
	// ExDate is the earliest changed ex-date (zero: rescore every signal day).
	ExDate time.Time `json:"ex_date"`
}

// Kind names the job in river.
func (ReadjustArgs) Kind() string { return "quant_readjust" }

// EnqueueReadjust queues the recompute of codes' features and signals after
// an admin added or corrected their corporate actions.
func (c *Client) EnqueueReadjust(ctx context.Context, codes []string, exDate time.Time) (int64, error) {
	return c.insert(ctx, ReadjustArgs{Codes: codes, ExDate: exDate},
		"queued: recompute features and signals of "+strings.Join(codes, ", "))
}

type readjustWorker struct {
	river.WorkerDefaults[ReadjustArgs]
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	log  *slog.Logger
}

func (w *readjustWorker) Timeout(*river.Job[ReadjustArgs]) time.Duration { return time.Hour }

func (w *readjustWorker) Work(ctx context.Context, job *river.Job[ReadjustArgs]) error {
	rec := newRecorder(w.pool, w.log, job.ID, job.Kind)
	rec.report(ctx, pipeline.Progress{Stage: "features", Step: 0, Total: 2,
		Message: "recomputing the features of " + strings.Join(job.Args.Codes, ", ")})
	res, err := w.p.Readjust(ctx, job.Args.Codes, job.Args.ExDate)
	if err == nil {
		w.log.Info("corporate actions readjusted", slog.Any("codes", job.Args.Codes),
			slog.Int64("feature_rows_written", res.Features.Written), slog.Int("days_scored", res.DaysScored))
	}
	return finish(ctx, rec, res, err)
}
