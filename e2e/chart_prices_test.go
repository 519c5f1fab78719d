package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestChartRawToggle: the daily chart is adjusted by default; clicking Raw
// swaps the chart panel through htmx (no reload) to raw history, and the
// interval links keep it.
func TestChartRawToggle(t *testing.T) {
	app := testapp.New(t, nil)
	base := app.Serve(t).URL
	ctx := testenv.Browser(t, 90*time.Second)
	signUp(t, ctx, app, base, "raw@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/instruments/REH?interval=1D&range=max"),
		chromedp.WaitVisible(chromedp.CSS(`#chart canvas`)),
		chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`),
	))
	if src := mustRun(t, ctx, chromedp.Evaluate[string](`document.querySelector('#chart').dataset.src`)); !strings.Contains(src, "prices=adjusted") {
		t.Errorf("default chart source %q, want adjusted prices", src)
	}
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`document.querySelector('#chart-panel a[data-prices="adjusted"]').classList.contains('active')`)) {
		t.Error("Adjusted is not marked active by default")
	}
	mustRun(t, ctx, chromedp.Poll[bool](`(+document.querySelector('#chart').dataset.bars || 0) > 1000`, chromedp.WithPollingTimeout(10*time.Second)))

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#chart-panel a[data-prices="raw"]`))))
	mustRun(t, ctx, chromedp.Poll[bool](`document.querySelector('#chart').dataset.src.includes('prices=raw') && (+document.querySelector('#chart').dataset.bars || 0) > 1000`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the prices toggle reloaded the page; it must swap the chart through htmx")
	}
	if loc := mustRun(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/instruments/REH/chart?interval=1D&range=max&prices=raw") {
		t.Errorf("location = %q, want the raw chart partial's URL", loc)
	}
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`document.querySelector('#chart-panel a[data-prices="raw"]').classList.contains('active')`)) {
		t.Error("Raw is not marked active after the click")
	}
	// The weekly interval keeps raw prices.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#chart-panel a[data-interval="1W"]`))))
	mustRun(t, ctx, chromedp.Poll[bool](`document.querySelector('#chart').dataset.interval === '1W' && document.querySelector('#chart').dataset.src.includes('prices=raw')`,
		chromedp.WithPollingTimeout(10*time.Second)))
	screenshot(t, ctx, "instrument-raw-1W")
}
