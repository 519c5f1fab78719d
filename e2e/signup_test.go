package e2e

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

var signUpLinkRe = regexp.MustCompile(`/signup/confirm\?token=[A-Za-z0-9_-]+`)

// confirmSignUp follows the sign-up link mailed to email, as its owner would,
// and presses the button that creates the account: the browser ends signed
// in. The form must have shown its "check your e-mail" notice first.
func confirmSignUp(t *testing.T, ctx context.Context, app *testapp.App, base, email string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="form-notice"]`))))
	var link string
	for deadline := time.Now().Add(10 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range app.SMTP.Messages() {
			if len(m.To) == 1 && m.To[0] == email {
				link = signUpLinkRe.FindString(m.Data)
			}
		}
	}
	if link == "" {
		t.Fatalf("no sign-up link mailed to %s", email)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(base+link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="confirm-signup"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="confirm-signup"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-name"]`)),
	))
}
