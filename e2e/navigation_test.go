package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// TestLivePagesInARow: a trader goes through ten live pages in a row. Each
// page holds one stream, closed when the page is left (even into the
// back/forward cache), so the browser's six connections per host never run
// out: every page's response starts within 2 s and the server holds at
// most the current page's stream. Before, the fourth or fifth navigation hung for
// 13–48 s behind streams of pages already left.
func TestLivePagesInARow(t *testing.T) {
	app, base := liveApp(t)
	ctx := testenv.Browser(t, 120*time.Second)
	signUp(t, ctx, app, base, "nav@example.com")
	// A first, untimed visit fills the browser's caches (scripts, styles).
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/markets"), chromedp.WaitVisible(chromedp.CSS(`[data-stream]`))))
	pages := []string{
		"/markets", "/instruments/BHP", "/portfolio", "/instruments/CBA?interval=5m",
		"/markets?sector=Materials", "/instruments/NAB", "/portfolio", "/instruments/RIO",
		"/markets", "/instruments/WBC",
	}
	open := func() float64 {
		var m dto.Metric
		if err := app.Metrics.StreamsOpen.Write(&m); err != nil {
			t.Fatal(err)
		}
		return m.GetGauge().GetValue()
	}
	for i, p := range pages {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+p),
			chromedp.WaitVisible(chromedp.CSS(`[data-stream]`)),
		))
		// The time to the page's first byte includes any wait for a free
		// connection, which is where the stalls were; rendering is not timed.
		ttfb := mustRun(t, ctx, chromedp.Evaluate[float64](`performance.getEntriesByType("navigation")[0].responseStart`))
		if ttfb > 2000 {
			t.Errorf("page %d %s: first byte after %.0f ms, want under 2 s", i+1, p, ttfb)
		}
		// The page's stream opens; the one of the page left is closed.
		mustRun(t, ctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-live") === "open"`,
			chromedp.WithPollingTimeout(5*time.Second)))
		deadline := time.Now().Add(3 * time.Second)
		for open() > 1 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := open(); n > 1 {
			t.Errorf("after page %d %s the server holds %v streams, want only this page's", i+1, p, n)
		}
	}
	// A hidden tab lets its stream go and takes it up again when shown.
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event("pagehide"))`)))
	mustRun(t, ctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-live") === "closed"`,
		chromedp.WithPollingTimeout(5*time.Second)))
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}))`)))
	mustRun(t, ctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-live") === "open"`,
		chromedp.WithPollingTimeout(5*time.Second)))
}
