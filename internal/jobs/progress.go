package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// progressEvery is the least time between progress writes of one job; a
// change of stage is always written.
const progressEvery = 500 * time.Millisecond

// recorder writes one job's progress to job_progress.
type recorder struct {
	pool  *pgxpool.Pool
	log   *slog.Logger
	id    int64
	kind  string
	mu    sync.Mutex
	stage string
	last  time.Time
}

func newRecorder(pool *pgxpool.Pool, log *slog.Logger, id int64, kind string) *recorder {
	return &recorder{pool: pool, log: log, id: id, kind: kind}
}

// report records p, skipping updates that come too fast. A failed write
// is logged: progress is for watching, the job goes on without it.
func (r *recorder) report(ctx context.Context, p pipeline.Progress) {
	r.mu.Lock()
	now := time.Now()
	if p.Stage == r.stage && now.Sub(r.last) < progressEvery && p.Step != p.Total {
		r.mu.Unlock()
		return
	}
	r.stage, r.last = p.Stage, now
	r.mu.Unlock()
	err := db.New(r.pool).UpsertJobProgress(context.WithoutCancel(ctx), db.UpsertJobProgressParams{
		JobID: r.id, Kind: r.kind, Stage: p.Stage, Step: int32(p.Step), Total: int32(p.Total), Message: p.Message,
	})
	if err != nil {
		r.log.Warn("job progress", slog.Int64("job_id", r.id), slog.Any("error", err))
	}
}

// done records the job's result.
func (r *recorder) done(ctx context.Context, result any) {
	r.report(ctx, pipeline.Progress{Stage: "done", Step: 1, Total: 1, Message: "finished"})
	b, err := json.Marshal(result)
	if err == nil {
		err = db.New(r.pool).SetJobResult(context.WithoutCancel(ctx), db.SetJobResultParams{JobID: r.id, Result: b})
	}
	if err != nil {
		r.log.Warn("job result", slog.Int64("job_id", r.id), slog.Any("error", err))
	}
}

// failed records an error in words a user may see.
func (r *recorder) failed(ctx context.Context, err error) {
	r.report(ctx, pipeline.Progress{Stage: "failed", Step: 0, Total: 0, Message: apperr.MessageOf(err)})
}

// Status is where a background job has got to.
type Status struct {
	JobID int64  `json:"job_id"`
	Kind  string `json:"kind"`
	// State is river's: available, scheduled, running, retryable,
	// completed, cancelled or discarded.
	State       string `json:"state"`
	Attempt     int    `json:"attempt"`
	MaxAttempts int    `json:"max_attempts"`
	// Done is set once the job will not run again.
	Done bool `json:"done"`
	// Stage, Step, Total and Message are the latest progress report;
	// Message is safe to show to users (a failure's message included).
	Stage     string    `json:"stage"`
	Step      int       `json:"step"`
	Total     int       `json:"total"`
	Message   string    `json:"message"`
	UpdatedAt time.Time `json:"updated_at"`
	// Result is what the job produced, such as the trained model version.
	Result    json.RawMessage `json:"result,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// Progress returns the state and latest progress of job jobID; an unknown
// job is NotFound.
func (c *Client) Progress(ctx context.Context, jobID int64) (Status, error) {
	row, err := c.river.JobGet(ctx, jobID)
	if errors.Is(err, river.ErrNotFound) {
		return Status{}, apperr.New(apperr.NotFound, "job %d does not exist", jobID)
	}
	if err != nil {
		return Status{}, err
	}
	st := Status{
		JobID: row.ID, Kind: row.Kind, State: string(row.State), Attempt: row.Attempt,
		MaxAttempts: row.MaxAttempts, Done: row.FinalizedAt != nil, CreatedAt: row.CreatedAt,
	}
	p, err := db.New(c.pool).GetJobProgress(ctx, jobID)
	if err != nil && !db.IsNotFound(err) {
		return st, err
	}
	if err == nil {
		st.Stage, st.Step, st.Total, st.Message = p.Stage, int(p.Step), int(p.Total), p.Message
		st.UpdatedAt, st.Result = p.UpdatedAt, p.Result
	}
	return st, nil
}
