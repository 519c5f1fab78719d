package runs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

var universe = []string{"ANZ", "BHP", "CBA", "CSL", "FMG", "MQG", "NAB", "RIO", "TLS", "WBC", "WES", "WOW"}

type fixture struct {
	pool *pgxpool.Pool
	p    *pipeline.Pipeline
	svc  *runs.Service
	v    pipeline.ModelVersion
}

func mustSetup(t *testing.T) fixture {
	t.Helper()
	pool := testdb.QuietDB(t, append(testdb.QuantTables, "backtest_days", "backtest_trades", "backtest_holdings")...)
	p := pipeline.New(pool, nil, nil)
	if _, err := p.Store().Refresh(t.Context(), universe); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{
		Train: dataset.DateRange{Start: testenv.Day(2018, 1, 1), End: testenv.Day(2020, 12, 31)},
		Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 12, 31)},
		Test:  dataset.DateRange{Start: testenv.Day(2022, 1, 1), End: testenv.Day(2022, 12, 31)},
	}
	v, err := p.Train(t.Context(), pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{pool: pool, p: p, svc: runs.New(pool, p), v: v}
}

func mustUser(t *testing.T, pool *pgxpool.Pool, email string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(t.Context(), `INSERT INTO users (pseudonym, email, display_name, password_hash)
		VALUES ($1, $2, 'T', 'x') RETURNING id`, "p-"+email, email).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func request() runs.Request {
	p := backtest.DefaultParams()
	p.TopK, p.NDrop = 4, 1
	return runs.Request{Model: "ridge", Start: testenv.Day(2023, 1, 2), End: testenv.Day(2023, 6, 30), Params: p}
}

func mustCreate(t *testing.T, f fixture, user int64, req runs.Request) int64 {
	t.Helper()
	spec, err := f.svc.Check(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.svc.Create(t.Context(), db.New(f.pool), user, spec)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRunStoredAndScoped(t *testing.T) {
	f := mustSetup(t)
	ctx := t.Context()
	alice, bob := mustUser(t, f.pool, "alice@example.com"), mustUser(t, f.pool, "bob@example.com")
	id := mustCreate(t, f, alice, request())
	if err := f.svc.Execute(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	run, err := f.svc.Get(ctx, alice, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != runs.Completed || run.Summary == nil {
		t.Fatalf("run %+v, want completed with a summary", run)
	}
	if run.Spec.InSample != "" {
		t.Errorf("2023 is the model's test window, not in-sample: %q", run.Spec.InSample)
	}
	m := run.Summary.Metrics
	if m.Days < 100 || m.Trades == 0 || run.Summary.Universe != len(universe) {
		t.Errorf("metrics %d days, %d trades, universe %d", m.Days, m.Trades, run.Summary.Universe)
	}
	if len(run.Summary.AfterTax) != 2 || run.Summary.Counterpart == nil {
		t.Errorf("after-tax %d profiles, counterpart %v", len(run.Summary.AfterTax), run.Summary.Counterpart)
	}

	// The stored rows are what Compute produces for the same spec.
	c, err := f.svc.Compute(ctx, run.Spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	days, err := f.svc.Days(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != len(c.Report.Result.Days) || !days[len(days)-1].Value.Equal(c.Report.Result.Days[len(days)-1].Value) {
		t.Errorf("stored %d days ending %s; computed %d", len(days), days[len(days)-1].Value, len(c.Report.Result.Days))
	}
	page, n, err := f.svc.Trades(ctx, run, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(c.Report.Result.Trades) || len(page) != 3 || page[0].Code != c.Report.Result.Trades[2].Code ||
		!page[0].Value.Equal(c.Report.Result.Trades[2].Value) {
		t.Errorf("trade page %+v of %d; computed %d trades", page, n, len(c.Report.Result.Trades))
	}
	// A page past the end is empty, however far: the API allows page 1,000,000
	// of 5,000, an offset beyond int32.
	for _, off := range []int{len(c.Report.Result.Trades), 2_499_995_000, 4_999_995_000} {
		page, n, err := f.svc.Trades(ctx, run, off, 5000)
		if err != nil || len(page) != 0 || page == nil || n != len(c.Report.Result.Trades) {
			t.Errorf("trades from %d: %d rows (nil %v) of %d, %v; want an empty page", off, len(page), page == nil, n, err)
		}
		if off < 1<<31 {
			continue
		}
		hs, _, err := f.svc.HoldingsPage(ctx, run, off, 5000)
		if err != nil || len(hs) != 0 {
			t.Errorf("holdings from %d: %d rows, %v; want an empty page", off, len(hs), err)
		}
	}
	// Cash never went negative and the first trade is after the first day.
	for _, d := range days {
		if d.Cash.IsNegative() {
			t.Fatalf("cash %s on %s", d.Cash, d.Date)
		}
	}
	if _, err := f.svc.Get(ctx, bob, id); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("bob reading alice's run: %v, want NotFound", err)
	}
	if list, _ := f.svc.List(ctx, bob); len(list) != 0 {
		t.Errorf("bob lists %d runs", len(list))
	}
	if _, err := f.svc.Cancel(ctx, alice, id); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("cancelling a completed run: %v, want Conflict", err)
	}
}

func TestCheckNamesTheField(t *testing.T) {
	f := mustSetup(t)
	cases := []struct {
		field string
		edit  func(*runs.Request)
	}{
		{"topk", func(r *runs.Request) { r.Params.TopK = 0 }},
		{"n_drop", func(r *runs.Request) { r.Params.NDrop = 9 }},
		{"end", func(r *runs.Request) { r.End = testenv.Day(2022, 12, 1) }},
		{"end", func(r *runs.Request) { r.End = testenv.Day(2030, 1, 1) }},
		{"start", func(r *runs.Request) { r.Start = testenv.Day(2001, 1, 1) }},
		{"start", func(r *runs.Request) { r.Start, r.End = testenv.Day(2026, 3, 14), testenv.Day(2026, 3, 22) }},
		{"model", func(r *runs.Request) { r.Model = "lstm" }},
		{"tax_rate", func(r *runs.Request) { r.TaxRate = decimal.RequireFromString("1.5") }},
		{"brokerage", func(r *runs.Request) { r.Params.Brokerage = "nabtrade" }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			req := request()
			c.edit(&req)
			_, err := f.svc.Check(t.Context(), req)
			e, ok := apperr.As(err)
			if !ok || e.Field != c.field || (e.Code != apperr.Invalid && e.Code != apperr.NotFound) {
				t.Fatalf("Check: %v, want an error naming %s", err, c.field)
			}
		})
	}
	t.Run("in sample", func(t *testing.T) {
		req := request()
		req.Start, req.End = testenv.Day(2021, 1, 4), testenv.Day(2021, 3, 31)
		spec, err := f.svc.Check(t.Context(), req)
		if err != nil || spec.InSample == "" {
			t.Errorf("a range in the valid window: %v, note %q", err, spec.InSample)
		}
	})
}

// TestFailedMidway: the model version is deleted after the run was queued;
// the run fails while loading and is marked failed with the reason.
func TestFailedMidway(t *testing.T) {
	f := mustSetup(t)
	ctx := t.Context()
	user := mustUser(t, f.pool, "carol@example.com")
	id := mustCreate(t, f, user, request())
	if _, err := f.pool.Exec(ctx, "DELETE FROM model_versions WHERE id = $1", f.v.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Execute(ctx, id, nil); err == nil {
		t.Fatal("Execute succeeded without its model")
	}
	run, err := f.svc.Get(ctx, user, id)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("model version %d does not exist", f.v.ID)
	if run.Status != runs.Failed || run.Message != want || run.Summary != nil {
		t.Errorf("run %s %q (summary %v), want failed %q", run.Status, run.Message, run.Summary != nil, want)
	}
}

func TestCancelBeforeStart(t *testing.T) {
	f := mustSetup(t)
	ctx := t.Context()
	user := mustUser(t, f.pool, "dan@example.com")
	id := mustCreate(t, f, user, request())
	if _, err := f.svc.Cancel(ctx, user, id); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Execute(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	run, _ := f.svc.Get(ctx, user, id)
	if run.Status != runs.Cancelled || run.Summary != nil {
		t.Errorf("run %s, want cancelled with no results", run.Status)
	}
	for range runs.MaxActive {
		mustCreate(t, f, user, request())
	}
	spec, _ := f.svc.Check(ctx, request())
	if _, err := f.svc.Create(ctx, db.New(f.pool), user, spec); apperr.CodeOf(err) != apperr.TooManyRequests {
		t.Errorf("a fourth active run: %v, want TooManyRequests", err)
	}
}

// TestCancelWhileRunning: a run cancelled while it loads stops at its next
// progress step, stores no results and stays cancelled.
func TestCancelWhileRunning(t *testing.T) {
	f := mustSetup(t)
	ctx := t.Context()
	user := mustUser(t, f.pool, "erin@example.com")
	req := request()
	req.Start, req.End = testenv.Day(2015, 6, 1), testenv.Day(2026, 6, 4)
	id := mustCreate(t, f, user, req)
	done := make(chan error, 1)
	go func() { done <- f.svc.Execute(ctx, id, nil) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := f.svc.Get(ctx, user, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Stage == "load" && r.Step > 0 {
			break
		}
		if r.Done() || time.Now().After(deadline) {
			t.Fatalf("run %s at %s %d/%d before it could be cancelled", r.Status, r.Stage, r.Step, r.Total)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := f.svc.Cancel(ctx, user, id); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Execute after cancel: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not stop after it was cancelled")
	}
	r, _ := f.svc.Get(ctx, user, id)
	if r.Status != runs.Cancelled || r.Summary != nil {
		t.Errorf("run %s (summary %v), want cancelled without results", r.Status, r.Summary != nil)
	}
	var n int
	if err := f.pool.QueryRow(ctx, "SELECT count(*) FROM backtest_days WHERE backtest_id = $1", id).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d stored days (%v), want none", n, err)
	}
}
