// Package runs stores backtest runs in PostgreSQL and runs them: it checks a
// request (model, range, strategy and cost settings), loads the model
// version's scores, the daily bars, the XJO and the dividends for the range,
// runs the engine (internal/quant/backtest) with its after-tax views and the
// CGT-aware comparison, and keeps the results per user. The job queue calls
// Execute; the command line calls Compute directly and stores nothing.
package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

// Benchmark is the index runs are measured against.
const Benchmark = "XJO"

// MaxActive is how many runs a user may have queued or running at once.
const MaxActive = 3

// MaxListed is how many runs List returns.
const MaxListed = 100

// Statuses of a run.
const (
	Queued    = "queued"
	Running   = "running"
	Completed = "completed"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Request asks for a run. Model is a model name (its active version) unless
// ModelVersionID picks a version. TaxRate is the individual's marginal rate
// for the after-tax view (zero: backtest.DefaultIndividualRate).
type Request struct {
	Model          string
	ModelVersionID int64
	Start, End     time.Time
	Params         backtest.Params
	TaxRate        decimal.Decimal
}

// Spec is a checked request: what a stored run holds and what Compute runs.
type Spec struct {
	ModelName      string          `json:"model"`
	ModelVersionID int64           `json:"model_version_id"`
	ModelVersion   int             `json:"model_version"`
	Start          time.Time       `json:"start"`
	End            time.Time       `json:"end"`
	Params         backtest.Params `json:"params"`
	TaxRate        decimal.Decimal `json:"tax_rate"`
	// InSample is set when the range overlaps the windows the model was
	// trained or tuned on.
	InSample string `json:"in_sample,omitempty"`
}

// Service checks, stores and runs backtests.
type Service struct {
	pool *pgxpool.Pool
	pipe *pipeline.Pipeline
}

// New returns the service over pool, scoring with pipe.
func New(pool *pgxpool.Pool, pipe *pipeline.Pipeline) *Service {
	return &Service{pool: pool, pipe: pipe}
}

// Check validates req as a run would and resolves its model version. Bad
// input is an apperr Invalid (or NotFound for the model) error naming the
// field: strategy settings, "start" and "end" (missing, reversed, beyond the
// data), "model", "tax_rate".
func (s *Service) Check(ctx context.Context, req Request) (Spec, error) {
	p := req.Params.Normalise()
	if err := p.Check(); err != nil {
		return Spec{}, err
	}
	spec := Spec{Params: p, TaxRate: req.TaxRate}
	if spec.TaxRate.IsZero() {
		spec.TaxRate = backtest.DefaultIndividualRate
	}
	if spec.TaxRate.IsNegative() || spec.TaxRate.GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return Spec{}, apperr.FieldError("tax_rate", "tax_rate must be a fraction from 0 to below 1 (0.39 for 39 %%), not %s", spec.TaxRate)
	}
	start, end := asx.Civil(req.Start), asx.Civil(req.End)
	switch {
	case req.Start.IsZero():
		return Spec{}, apperr.FieldError("start", "give the first day of the backtest")
	case req.End.IsZero():
		return Spec{}, apperr.FieldError("end", "give the last day of the backtest")
	case end.Before(start):
		return Spec{}, apperr.FieldError("end", "end %s is before start %s", day(end), day(start))
	}
	first, last, ok, err := s.pipe.Store().Span(ctx)
	if err != nil {
		return Spec{}, err
	}
	if !ok {
		return Spec{}, apperr.FieldError("model", "no features are stored yet, so no model has signals to test")
	}
	if start.Before(first) {
		return Spec{}, apperr.FieldError("start", "start %s is before the first day with data (%s)", day(start), day(first))
	}
	if end.After(last) {
		return Spec{}, apperr.FieldError("end", "end %s is after the last day with data (%s)", day(end), day(last))
	}
	var v pipeline.ModelVersion
	if req.ModelVersionID > 0 {
		v, err = s.pipe.ModelVersion(ctx, req.ModelVersionID)
	} else {
		name := strings.TrimSpace(req.Model)
		if name == "" {
			return Spec{}, apperr.FieldError("model", "choose a model")
		}
		v, err = s.pipe.ActiveVersion(ctx, name)
	}
	if e, ok := apperr.As(err); ok && e.Code == apperr.NotFound && e.Field == "" {
		e.Field = "model"
	}
	if err != nil {
		return Spec{}, err
	}
	spec.ModelName, spec.ModelVersionID, spec.ModelVersion = v.Name, v.ID, v.Version
	spec.Start, spec.End = start, end
	dates, err := s.dates(ctx, start, end)
	if err != nil {
		return Spec{}, err
	}
	if len(dates) < 2 {
		return Spec{}, apperr.FieldError("start", "model %s has signals on %d trading days from %s to %s; a backtest needs at least 2",
			v.Name, len(dates), day(start), day(end))
	}
	for _, w := range []struct {
		name string
		from time.Time
		to   time.Time
	}{{"train", v.Train.Start, v.Train.End}, {"valid", v.Valid.Start, v.Valid.End}} {
		if !w.from.IsZero() && !start.After(w.to) && !end.Before(w.from) {
			spec.InSample = fmt.Sprintf("The range overlaps the model's %s window (%s to %s): those days are in-sample and flatter the result.",
				w.name, day(w.from), day(w.to))
			break
		}
	}
	return spec, nil
}

// dates returns the feature days a run over start..end trades on: the last
// feature day before start (whose scores trade on the first day) if there is
// one, then every feature day from start to end.
func (s *Service) dates(ctx context.Context, start, end time.Time) ([]time.Time, error) {
	n := int(end.Sub(start).Hours()/24) + 15
	all, err := s.pipe.Store().Dates(ctx, end, n)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for i, d := range all {
		if !d.Before(start) {
			if i > 0 && len(out) == 0 {
				out = append(out, all[i-1])
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// Run is a stored run as its owner sees it.
type Run struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Spec       Spec       `json:"spec"`
	DataFrom   *time.Time `json:"data_from,omitempty"`
	DataTo     *time.Time `json:"data_to,omitempty"`
	Benchmark  string     `json:"benchmark"`
	Stage      string     `json:"stage"`
	Step       int        `json:"step"`
	Total      int        `json:"total"`
	Message    string     `json:"message"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Summary    *Summary   `json:"summary,omitempty"`
	jobID      *int64
}

// Done reports whether the run will not change any more.
func (r Run) Done() bool {
	return r.Status == Completed || r.Status == Failed || r.Status == Cancelled
}

// Summary is what a completed run keeps besides its daily rows.
type Summary struct {
	Metrics      backtest.Metrics    `json:"metrics"`
	AfterTax     []backtest.AfterTax `json:"after_tax"`
	Counterpart  *backtest.Variant   `json:"counterpart,omitempty"`
	Monthly      []backtest.Month    `json:"monthly"`
	Deferred     int                 `json:"deferred"`
	Universe     int                 `json:"universe"`
	Dividends    int                 `json:"dividends_paid"`
	DividendNote string              `json:"dividend_note,omitempty"`
	InSample     string              `json:"in_sample,omitempty"`
}

func runFrom(b db.Backtest) (Run, error) {
	r := Run{ID: b.ID, Status: b.Status, DataFrom: b.DataFrom, DataTo: b.DataTo, Benchmark: b.Benchmark,
		Stage: b.Stage, Step: int(b.Step), Total: int(b.Total), Message: b.Message, CreatedAt: b.CreatedAt,
		StartedAt: b.StartedAt, FinishedAt: b.FinishedAt, jobID: b.JobID}
	if err := json.Unmarshal(b.Params, &r.Spec); err != nil {
		return r, fmt.Errorf("backtest %d spec: %w", b.ID, err)
	}
	if len(b.Report) > 0 {
		r.Summary = &Summary{}
		if err := json.Unmarshal(b.Report, r.Summary); err != nil {
			return r, fmt.Errorf("backtest %d report: %w", b.ID, err)
		}
	}
	return r, nil
}
