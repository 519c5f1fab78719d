// Package pipeline runs Qlib Pro's quant workflow on the database: factor
// values computed from bars, models trained on the stored Alpha158 features
// and evaluated on a test segment, model versions with one active per name,
// and the daily signals (score, rank, percentile) of every active model.
//
// It follows Qlib's Alpha158 benchmark: rows without a label are dropped and
// the label is z-scored across instruments per day for training (DropnaLabel,
// CSZScoreNorm); tree models read raw features while the linear model reads
// features through a robust z-score fitted on the train window; evaluation
// uses the raw LABEL0 as SigAnaRecord does. The test segment is only ever
// predicted and measured, never used to choose anything.
package pipeline

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/telemetry"
)

// Pipeline trains, stores, activates and scores models. It is safe for
// concurrent use.
type Pipeline struct {
	pool    *pgxpool.Pool
	store   *store.Store
	metrics *telemetry.Metrics // nil records nothing
	log     *slog.Logger
}

// New returns a Pipeline over pool. metrics may be nil (command-line runs);
// log may be nil.
func New(pool *pgxpool.Pool, metrics *telemetry.Metrics, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pipeline{pool: pool, store: store.New(pool), metrics: metrics, log: log}
}

// Store returns the feature store the pipeline reads.
func (p *Pipeline) Store() *store.Store { return p.store }

// Progress is one step of a long operation, for command-line output and for
// the job progress a browser watches.
type Progress struct {
	// Stage is what is running: "features", "dataset", "fit", "evaluate",
	// "save" or "score".
	Stage   string `json:"stage"`
	Step    int    `json:"step"`
	Total   int    `json:"total"`
	Message string `json:"message"`
}

// report calls progress when it is set.
func report(progress func(Progress), stage string, step, total int, msg string) {
	if progress != nil {
		progress(Progress{Stage: stage, Step: step, Total: total, Message: msg})
	}
}

// DefaultSegments are the windows of the shipped data used when none are
// given: train 2015–2021, valid 2022, test 2023-01-01 to 2026-06-04.
func DefaultSegments() dataset.Segments {
	return dataset.Segments{
		Train: dataset.DateRange{Start: mustDate("2015-01-01"), End: mustDate("2021-12-31")},
		Valid: dataset.DateRange{Start: mustDate("2022-01-01"), End: mustDate("2022-12-31")},
		Test:  dataset.DateRange{Start: mustDate("2023-01-01"), End: mustDate("2026-06-04")},
	}
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// checkName validates a model name as the database constrains it.
func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return apperr.FieldError("name", "model name %q must be 1–40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}
