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

// TestBacktestFromTheBrowser: a trader runs TopK-Dropout on the ridge
// signals for 2023–2026 from the backtests page, watches the run's progress
// arrive over the page's stream, and reads the result (metrics with and
// without cost, the cumulative return chart against the XJO, the after-tax
// panel and the trades, paged through htmx) without reloading the page.
func TestBacktestFromTheBrowser(t *testing.T) {
	app := testapp.New(t, map[string]string{"JOBS_ENABLED": "true"})
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, append(testdb.QuantTables, "backtest_days", "backtest_trades", "backtest_holdings")...)
	codes := []string{"BHP", "CBA", "CSL", "WES", "NAB", "ANZ", "WBC", "FMG", "RIO", "TLS"}
	if _, err := app.Quant.Store().Refresh(ctx, codes); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{Train: dataset.DateRange{Start: testenv.Date(t, "2019-01-01"), End: testenv.Date(t, "2020-12-31")},
		Valid: dataset.DateRange{Start: testenv.Date(t, "2021-01-01"), End: testenv.Date(t, "2021-12-31")},
		Test:  dataset.DateRange{Start: testenv.Date(t, "2022-01-01"), End: testenv.Date(t, "2022-12-31")}}
	if _, err := app.Quant.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	base := app.Serve(t).URL
	bctx := testenv.Browser(t, 120*time.Second)
	signUp(t, bctx, app, base, "backtester@example.com")

	must(t, chromedp.Do(bctx,
		chromedp.Navigate(base+"/backtests"),
		chromedp.WaitVisible(chromedp.CSS(`#backtest-form`)),
		chromedp.SetValue(chromedp.CSS(`#f-start`), "2023-01-03"),
		chromedp.SetValue(chromedp.CSS(`#f-end`), "2026-06-04"),
		chromedp.SetValue(chromedp.CSS(`#f-topk`), "4"),
		chromedp.SetValue(chromedp.CSS(`#f-n_drop`), "1"),
		chromedp.Click(chromedp.CSS(`[data-testid="run-backtest"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="backtest-progress"]`)),
		// From here on the page must not reload: progress and the result
		// come over the stream and htmx.
		chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true;
			window.__first = document.querySelector('[data-testid="backtest-progress"]').dataset.status;
			window.__seen = [window.__first];
			new MutationObserver(function () {
				var el = document.querySelector('[data-testid="backtest-progress"]');
				if (el && window.__seen[window.__seen.length - 1] !== el.dataset.status) window.__seen.push(el.dataset.status);
			}).observe(document.body, {subtree: true, childList: true, attributes: true});`),
	))
	if first := mustRun(t, bctx, chromedp.Evaluate[string](`window.__first`)); first == "completed" {
		t.Fatalf("the run was complete before its page loaded; nothing to watch")
	}
	must(t, chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="backtest-metrics"]`))))
	if !mustRun(t, bctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the page reloaded; the result must arrive over the stream")
	}
	seen := mustRun(t, bctx, chromedp.Evaluate[[]string](`window.__seen`))
	if len(seen) < 2 || seen[len(seen)-1] != "completed" {
		t.Errorf("statuses seen on the page %v, want the run to move to completed live", seen)
	}
	metrics := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="backtest-metrics"]`)))
	for _, want := range []string{"annualized_return", "information_ratio", "max_drawdown"} {
		if !strings.Contains(strings.ToLower(metrics), want) {
			t.Errorf("metrics table lacks %s: %q", want, metrics)
		}
	}
	if pts := mustRun(t, bctx, chromedp.Poll[int](`+document.querySelector('[data-testid="backtest-chart"]').dataset.points || 0`,
		chromedp.WithPollingTimeout(10*time.Second))); pts < 1000 {
		t.Errorf("cumulative return chart drew %d points, want portfolio and XJO over ~850 days", pts)
	}
	if tax := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="backtest-aftertax"]`))); !strings.Contains(tax, "SMSF") || !strings.Contains(tax, "2024–25") {
		t.Errorf("after-tax panel: %.300q", tax)
	}
	rows := mustRun(t, bctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="trade-row"]').length`))
	if rows != 50 {
		t.Errorf("first trade page shows %d rows, want 50", rows)
	}
	first := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="trade-row"]`)))
	must(t, chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`[data-testid="trades-next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#backtest-trades nav span`)),
	))
	mustRun(t, bctx, chromedp.Poll[bool](`document.querySelector('#backtest-trades nav span').textContent.indexOf('page 2') >= 0`, chromedp.WithPollingTimeout(5*time.Second)))
	if next := mustRun(t, bctx, chromedp.Text(chromedp.CSS(`[data-testid="trade-row"]`))); next == first {
		t.Errorf("page 2 starts with the same trade as page 1: %q", next)
	}
	if !mustRun(t, bctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("paging the trades reloaded the page")
	}
	screenshot(t, bctx, "backtest")

	// A trade's code opens its chart with the run's trades marked.
	must(t, chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`[data-testid="trade-row"] td:nth-child(2) a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="trade-markers"]`)),
	))
	if n := mustRun(t, bctx, chromedp.Poll[int](`+document.querySelector('[data-testid="chart"]').dataset.markers || 0`,
		chromedp.WithPollingTimeout(10*time.Second))); n < 1 {
		t.Errorf("the chart marked %d trades", n)
	}
}
