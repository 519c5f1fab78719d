package jobs_test

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/jobs"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestAfterCloseScoresOnce(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	ctx := t.Context()
	codes := []string{"BHP", "CBA", "CSL", "WES"}
	p := pipeline.New(pool, nil, nil)
	if _, err := p.Store().Refresh(ctx, codes); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{
		Train: dataset.DateRange{Start: testenv.Date(t, "2019-01-01"), End: testenv.Date(t, "2020-12-31")},
		Valid: dataset.DateRange{Start: testenv.Date(t, "2021-01-01"), End: testenv.Date(t, "2021-06-30")},
		Test:  dataset.DateRange{Start: testenv.Date(t, "2021-07-01"), End: testenv.Date(t, "2021-12-31")},
	}
	if _, err := p.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 6, 12, 0, 0, 0, asx.Sydney()) // a Saturday: not due
	w := jobs.NewAfterCloseWorker(pool, p, func() time.Time { return now }, codes)
	signals := func() int {
		var c int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM signals`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := w.Work(ctx); err != nil || signals() != 0 {
		t.Fatalf("on a Saturday: error %v, %d signals; want nothing done", err, signals())
	}
	now = time.Date(2026, 6, 4, 17, 0, 0, 0, asx.Sydney()) // after the close of the last day in the data
	if err := w.Work(ctx); err != nil {
		t.Fatal(err)
	}
	want := jobs.CatchUpDays * len(codes)
	if got := signals(); got != want {
		t.Errorf("after the close: %d signals, want %d (the last %d days)", got, want, jobs.CatchUpDays)
	}
	n, err := w.CatchUp(ctx, testenv.Date(t, "2026-06-04"))
	if err != nil || n != 0 || signals() != want {
		t.Errorf("second run scored %d days (%v), want none", n, err)
	}
}
