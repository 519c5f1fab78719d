package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// mustCreateKey makes a personal key on the settings page and returns its secret.
func (b *browser) mustCreateKey(name string, extra url.Values) string {
	b.t.Helper()
	b.get("/settings")
	v := url.Values{"name": {name}}
	for k, vs := range extra {
		v[k] = vs
	}
	res := b.post("/settings/keys", v)
	keys := regexpAll(`data-testid="new-key">(qp_[A-Za-z0-9_-]+)<`, res.body)
	if res.StatusCode != http.StatusOK || len(keys) != 1 {
		b.t.Fatalf("create key: %d %.300s", res.StatusCode, res.body)
	}
	return keys[0]
}

func meStatus(t *testing.T, b *browser, token string) int {
	t.Helper()
	return b.app.Do(t, "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + token}).Code
}

func TestPasswordChangeRevokesKeysAndSaysSo(t *testing.T) {
	t.Run("Form", func(t *testing.T) {
		_, b := servedApp(t, nil)
		b.mustSignUp("keys@example.com", "K")
		key := b.mustCreateKey("backtester", nil)
		res := b.post("/settings/password", url.Values{"current": {testPassword}, "password": {"another long passphrase 99"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "every API key and login token of your account was revoked") {
			t.Fatalf("change password: %d %.300s", res.StatusCode, res.body)
		}
		if code := meStatus(t, b, key); code != http.StatusUnauthorized {
			t.Errorf("personal key after the change: %d, want 401", code)
		}
		if body := b.get("/settings").body; strings.Contains(body, "backtester") || strings.Contains(body, "was revoked") {
			t.Error("the settings page still lists the key, or repeats the notice")
		}
	})
	t.Run("HTMX", func(t *testing.T) {
		_, b := servedApp(t, nil)
		b.mustSignUp("keys2@example.com", "K")
		b.get("/settings")
		res := b.post("/settings/password", url.Values{"current": {testPassword}, "password": {"another long passphrase 99"}}, "HX-Request", "true")
		if res.StatusCode != http.StatusOK || res.Header.Get("HX-Refresh") != "true" {
			t.Fatalf("change password: %d HX-Refresh %q", res.StatusCode, res.Header.Get("HX-Refresh"))
		}
		// htmx reloads the page at once: the notice must survive that reload, once.
		if body := b.get("/settings").body; !strings.Contains(body, "every API key and login token of your account was revoked") {
			t.Error("the reloaded settings page does not tell that the keys were revoked")
		}
		if strings.Contains(b.get("/settings").body, "was revoked") {
			t.Error("the notice is shown again on the next visit")
		}
	})
}

func TestPasswordResetRevokesKeysAndSaysSo(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("lost@example.com", "L")
	key := b.mustCreateKey("bot", nil)
	before := len(app.SMTP.Messages())
	b.post("/signout", nil)
	b.get("/forgot")
	b.post("/forgot", url.Values{"email": {"lost@example.com"}})
	mail := app.SMTP.Wait(t, before+1, 10*time.Second)
	token := regexpAll(`/reset\?token=([A-Za-z0-9_-]+)`, mail.Data)[0]
	b.get("/reset?token=" + token)
	res := b.post("/reset", url.Values{"token": {token}, "password": {"reset passphrase works 11"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "every API key and login token of the account was revoked") {
		t.Fatalf("reset: %d %.300s", res.StatusCode, res.body)
	}
	if code := meStatus(t, b, key); code != http.StatusUnauthorized {
		t.Errorf("personal key after the reset: %d, want 401", code)
	}
}
