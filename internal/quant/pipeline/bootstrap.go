package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// bootstrapDays is how many of the latest feature days Bootstrap scores, so
// that a fresh install shows rank changes and a rolling Rank IC at once.
const bootstrapDays = AccuracyWindow + 5

// BootstrapResult reports what Bootstrap did.
type BootstrapResult struct {
	Refresh store.Result   `json:"refresh"`
	Trained []ModelVersion `json:"trained"`
	Scored  []ScoreResult  `json:"scored"`
	Elapsed time.Duration  `json:"elapsed"`
}

// bootstrapSpecs are the models a fresh install trains: the ridge model and
// XGBoost with Qlib's Alpha158 settings. On the shipped data and two cores
// XGBoost trains in about 35 s (early stopping ends it near round 140), under
// the minute allowed for `make run`, so it needs no cut-down settings.
func bootstrapSpecs(segs dataset.Segments) []TrainSpec {
	return []TrainSpec{
		{Kind: model.KindRidge, Segments: segs, Activate: true},
		{Kind: model.KindXGBoost, Segments: segs, Activate: true},
	}
}

// BootstrapOptions narrow Bootstrap for tests and experiments; the zero
// value refreshes every equity and trains on DefaultSegments.
type BootstrapOptions struct {
	Universe []string
	Segments dataset.Segments
}

// Bootstrap leaves a usable quant setup in place and is safe to run again:
// it refreshes the feature store, trains and activates the bootstrap models
// when no model version exists at all, and scores the latest days that some
// active version has not scored. progress may be nil.
func (p *Pipeline) Bootstrap(ctx context.Context, opts BootstrapOptions, progress func(Progress)) (BootstrapResult, error) {
	start := time.Now()
	if opts.Segments == (dataset.Segments{}) {
		opts.Segments = DefaultSegments()
	}
	var res BootstrapResult
	report(progress, "features", 0, 1, "refreshing the Alpha158 feature store")
	r, err := p.store.Refresh(ctx, opts.Universe)
	if err != nil {
		return res, err
	}
	res.Refresh = r
	report(progress, "features", 1, 1, fmt.Sprintf("%d instruments updated, %d rows written in %s",
		r.Updated, r.Written, r.Elapsed.Round(time.Millisecond)))

	q := db.New(p.pool)
	n, err := q.CountModelVersions(ctx)
	if err != nil {
		return res, err
	}
	if n == 0 {
		for _, spec := range bootstrapSpecs(opts.Segments) {
			v, err := p.Train(ctx, spec, progress)
			if err != nil {
				return res, fmt.Errorf("train %s: %w", spec.Kind, err)
			}
			res.Trained = append(res.Trained, v)
		}
	}

	_, last, ok, err := p.store.Span(ctx)
	if err != nil || !ok {
		return res, err
	}
	dates, err := p.store.Dates(ctx, last, bootstrapDays)
	if err != nil {
		return res, err
	}
	var due []time.Time
	for _, d := range dates {
		missing, err := q.ListUnscoredActiveVersions(ctx, d)
		if err != nil {
			return res, err
		}
		if len(missing) > 0 {
			due = append(due, d)
		}
	}
	if len(due) > 0 {
		report(progress, "score", 0, len(due), fmt.Sprintf("scoring %d days", len(due)))
		if res.Scored, err = p.ScoreDays(ctx, due); err != nil {
			return res, err
		}
		report(progress, "score", len(due), len(due), "scored")
	}
	res.Elapsed = time.Since(start)
	return res, nil
}
