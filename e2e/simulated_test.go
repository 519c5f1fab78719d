package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestSimulatedDaysInTheBrowser: with simulated days filled after the real
// history and the simulator on its session clock, the daily chart draws the
// simulated candles faded under a "Simulated daily bars" caption, and the
// one-minute chart, reached by a click, says its session is simulated.
func TestSimulatedDaysInTheBrowser(t *testing.T) {
	app := testapp.New(t, map[string]string{"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator", "FEED_SYMBOLS": "BHP"})
	if _, err := feed.FillSimulated(t.Context(), app.Pool, asx.DefaultCalendar(), 1, testenv.Date(t, "2026-06-12")); err != nil {
		t.Fatal(err)
	}
	base := app.Serve(t).URL
	ctx := testenv.Browser(t, 90*time.Second)
	signUp(t, ctx, app, base, "simulated@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/instruments/BHP?range=1y"),
		chromedp.WaitVisible(chromedp.CSS(`#chart canvas`)),
	))
	sim := mustRun(t, ctx, chromedp.Poll[int](`document.querySelector('#chart').dataset.sim === undefined ? -1 : +document.querySelector('#chart').dataset.sim`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if sim != 5 {
		t.Errorf("the daily chart drew %d simulated candles, want 5 (5, 9–12 June)", sim)
	}
	label := mustRun(t, ctx, chromedp.Evaluate[string](`document.querySelector('#chart-panel [data-testid="sim-label"]').innerText`))
	if !strings.Contains(label, "Simulated daily bars 5 Jun 2026 – 12 Jun 2026") {
		t.Errorf("caption %q", label)
	}
	screenshot(t, ctx, "instrument-simulated-days")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#chart-panel a[data-interval="1m"]`))))
	mustRun(t, ctx, chromedp.Poll[bool](`document.querySelector('#chart').dataset.interval === '1m'`, chromedp.WithPollingTimeout(10*time.Second)))
	if label := mustRun(t, ctx, chromedp.Evaluate[string](`document.querySelector('#chart-panel [data-testid="sim-label"]').innerText`)); !strings.Contains(label, "Simulated session") {
		t.Errorf("one-minute caption %q", label)
	}
}
