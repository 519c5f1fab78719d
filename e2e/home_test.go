package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/views/display"
)

// TestHomeSectorFilter: the home page renders the real XJO close and the
// overview table; choosing a sector swaps the table through htmx (no full
// reload) and pushes the partial's own URL.
func TestHomeSectorFilter(t *testing.T) {
	app := testapp.New(t, nil)
	srv := app.Serve(t)
	ctx := testenv.Browser(t, 60*time.Second)

	var xjo float64
	if err := app.Pool.QueryRow(t.Context(), `SELECT close FROM daily_bars WHERE code = 'XJO' ORDER BY date DESC LIMIT 1`).Scan(&xjo); err != nil {
		t.Fatal(err)
	}

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-table"]`)),
	))
	bench := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="benchmark"] .value`)))
	if want := display.Index(xjo); strings.TrimSpace(bench) != want {
		t.Errorf("benchmark shows %q, want %q", bench, want)
	}
	all := mustRun(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="overview-table"] tbody tr[data-code]').length`))
	if all < 150 {
		t.Fatalf("overview has %d rows", all)
	}
	// Mark the document: a full page load would lose the mark, an htmx swap keeps it.
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`)))

	must(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#sector`), "Energy")))
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#sector').dispatchEvent(new Event('change', {bubbles: true}))`)))
	mustRun(t, ctx, chromedp.Poll[bool](`(() => {
		const cells = [...document.querySelectorAll('[data-testid="overview-table"] tbody tr[data-code] td:nth-child(3)')];
		return cells.length > 0 && cells.every(c => c.textContent.trim() === 'Energy');
	})()`, chromedp.WithPollingTimeout(10*time.Second)))

	energy := mustRun(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="overview-table"] tbody tr[data-code]').length`))
	if energy == 0 || energy >= all {
		t.Errorf("Energy rows = %d of %d", energy, all)
	}
	if !mustRun(t, ctx, chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Error("the page reloaded; the table should be swapped by htmx")
	}
	loc := mustRun(t, ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/overview?sector=Energy") {
		t.Errorf("location = %q, want the partial's URL pushed", loc)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustRun[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
