package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestSignalsAndFactorLab: a trader sees the model ranking, opens the model's
// evidence (its IC chart draws) and evaluates a typed factor in the lab; a
// mistyped one shows the parse error at its position, without page loads.
func TestSignalsAndFactorLab(t *testing.T) {
	app := testapp.New(t, nil)
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, testdb.QuantTables...)
	p := app.Quant
	codes := []string{"BHP", "CBA", "CSL", "WES", "NAB", "ANZ", "WBC", "FMG", "RIO", "TLS"}
	if _, err := p.Store().Refresh(ctx, codes); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{Train: dataset.DateRange{Start: testenv.Date(t, "2019-01-01"), End: testenv.Date(t, "2020-12-31")},
		Valid: dataset.DateRange{Start: testenv.Date(t, "2021-01-01"), End: testenv.Date(t, "2021-06-30")}, Test: dataset.DateRange{Start: testenv.Date(t, "2021-07-01"), End: testenv.Date(t, "2022-06-30")}}
	if _, err := p.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Score(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	base := app.Serve(t).URL
	bctx := testenv.Browser(t, 90*time.Second)
	signUp(t, bctx, app, base, "quant@example.com")

	must(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/signals"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signals-table"] tbody tr`)),
	))
	if n := mustRun(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="signals-table"] tbody tr').length`)); n != len(codes) {
		t.Errorf("ranking rows = %d, want %d", n, len(codes))
	}
	must(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/models"),
		chromedp.Click(chromedp.CSS(`[data-testid="models-table"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="ic-chart"] canvas`)),
	))
	if pts := mustRun(t, bctx, chromedp.Poll[int](`+document.querySelector('[data-testid="ic-chart"]').dataset.points || 0`, chromedp.WithPollingTimeout(5*time.Second))); pts < 100 {
		t.Errorf("IC chart drew %d points", pts)
	}
	screenshot(t, bctx, "model")

	must(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/factors"),
		chromedp.WaitVisible(chromedp.CSS(`#factor-form`)),
		chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`),
		chromedp.SetValue(chromedp.CSS(`#f-expr`), "Mean($close, 5)/$close"),
		chromedp.Click(chromedp.CSS(`[data-testid="evaluate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="factor-ic"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="factor-values"] canvas`)),
	))
	ic := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="factor-ic"]`)))
	if ic == "" || ic == "–" {
		t.Errorf("factor IC = %q", ic)
	}
	screenshot(t, bctx, "factor-lab")
	must(t, chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#f-expr`), "Mean($close, 5))/$close"),
		chromedp.Click(chromedp.CSS(`[data-testid="evaluate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="parse-error"]`)),
	))
	msg := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="parse-error"]`)))
	if !strings.Contains(msg, "^") || !strings.Contains(msg, "position 15") {
		t.Errorf("parse error shown as %q", msg)
	}
	if !mustRun(t, bctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the lab reloaded the page; results must swap in through htmx")
	}
}
