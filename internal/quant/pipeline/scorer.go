package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/model/models"
)

// Scorer scores stored feature days with one model version, active or not,
// without storing signals: the scores a backtest trades, the same the daily
// job stores for an active version.
type Scorer struct {
	p *Pipeline
	l loaded
}

// Scorer loads model version id. An unknown id is NotFound naming "model".
// Close the scorer when done.
func (p *Pipeline) Scorer(ctx context.Context, id int64) (*Scorer, error) {
	r, err := db.New(p.pool).GetModelBlob(ctx, id)
	if db.IsNotFound(err) {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "model", Message: fmt.Sprintf("model version %d does not exist", id)}
	}
	if err != nil {
		return nil, err
	}
	stored := p.store.Features()
	col := make(map[string]int, len(stored))
	for i, f := range stored {
		col[f] = i
	}
	l := loaded{id: r.ID, name: r.Name, version: int(r.Version), cols: make([]int, len(r.Features))}
	for j, f := range r.Features {
		c, ok := col[f]
		if !ok {
			return nil, fmt.Errorf("model %s v%d reads feature %s, which the %s store does not hold", r.Name, r.Version, f, p.store.Name())
		}
		l.cols[j] = c
	}
	if len(r.Preprocess) > 0 {
		l.norm = &dataset.FeatureNormaliser{}
		if err := json.Unmarshal(r.Preprocess, l.norm); err != nil {
			return nil, fmt.Errorf("model %s v%d preprocessing: %w", r.Name, r.Version, err)
		}
	}
	if l.m, err = models.Load(r.Kind, r.Blob, r.Features); err != nil {
		return nil, fmt.Errorf("load model %s v%d: %w", r.Name, r.Version, err)
	}
	return &Scorer{p: p, l: l}, nil
}

// Day returns the scores of every instrument with features on date, in code
// order (none when the day has no features).
func (s *Scorer) Day(ctx context.Context, date time.Time) (codes []string, scores []float64, err error) {
	codes, x, err := s.p.store.Day(ctx, date)
	if err != nil || len(codes) == 0 {
		return nil, nil, err
	}
	scores, err = s.l.predict(x)
	return codes, scores, err
}

// Close frees the model.
func (s *Scorer) Close() { s.l.m.Close() }
