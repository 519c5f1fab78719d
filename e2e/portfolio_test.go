package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestPaperTradeDuringASimulatedSession: with the simulator feeding a
// session in continuous trading, a trader places a market order for BHP
// from the ticket and, on the dashboard, sees the holding appear and the
// cash fall (pushed over SSE once the matcher fills the order).
func TestPaperTradeDuringASimulatedSession(t *testing.T) {
	// The demo clock starts its session at 09:59:30; an hour in, BHP trades.
	clock := provider.NewDemoClock(time.Now().Add(-time.Hour), 1, nil)
	app := testapp.NewWithClock(t, map[string]string{
		"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator", "FEED_SYMBOLS": "BHP,CBA,CSL",
	}, clock)
	srv := app.Serve(t)
	ctx := testenv.Browser(t, 90*time.Second)

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(chromedp.CSS(`#signup-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "paper.trader@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Paper Trader"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "browser test passphrase 2026"),
		chromedp.Click(chromedp.CSS(`[data-testid="signup-submit"]`)),
	))
	confirmSignUp(t, ctx, app, srv.URL, "paper.trader@example.com")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/portfolio"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="no-holdings"]`)),
	))
	if cash := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="cash"]`))); strings.TrimSpace(cash) != "$100,000.00" {
		t.Fatalf("opening cash = %q", cash)
	}

	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="nav-trade"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#order-ticket`)),
		chromedp.SendKeys(chromedp.CSS(`#f-code`), "BHP"),
		chromedp.SendKeys(chromedp.CSS(`#f-quantity`), "10"),
	))
	// The live estimate shows the quote and CommSec's $5 on a trade under $1,000.
	mustRun(t, ctx, chromedp.Poll[bool](`(() => {
		const b = document.querySelector('[data-testid="preview-brokerage"]');
		return !!b && b.textContent.trim() === '$5.00';
	})()`, chromedp.WithPollingTimeout(15*time.Second)))
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="place-order"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-notice"]`)),
	))
	notice := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="form-notice"]`)))
	if !strings.Contains(notice, "buy 10 BHP market") {
		t.Fatalf("notice = %q", notice)
	}

	// The dashboard: the holding arrives over SSE once the order fills.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/portfolio"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="portfolio-summary"]`)),
	))
	mustRun(t, ctx, chromedp.Poll[bool](`(() => {
		const q = document.querySelector('[data-testid="holding-BHP"] [data-testid="holding-quantity"]');
		return !!q && q.textContent.trim() === '10';
	})()`, chromedp.WithPollingTimeout(30*time.Second)))
	cash := strings.TrimSpace(mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="cash"]`))))
	if cash == "$100,000.00" || !strings.HasPrefix(cash, "$99,") {
		t.Errorf("cash after buying 10 BHP = %q", cash)
	}
	var want string
	if err := app.Pool.QueryRow(t.Context(), `SELECT to_char(cash, 'FM999,999,990.00') FROM paper_accounts`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if cash != "$"+want {
		t.Errorf("dashboard cash %q, ledger cash $%s", cash, want)
	}
}
