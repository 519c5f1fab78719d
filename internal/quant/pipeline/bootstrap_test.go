package pipeline_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

func TestBootstrap(t *testing.T) {
	t.Parallel()
	f := mustSetup(t)
	opts := pipeline.BootstrapOptions{Universe: universe, Segments: segments}
	res, err := f.p.Bootstrap(t.Context(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trained) != 2 || res.Trained[0].Kind != "ridge" || res.Trained[1].Kind != "xgboost" ||
		!res.Trained[0].Active || !res.Trained[1].Active {
		t.Fatalf("trained %+v, want active ridge and xgboost", res.Trained)
	}
	if len(res.Scored) != 25 {
		t.Errorf("scored %d days, want the latest 25", len(res.Scored))
	}
	if _, err := f.p.Ranking(t.Context(), pipeline.RankingQuery{Model: "xgboost", Top: 5}); err != nil {
		t.Errorf("Ranking after Bootstrap: %v", err)
	}

	again, err := f.p.Bootstrap(t.Context(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Trained) != 0 || len(again.Scored) != 0 || again.Refresh.Written != 0 {
		t.Errorf("second Bootstrap trained %d, scored %d days, wrote %d rows; want nothing to do",
			len(again.Trained), len(again.Scored), again.Refresh.Written)
	}
}
