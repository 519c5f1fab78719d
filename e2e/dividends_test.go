package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestAdminImportsDividendsInTheShippedFormat: an admin pastes dividends in
// data/asx/dividends.csv's format; a bad kind comes back inline on the
// form (swapped by htmx), the corrected file is imported, and the
// instrument page lists the new special dividend with its franking.
func TestAdminImportsDividendsInTheShippedFormat(t *testing.T) {
	app := testapp.New(t, nil)
	base := app.Serve(t).URL
	ctx := testenv.Browser(t, 90*time.Second)
	signUp(t, ctx, app, base, "dividend.admin@example.com")
	u, err := app.Users.FindUser(t.Context(), "dividend.admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	const header = "code,ex_date,pay_date,amount_aud_per_share,franking_pct,kind,source\n"
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/dividends"),
		chromedp.WaitVisible(chromedp.CSS(`#f-csv`)),
		chromedp.SetValue(chromedp.CSS(`#f-csv`), header+"JBH,2026-02-11,2026-03-13,1.20,100,bonus,jbhifi.com.au\n"),
		chromedp.Click(chromedp.CSS(`[data-testid="import-dividends"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-csv"]`)),
	))
	if msg := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-csv"]`))); !strings.Contains(msg, `line 2: kind "bonus" is not one of interim, final, special, other`) {
		t.Errorf("error = %q", msg)
	}
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#f-csv`), header+"JBH,2026-02-11,2026-03-13,1.20,100,special,jbhifi.com.au\n"),
		chromedp.Click(chromedp.CSS(`[data-testid="import-dividends"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-notice"]`)),
	))
	if msg := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="form-notice"]`))); !strings.Contains(msg, "1 dividend line(s) read, 1 event(s) added or changed") {
		t.Errorf("notice = %q", msg)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+"/instruments/JBH"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="instrument-dividends"] tbody tr`)),
	))
	first := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="instrument-dividends"] tbody tr`)))
	// $1.20 fully franked: credit 1.20 × 0.3 / 0.7 = 0.5143, grossed-up 1.7143.
	for _, want := range []string{"11 Feb 2026", "special", "$1.2000", "100 %", "$0.5143", "$1.7143"} {
		if !strings.Contains(first, want) {
			t.Errorf("latest JBH dividend row %q lacks %q", first, want)
		}
	}
}
