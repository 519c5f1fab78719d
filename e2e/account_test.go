package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestSignUpSignInSignOut: a person signs up, follows the e-mailed link, sees
// their name in the header, signs out, is refused a protected page, signs in
// again and signs out.
func TestSignUpSignInSignOut(t *testing.T) {
	app := testapp.New(t, nil)
	srv := app.Serve(t)
	ctx := testenv.Browser(t, 90*time.Second)
	const pw = "browser test passphrase 2026"

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(chromedp.CSS(`#signup-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "browser@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Bea Browser"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "weak"),
		chromedp.Click(chromedp.CSS(`[data-testid="signup-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-password"]`)),
	))
	msg := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="error-password"]`)))
	if !strings.Contains(msg, "at least 12") {
		t.Errorf("inline password error = %q", msg)
	}
	// The htmx partial kept the typed email and name.
	if v := mustRun(t, ctx, chromedp.Value(chromedp.CSS(`#f-email`))); v != "browser@example.com" {
		t.Errorf("email after the inline error = %q", v)
	}
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#f-password`), pw),
		chromedp.Click(chromedp.CSS(`[data-testid="signup-submit"]`)),
	))
	confirmSignUp(t, ctx, app, srv.URL, "browser@example.com")
	if name := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="user-name"]`))); name != "Bea Browser" {
		t.Errorf("header name = %q", name)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-link"]`)),
		chromedp.Navigate(srv.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`#signin-form`)),
	))
	if loc := mustRun(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/signin?next=%2Fsettings") {
		t.Errorf("protected page while signed out went to %q", loc)
	}
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "browser@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), pw),
		chromedp.Click(chromedp.CSS(`[data-testid="signin-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="api-keys"]`)), // back at /settings
	))
	if name := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="user-name"]`))); name != "Bea Browser" {
		t.Errorf("header name after sign-in = %q", name)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="signout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-link"]`)),
	))
}
