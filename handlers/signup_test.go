package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

var signUpLinkRe = regexp.MustCompile(`/signup/confirm\?token=([A-Za-z0-9_-]+)`)

// signUpMail waits for the first mail to email after the first `after`
// messages the app sent.
func signUpMail(t *testing.T, app *testapp.App, email string, after int) testenv.Mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := app.SMTP.Messages()
		for _, m := range msgs[min(after, len(msgs)):] {
			if len(m.To) == 1 && m.To[0] == email {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s after message %d", email, after)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mustConfirmSignUp opens the sign-up link mailed to email (after the first
// `after` messages) and creates the account, which signs the browser in.
func (b *browser) mustConfirmSignUp(email string, after int) {
	b.t.Helper()
	m := signUpMail(b.t, b.app, email, after)
	link := signUpLinkRe.FindStringSubmatch(m.Data)
	if link == nil {
		b.t.Fatalf("no sign-up link in the mail to %s:\n%s", email, m.Data)
	}
	b.get("/signup/confirm?token=" + link[1])
	if res := b.post("/signup/confirm", url.Values{"token": {link[1]}}); res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("confirm sign-up: status %d: %.400s", res.StatusCode, res.body)
	}
}

func TestSignUpByEmailLink(t *testing.T) {
	app, b := servedApp(t, nil)
	b.get("/signup")
	res := b.post("/signup", url.Values{"email": {"New.Person@Example.com"}, "name": {"New Person"}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Check your e-mail: we sent a message to new.person@example.com") {
		t.Fatalf("sign up: %d %.400s", res.StatusCode, res.body)
	}
	if strings.Contains(res.body, `name="password"`) {
		t.Error("the form is still there after sending")
	}
	if res := b.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed in before confirming: %d", res.StatusCode)
	}
	if _, err := app.Users.FindUser(t.Context(), "new.person@example.com"); err == nil {
		t.Error("the account exists before the link was opened")
	}
	m := signUpMail(t, app, "new.person@example.com", 0)
	if !strings.Contains(m.Data, "Subject: Finish creating your Qlib Pro account") || strings.Contains(m.Data, "New Person") {
		t.Errorf("mail (it must not repeat the typed name):\n%s", m.Data)
	}
	token := signUpLinkRe.FindStringSubmatch(m.Data)[1]

	// Opening the link (as a mail scanner would) changes nothing: it takes the button.
	page := b.get("/signup/confirm?token=" + token)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `data-testid="confirm-signup"`) {
		t.Fatalf("confirm page: %d", page.StatusCode)
	}
	if _, err := app.Users.FindUser(t.Context(), "new.person@example.com"); err == nil {
		t.Error("GET of the link created the account")
	}
	if res := b.post("/signup/confirm", url.Values{"token": {token}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("confirm: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := b.get("/"); !strings.Contains(res.body, `data-testid="user-name">New Person<`) {
		t.Error("not signed in as the new user after confirming")
	}

	// The link works once.
	other := newBrowser(t, app, b.srv)
	other.get("/signup/confirm?token=" + token)
	res = other.post("/signup/confirm", url.Values{"token": {token}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "invalid, expired or already used") {
		t.Errorf("second use: %d %.300s", res.StatusCode, res.body)
	}
	other.get("/signup/confirm?token=forged")
	if res := other.post("/signup/confirm", url.Values{"token": {"forged"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("forged token: %d", res.StatusCode)
	}
}

// TestSignUpDoesNotTellWhoHasAnAccount: for an address with an account the
// page is the same as for a new one, and its owner is told by e-mail.
func TestSignUpDoesNotTellWhoHasAnAccount(t *testing.T) {
	app, owner := servedApp(t, nil)
	owner.mustSignUp("dave@example.com", "Dave Owner")
	owner.post("/signout", nil)
	sent := len(app.SMTP.Messages())

	visitor := newBrowser(t, app, owner.srv) // one session for both, so the CSRF tokens match
	answer := func(email string) response {
		visitor.get("/signup")
		return visitor.post("/signup", url.Values{"email": {email}, "name": {"Mallory"}, "password": {"mallory takes over 77"}})
	}
	existing, fresh := answer("dave@example.com"), answer("nobody.yet@example.com")
	norm := func(r response) string {
		return strings.ReplaceAll(strings.ReplaceAll(stripCSRF(r.body), "dave@example.com", "X"), "nobody.yet@example.com", "X")
	}
	if existing.StatusCode != http.StatusOK || existing.StatusCode != fresh.StatusCode || norm(existing) != norm(fresh) {
		t.Errorf("existing address: %d, new address: %d; the pages must be the same", existing.StatusCode, fresh.StatusCode)
	}
	if strings.Contains(existing.body, "already") {
		t.Error("the page says the address is taken")
	}
	if existing.Header.Get("Set-Cookie") != "" && fresh.Header.Get("Set-Cookie") == "" {
		t.Error("only one answer sets a cookie")
	}
	m := signUpMail(t, app, "dave@example.com", sent)
	if !strings.Contains(m.Data, "Subject: Someone tried to sign up to Qlib Pro with your address") ||
		!strings.Contains(m.Data, "Hello Dave Owner") || signUpLinkRe.MatchString(m.Data) {
		t.Errorf("mail to the owner:\n%s", m.Data)
	}
	signUpMail(t, app, "nobody.yet@example.com", sent)
	// Nothing changed: the owner's password still works, Mallory's does not.
	owner.mustSignIn("dave@example.com", testPassword)
	owner.post("/signout", nil)
	owner.get("/signin")
	if res := owner.post("/signin", url.Values{"email": {"dave@example.com"}, "password": {"mallory takes over 77"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the sign-up's password signs in: %d", res.StatusCode)
	}
}

func TestSignUpsLimitedPerIP(t *testing.T) {
	app, b := servedApp(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "SIGNUPS_PER_IP": "3"})
	b.ip = "198.51.100.30"
	b.get("/signup")
	signUp := func(email string) response {
		return b.post("/signup", url.Values{"email": {email}, "name": {"S"}, "password": {testPassword}})
	}
	if res := signUp("not-an-email"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid email: %d", res.StatusCode) // field errors do not count
	}
	for i, email := range []string{"s1@example.com", "s2@example.com", "s3@example.com"} {
		if res := signUp(email); res.StatusCode != http.StatusOK {
			t.Fatalf("sign-up %d: %d", i+1, res.StatusCode)
		}
	}
	res := signUp("s4@example.com")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(res.body, "Too many sign-ups") {
		t.Errorf("4th sign-up: %d Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	b.ip = "198.51.100.31"
	if res := signUp("s5@example.com"); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d", res.StatusCode)
	}
	if n := limitsCounter(t, app.Metrics.AuthRefused.WithLabelValues("signup_ip")); n != 1 {
		t.Errorf("auth_requests_refused_total{limit=signup_ip} = %v, want 1", n)
	}
}
