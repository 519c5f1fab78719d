package jobs_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/telemetry"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

var universe = []string{"ANZ", "BHP", "CBA", "CSL", "NAB", "WBC"}

var segments = dataset.Segments{
	Train: dataset.DateRange{Start: testenv.Day(2019, 1, 1), End: testenv.Day(2020, 12, 31)},
	Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 6, 30)},
	Test:  dataset.DateRange{Start: testenv.Day(2021, 7, 1), End: testenv.Day(2021, 12, 31)},
}

// mustStart starts a working client on pool and stops it when the test ends.
func mustStart(t *testing.T, pool *pgxpool.Pool) *jobs.Client {
	t.Helper()
	c, err := jobs.New(pool, nil, telemetry.New(), jobs.Config{Work: true, Universe: universe})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

// mustFinish waits for a job to end and returns its status.
func mustFinish(t *testing.T, c *jobs.Client, id int64) jobs.Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		st, err := c.Progress(t.Context(), id)
		if err != nil {
			t.Fatalf("Progress(%d): %v", id, err)
		}
		if st.Done {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %d did not finish within a minute", id)
	return jobs.Status{}
}

func TestMigrateConcurrently(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = jobs.Migrate(t.Context(), pool, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM river_migration`).Scan(&n); err != nil || n == 0 {
		t.Errorf("river_migration holds %d versions (%v), want river's migrations", n, err)
	}
	if err := jobs.Migrate(t.Context(), pool, nil); err != nil {
		t.Errorf("migrating again: %v", err)
	}
}

func TestJobs(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	ctx := t.Context()
	p := pipeline.New(pool, nil, nil)
	if _, err := p.Store().Refresh(ctx, universe); err != nil {
		t.Fatal(err)
	}
	c := mustStart(t, pool)

	t.Run("TrainRefusedBeforeQueueing", func(t *testing.T) {
		bad := segments
		bad.Test = dataset.DateRange{Start: testenv.Date(t, "2031-01-01"), End: testenv.Date(t, "2031-12-31")}
		_, err := c.EnqueueTrain(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: bad})
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Field != "test" {
			t.Errorf("EnqueueTrain with a test window outside the data: %v, want Invalid on test", err)
		}
	})
	t.Run("Train", func(t *testing.T) {
		id, err := c.EnqueueTrain(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segments, Activate: true})
		if err != nil {
			t.Fatal(err)
		}
		st := mustFinish(t, c, id)
		if st.State != "completed" || st.Stage != "done" || st.Kind != "quant_train" {
			t.Fatalf("train job = %+v, want completed", st)
		}
		var res struct {
			ID   int64 `json:"model_version_id"`
			Name string
		}
		if err := json.Unmarshal(st.Result, &res); err != nil || res.ID == 0 || res.Name != "ridge" {
			t.Errorf("train job result = %s (%v), want the model version", st.Result, err)
		}
	})
	t.Run("Score", func(t *testing.T) {
		day := testenv.Date(t, "2026-06-03")
		id, err := c.EnqueueScore(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		st := mustFinish(t, c, id)
		if st.State != "completed" {
			t.Fatalf("score job = %+v, want completed", st)
		}
		var res pipeline.ScoreResult
		if err := json.Unmarshal(st.Result, &res); err != nil || !res.Date.Equal(day) || len(res.Models) != 1 ||
			res.Models[0].Scored != len(universe) {
			t.Errorf("score job result = %s (%v), want %d instruments scored on %s", st.Result, err, len(universe), day)
		}
		sig, err := p.LatestSignal(ctx, "CBA", "ridge")
		if err != nil || !sig.AsOf.Equal(day) {
			t.Errorf("LatestSignal after the job = %+v (%v)", sig, err)
		}
	})
	t.Run("ScoreWithoutFeaturesIsCancelled", func(t *testing.T) {
		id, err := c.EnqueueScore(ctx, testenv.Date(t, "2026-06-06")) // a Saturday
		if err != nil {
			t.Fatal(err)
		}
		st := mustFinish(t, c, id)
		if st.State != "cancelled" || st.Stage != "failed" || st.Message != "no features are stored for 2026-06-06" {
			t.Errorf("score job on a Saturday = %+v, want cancelled with the reason", st)
		}
	})
	t.Run("RefreshFeatures", func(t *testing.T) {
		id, err := c.EnqueueRefresh(ctx, []string{"WES"})
		if err != nil {
			t.Fatal(err)
		}
		st := mustFinish(t, c, id)
		var res struct{ Updated, Written int }
		if err := json.Unmarshal(st.Result, &res); err != nil || st.State != "completed" || res.Updated != 1 || res.Written < 2500 {
			t.Errorf("refresh job = %+v, result %s (%v); want WES written", st, st.Result, err)
		}
	})
	t.Run("UnknownJob", func(t *testing.T) {
		if _, err := c.Progress(ctx, 987654); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("Progress(unknown) = %v, want NotFound", err)
		}
	})
}
