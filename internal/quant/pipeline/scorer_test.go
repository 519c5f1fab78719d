package pipeline_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// TestScorerMatchesStoredSignals: a backtest's scores are the ones the daily
// job stores, for an active version; an inactive version scores too, and an
// unknown one is NotFound naming the model.
func TestScorerMatchesStoredSignals(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	ctx := t.Context()
	v := mustTrain(t, f, pipeline.TrainSpec{Kind: "ridge", Activate: true})
	other := mustTrain(t, f, pipeline.TrainSpec{Name: "ridge-b", Kind: "ridge"})
	day := testenv.Date(t, "2024-03-15")
	if _, err := f.p.Score(ctx, day); err != nil {
		t.Fatal(err)
	}
	s, err := f.p.Scorer(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	codes, scores, err := s.Day(ctx, day)
	if err != nil || len(codes) != len(universe) {
		t.Fatalf("Day: %d codes, %v", len(codes), err)
	}
	stored, err := db.New(f.pool).ListSignalScores(ctx, db.ListSignalScoresParams{ModelVersionID: v.ID, FromDate: day, ToDate: day})
	if err != nil || len(stored) != len(codes) {
		t.Fatalf("stored signals %d, %v", len(stored), err)
	}
	for i, r := range stored {
		if r.Code != codes[i] || r.Score != scores[i] {
			t.Errorf("%s: scorer %v, stored %s %v", codes[i], scores[i], r.Code, r.Score)
		}
	}
	o, err := f.p.Scorer(ctx, other.ID)
	if err != nil {
		t.Fatalf("inactive version: %v", err)
	}
	o.Close()
	if _, err := f.p.Scorer(ctx, 999999); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown version: %v", err)
	}
}
