package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// liveApp serves the app with the simulator running in the middle of a
// simulated trading session.
func liveApp(t *testing.T) (*testapp.App, string) {
	t.Helper()
	clock := provider.NewDemoClock(time.Now().Add(-2*time.Hour), 1, asx.DefaultCalendar())
	app := testapp.NewWithClock(t, map[string]string{"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator"}, clock)
	return app, app.Serve(t).URL
}

// signUp registers through the page and the e-mailed link, and leaves the
// browser signed in.
func signUp(t *testing.T, ctx context.Context, app *testapp.App, base, email string) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/signup"),
		chromedp.WaitVisible(chromedp.CSS(`#signup-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Live Trader"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "live markets passphrase 7"),
		chromedp.Click(chromedp.CSS(`[data-testid="signup-submit"]`)),
	))
	confirmSignUp(t, ctx, app, base, email)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	if b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
}

// TestMarketsBoardUpdatesLive: on the markets page a price cell changes over
// SSE within 5 s, without reloading the page.
func TestMarketsBoardUpdatesLive(t *testing.T) {
	app, base := liveApp(t)
	ctx := testenv.Browser(t, 90*time.Second)
	signUp(t, ctx, app, base, "board@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/markets"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="quote-table"] tbody tr[data-code]`)),
		chromedp.Evaluate[chromedp.Void](`window.__before = Object.fromEntries([...document.querySelectorAll('[data-testid="quote-table"] tr[data-code]')].map(r => [r.dataset.code, r.querySelector('[data-testid="last"]').textContent])); window.__notReloaded = true`),
	))
	mustRun(t, ctx, chromedp.Poll[bool](`(() => [...document.querySelectorAll('[data-testid="quote-table"] tr[data-code]')].some(r => window.__before[r.dataset.code] !== undefined && r.querySelector('[data-testid="last"]').textContent !== window.__before[r.dataset.code]))()`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the page reloaded; rows must update in place over SSE")
	}
	status := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="market-status"]`)))
	if !strings.Contains(strings.ToLower(status), "simulated") {
		t.Errorf("market status %q should say the session is simulated", status)
	}
	screenshot(t, ctx, "markets")
}

// TestInstrumentChart: the chart draws its bars; the interval switcher swaps
// the chart through htmx and the new chart loads intraday bars.
func TestInstrumentChart(t *testing.T) {
	app, base := liveApp(t)
	ctx := testenv.Browser(t, 90*time.Second)
	signUp(t, ctx, app, base, "chart@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/instruments/BHP"),
		chromedp.WaitVisible(chromedp.CSS(`#chart canvas`)),
		chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`),
	))
	daily := mustRun(t, ctx, chromedp.Poll[int](`(+document.querySelector('#chart').dataset.bars) || 0`, chromedp.WithPollingTimeout(10*time.Second)))
	if daily < 100 {
		t.Errorf("daily chart drew %d bars, want the last year of history (the shipped data ends in June 2026)", daily)
	}
	screenshot(t, ctx, "instrument-1D")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#chart-panel a[data-interval="1m"]`))))
	mustRun(t, ctx, chromedp.Poll[bool](`document.querySelector('#chart').dataset.interval === '1m' && document.querySelector('#chart').dataset.bars !== undefined`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the interval switch reloaded the page; it must swap the chart through htmx")
	}
	if loc := mustRun(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/instruments/BHP/chart?interval=1m") {
		t.Errorf("location = %q, want the chart partial's URL", loc)
	}
	// The last one-minute bar grows with live trades.
	mustRun(t, ctx, chromedp.Poll[bool](`(+document.querySelector('#chart').dataset.updates || 0) > 0`, chromedp.WithPollingTimeout(15*time.Second)))
	screenshot(t, ctx, "instrument-1m")
}
