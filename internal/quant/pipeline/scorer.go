package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
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
	l, err := p.loadModel(modelBlob(r), p.featureColumns())
	if err != nil {
		return nil, err
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
