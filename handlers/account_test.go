package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

func TestSignUpSignInSignOut(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("trader@example.com", "Tess Trader")
	if res := b.get("/settings"); res.StatusCode != 200 || !strings.Contains(res.body, "trader@example.com") {
		t.Fatalf("settings after sign-up: %d", res.StatusCode)
	}
	if res := b.get("/"); !strings.Contains(res.body, `data-testid="user-name">Tess Trader<`) {
		t.Error("header does not show the signed-in user's name")
	}
	res := b.post("/signout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	res = b.get("/settings")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next=%2Fsettings" {
		t.Errorf("after sign-out /settings = %d → %q, want redirect to sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	b.mustSignIn("TRADER@example.com", testPassword)
	if res := b.get("/settings"); res.StatusCode != 200 {
		t.Errorf("signed in again: %d", res.StatusCode)
	}
	var events []string
	rows, err := app.Pool.Query(t.Context(), `SELECT event FROM audit_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		events = append(events, e)
	}
	want := []string{auth.EventSignUpRequest, auth.EventRegister, auth.EventSignOut, auth.EventSignIn}
	if strings.Join(events, ",") != strings.Join(want, ",") {
		t.Errorf("audit events = %v, want %v", events, want)
	}
	var ip, ua, rid string
	_ = app.Pool.QueryRow(t.Context(), `SELECT ip, user_agent, request_id FROM audit_events WHERE event = 'sign_in'`).Scan(&ip, &ua, &rid)
	if ip != "127.0.0.1" || ua == "" || len(rid) != 24 {
		t.Errorf("audit row ip=%q ua=%q request_id=%q", ip, ua, rid)
	}
}

func TestSessionTokenRenewedAtSignIn(t *testing.T) {
	_, b := servedApp(t, nil)
	b.mustSignUp("s@example.com", "S")
	b.post("/signout", nil)
	b.get("/signin") // a visitor session exists now (it holds the CSRF token)
	before := b.cookie("qlibpro_session")
	if before == nil {
		t.Fatal("no session cookie before sign-in")
	}
	b.post("/signin", url.Values{"email": {"s@example.com"}, "password": {testPassword}})
	after := b.cookie("qlibpro_session")
	if after == nil || after.Value == before.Value {
		t.Fatal("session token did not change at sign-in")
	}
	// The old token is dead: a client presenting it is a visitor.
	old := newBrowser(t, b.app, b.srv)
	u, _ := url.Parse(b.srv.URL)
	old.c.Jar.SetCookies(u, []*http.Cookie{{Name: "qlibpro_session", Value: before.Value}})
	if res := old.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("old session cookie still signed in: %d", res.StatusCode)
	}
}

func TestCookieFlags(t *testing.T) {
	t.Run("Development", func(t *testing.T) {
		_, b := servedApp(t, nil)
		res := b.get("/signin")
		c := res.Cookies()[0]
		if c.Name != "qlibpro_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("cookie %+v", c)
		}
	})
	t.Run("Production", func(t *testing.T) {
		app := testapp.New(t, map[string]string{"ENVIRONMENT": "production", "ALLOWED_HOSTS": "example.com",
			"METRICS_TOKEN": "0123456789abcdef", "SMTP_HOST": "localhost"})
		rec := app.Do(t, "GET", "/signin", nil, nil)
		sc := rec.Header().Get("Set-Cookie")
		for _, want := range []string{"__Host-qlibpro_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
			if !strings.Contains(sc, want) {
				t.Errorf("Set-Cookie %q lacks %q", sc, want)
			}
		}
		if strings.Contains(sc, "Domain=") {
			t.Errorf("__Host- cookies must not set Domain: %q", sc)
		}
	})
}

func TestOpenRedirectRefused(t *testing.T) {
	_, b := servedApp(t, nil)
	b.mustSignUp("o@example.com", "O")
	b.post("/signout", nil)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x"} {
		b.get("/signin?next=" + url.QueryEscape(next))
		res := b.post("/signin", url.Values{"email": {"o@example.com"}, "password": {testPassword}, "next": {next}})
		loc := res.Header.Get("Location")
		if loc != "/" && !strings.HasPrefix(next, "/%0d") {
			t.Errorf("next=%q redirected to %q, want /", next, loc)
		}
		if strings.Contains(loc, "evil") || strings.ContainsAny(loc, "\r\n") {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
		b.get("/")
		b.post("/signout", nil)
	}
	b.get("/signin?next=" + url.QueryEscape("/settings?tab=keys"))
	res := b.post("/signin", url.Values{"email": {"o@example.com"}, "password": {testPassword}, "next": {"/settings?tab=keys"}})
	if loc := res.Header.Get("Location"); loc != "/settings?tab=keys" {
		t.Errorf("local next redirected to %q", loc)
	}
}

func TestCSRFOnEveryStateChangingRoute(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("c@example.com", "C")
	var checked int
	for _, r := range app.HTTP.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/api/") || r.Path == "/*" {
			continue // the JSON API takes bearer tokens only, never cookies
		}
		path := concretePath(r.Path)
		checked++
		for name, values := range map[string]url.Values{"missing": {"_csrf": {""}}, "wrong": {"_csrf": {"forged-token"}}} {
			req, _ := http.NewRequest(r.Method, b.srv.URL+path, strings.NewReader(values.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := b.do(req)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s with %s token: status %d, want 403", r.Method, path, name, res.StatusCode)
			}
		}
		// The right token from a cross-site page is refused too.
		req, _ := http.NewRequest(r.Method, b.srv.URL+path, strings.NewReader(url.Values{"_csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res := b.do(req); res.StatusCode != http.StatusForbidden || !strings.Contains(res.body, "Cross-site") {
			t.Errorf("%s %s cross-site: status %d", r.Method, path, res.StatusCode)
		}
	}
	if checked < 10 {
		t.Errorf("only %d state-changing routes checked", checked)
	}
	// Still signed in: none of the forged requests changed anything.
	if res := b.get("/settings"); res.StatusCode != 200 {
		t.Errorf("settings: %d", res.StatusCode)
	}
}

func TestSignInThrottle(t *testing.T) {
	// Loopback is a trusted proxy here so each request can claim its client address.
	_, b := servedApp(t, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	b.mustSignUp("victim@example.com", "V")
	b.post("/signout", nil)
	b.ip = "198.51.100.7"
	b.get("/signin")
	for i := 1; i <= 5; i++ {
		res := b.post("/signin", url.Values{"email": {"victim@example.com"}, "password": {"wrong password " + strconv.Itoa(i)}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.body, "Email or password is incorrect") {
			t.Fatalf("failure %d: status %d", i, res.StatusCode)
		}
	}
	res := b.post("/signin", url.Values{"email": {"victim@example.com"}, "password": {"wrong again"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("6th failure: %d", res.StatusCode)
	}
	res = b.post("/signin", url.Values{"email": {"victim@example.com"}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked attempt: status %d, want 429", res.StatusCode)
	}
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 60 {
		t.Errorf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	// The owner, from another address, is not locked out.
	owner := newBrowser(t, b.app, b.srv)
	owner.ip = "203.0.113.20"
	owner.mustSignIn("victim@example.com", testPassword)
	var locked float64
	_ = b.app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE event = 'sign_in_locked'`).Scan(&locked)
	if locked != 1 {
		t.Errorf("%v sign_in_locked audit rows, want 1", locked)
	}
	metrics := b.app.Do(t, "GET", "/metrics", nil, nil) // loopback only without a token: 403 here
	_ = metrics
	m := b.app.Metrics
	if got := testutilCounter(t, m.UserLogins.WithLabelValues("locked")); got != 1 {
		t.Errorf("user_logins_total{result=locked} = %v, want 1", got)
	}
	if got := testutilCounter(t, m.UserLogins.WithLabelValues("failure")); got != 6 {
		t.Errorf("user_logins_total{result=failure} = %v, want 6", got)
	}
}

func TestAdminRoutesNeedAdmin(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("t@example.com", "T")
	var admin []string
	for _, r := range app.HTTP.Routes() {
		if r.Path == "/admin" || strings.HasPrefix(r.Path, "/admin/") {
			admin = append(admin, r.Method+" "+r.Path)
			path := concretePath(r.Path)
			var res response
			if r.Method == http.MethodGet {
				res = b.get(path)
			} else {
				req, _ := http.NewRequest(r.Method, b.srv.URL+path, strings.NewReader(url.Values{"_csrf": {b.csrf}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res = b.do(req)
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("trader %s %s: status %d, want 403", r.Method, path, res.StatusCode)
			}
		}
	}
	if len(admin) == 0 {
		t.Fatal("no /admin routes registered")
	}
	// Promoted (as the CLI does), the same session is renewed and allowed in.
	u, err := app.Users.FindUser(t.Context(), "t@example.com")
	if err != nil {
		t.Fatal(err)
	}
	before := b.cookie("qlibpro_session").Value
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if res := b.get("/admin"); res.StatusCode != 200 || !strings.Contains(res.body, "role_change") {
		t.Errorf("admin page after promotion: %d", res.StatusCode)
	}
	if b.cookie("qlibpro_session").Value == before {
		t.Error("session token not renewed after the role change")
	}
	visitor := newBrowser(t, app, b.srv)
	if res := visitor.get("/admin"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("visitor /admin: %d, want redirect to sign-in", res.StatusCode)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	app, a := servedApp(t, nil)
	a.mustSignUp("p@example.com", "P")
	other := newBrowser(t, app, a.srv)
	other.mustSignIn("p@example.com", testPassword)
	a.get("/settings")
	const next = "another long passphrase 99"
	res := a.post("/settings/password", url.Values{"current": {"wrong current password"}, "password": {next}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "current password is not correct") {
		t.Fatalf("wrong current password: %d", res.StatusCode)
	}
	res = a.post("/settings/password", url.Values{"current": {testPassword}, "password": {next}})
	if res.StatusCode != 200 || !strings.Contains(res.body, "1 other session(s) signed out") {
		t.Fatalf("change password: %d %.300s", res.StatusCode, res.body)
	}
	if res := other.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("other browser still signed in: %d", res.StatusCode)
	}
	if res := a.get("/settings"); res.StatusCode != 200 {
		t.Errorf("this browser signed out: %d", res.StatusCode)
	}
	var n int
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE event = 'password_change'`).Scan(&n)
	if n != 1 {
		t.Errorf("password_change audit rows = %d", n)
	}
}

func TestSettingsSessionsList(t *testing.T) {
	app, a := servedApp(t, nil)
	a.mustSignUp("l@example.com", "L")
	other := newBrowser(t, app, a.srv)
	other.mustSignIn("l@example.com", testPassword)
	res := a.get("/settings")
	ids := regexpAll(`/settings/sessions/([^/]+)/end`, res.body)
	if len(ids) != 1 || !strings.Contains(res.body, "this browser") {
		t.Fatalf("sessions list: %v", ids)
	}
	res = a.post("/settings/sessions/"+ids[0]+"/end", nil)
	if res.StatusCode != 200 {
		t.Fatalf("end session: %d", res.StatusCode)
	}
	if res := other.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("ended session still works: %d", res.StatusCode)
	}
	if res := a.post("/settings/sessions/not-mine/end", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session id: %d", res.StatusCode)
	}
}

func TestPasswordResetFlow(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("f@example.com", "F")
	b.post("/signout", nil)
	b.get("/forgot")
	known := b.post("/forgot", url.Values{"email": {"f@example.com"}})
	b.get("/forgot")
	unknown := b.post("/forgot", url.Values{"email": {"nobody@example.com"}})
	if known.StatusCode != 200 || unknown.StatusCode != 200 || stripCSRF(known.body) != stripCSRF(unknown.body) {
		t.Error("forgot-password answers differ for known and unknown emails")
	}
	mail := app.SMTP.Wait(t, 2, 10*time.Second) // the 1st is the sign-up link
	if len(mail.To) != 1 || mail.To[0] != "f@example.com" || !strings.Contains(mail.Data, "Subject: Reset your Qlib Pro password") {
		t.Fatalf("mail: %+v", mail)
	}
	token := regexpAll(`/reset\?token=([A-Za-z0-9_-]+)`, mail.Data)[0]
	b.get("/reset?token=" + token)
	const next = "reset passphrase works 11"
	res := b.post("/reset", url.Values{"token": {token}, "password": {next}})
	if res.StatusCode != 200 || !strings.Contains(res.body, "Your password is changed") {
		t.Fatalf("reset: %d %.300s", res.StatusCode, res.body)
	}
	res = b.post("/reset", url.Values{"token": {token}, "password": {next + "x"}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reused token: %d", res.StatusCode)
	}
	b.mustSignIn("f@example.com", next)

	// An expired token is refused.
	b.post("/signout", nil)
	b.get("/forgot")
	b.post("/forgot", url.Values{"email": {"f@example.com"}})
	mail = app.SMTP.Wait(t, 3, 10*time.Second)
	token = regexpAll(`/reset\?token=([A-Za-z0-9_-]+)`, mail.Data)[0]
	if _, err := app.Pool.Exec(t.Context(), `UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	b.get("/reset?token=" + token)
	res = b.post("/reset", url.Values{"token": {token}, "password": {"too late passphrase 12"}})
	if !strings.Contains(res.body, "invalid, expired or already used") {
		t.Errorf("expired token: %d %.300s", res.StatusCode, res.body)
	}
}

func TestAPITokens(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("api@example.com", "Api User")
	login := func(path, body string) (int, map[string]any, http.Header) {
		rec := app.Do(t, "POST", path, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out, rec.Header()
	}
	for _, path := range []string{"/api/v1/auth/login", "/api/auth/login"} {
		code, out, _ := login(path, `{"email":"api@example.com","password":"`+testPassword+`"}`)
		if code != 200 || out["token_type"] != "Bearer" || out["expires_in"] != float64(12*3600) || !strings.HasPrefix(out["access_token"].(string), "qp_") {
			t.Fatalf("%s: %d %v", path, code, out)
		}
	}
	code, out, hdr := login("/api/v1/auth/login", `{"email":"api@example.com","password":"nope nope nope"}`)
	if code != 401 || out["status"] != float64(401) || !strings.Contains(hdr.Get("Content-Type"), "problem+json") {
		t.Errorf("bad password: %d %v", code, out)
	}
	if code, _, _ := login("/api/v1/auth/login", `{"email":`); code != 400 {
		t.Errorf("malformed JSON: %d", code)
	}
	_, out, _ = login("/api/v1/auth/login", `{"email":"api@example.com","password":"`+testPassword+`"}`)
	tok := out["access_token"].(string)
	me := func(header map[string]string, q string) (int, string) {
		rec := app.Do(t, "GET", "/api/v1/me"+q, nil, header)
		return rec.Code, rec.Body.String()
	}
	if code, body := me(map[string]string{"Authorization": "Bearer " + tok}, ""); code != 200 || !strings.Contains(body, `"email":"api@example.com"`) {
		t.Errorf("me: %d %s", code, body)
	}
	if code, body := me(nil, "?token="+tok); code != 401 || !strings.Contains(body, "Tokens in the URL are refused") {
		t.Errorf("?token=: %d %s", code, body)
	}
	if code, _ := me(map[string]string{"Authorization": "Bearer " + tok}, "?access_token=x"); code != 401 {
		t.Errorf("token and ?access_token: %d", code)
	}
	if code, _ := me(nil, ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, _ := me(map[string]string{"Authorization": "Bearer qp_forged"}, ""); code != 401 {
		t.Errorf("forged token: %d", code)
	}
	// Expired.
	if _, err := app.Pool.Exec(t.Context(), `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'login'`); err != nil {
		t.Fatal(err)
	}
	if code, _ := me(map[string]string{"Authorization": "Bearer " + tok}, ""); code != 401 {
		t.Errorf("expired token: %d", code)
	}

	// A personal key from the settings page: shown once, works, then revoked.
	b.get("/settings")
	res := b.post("/settings/keys", url.Values{"name": {"backtester"}})
	keys := regexpAll(`data-testid="new-key">(qp_[A-Za-z0-9_-]+)<`, res.body)
	if res.StatusCode != 200 || len(keys) != 1 {
		t.Fatalf("create key: %d", res.StatusCode)
	}
	if strings.Contains(b.get("/settings").body, keys[0]) {
		t.Error("the key's secret is shown again")
	}
	if code, _ := me(map[string]string{"Authorization": "Bearer " + keys[0]}, ""); code != 200 {
		t.Errorf("personal key: %d", code)
	}
	ids := regexpAll(`/settings/keys/(\d+)/revoke`, b.get("/settings").body)
	if len(ids) != 1 {
		t.Fatalf("key ids: %v", ids)
	}
	if res := b.post("/settings/keys/"+ids[0]+"/revoke", nil); res.StatusCode != 200 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if code, _ := me(map[string]string{"Authorization": "Bearer " + keys[0]}, ""); code != 401 {
		t.Errorf("revoked key: %d", code)
	}
	// Another user cannot revoke (or see) it: 404.
	other := newBrowser(t, app, b.srv)
	other.mustSignUp("other@example.com", "Other")
	if res := other.post("/settings/keys/"+ids[0]+"/revoke", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another user's key id: %d, want 404", res.StatusCode)
	}
}

func TestDeleteAccount(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("gone@example.com", "Gone Person")
	b.get("/settings")
	if res := b.post("/settings/delete", url.Values{"password": {"not my password"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	if res := b.post("/settings/delete", url.Values{"password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	var email, name, pseudonym string
	_ = app.Pool.QueryRow(t.Context(), `SELECT email, display_name, pseudonym FROM users`).Scan(&email, &name, &pseudonym)
	if strings.Contains(email, "gone") || name != "Deleted user" || !strings.HasPrefix(pseudonym, "u_") {
		t.Errorf("after deletion: %q %q %q", email, name, pseudonym)
	}
	var n, traced int
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE ip <> '' OR user_agent <> '') FROM audit_events WHERE user_id IS NOT NULL`).Scan(&n, &traced)
	if n < 2 || traced != 0 {
		t.Errorf("audit rows %d, with network traces %d", n, traced)
	}
	if res := b.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("deleted account still signed in: %d", res.StatusCode)
	}
	b2 := newBrowser(t, app, b.srv)
	b2.mustSignUp("gone@example.com", "New Person") // the address is free again
}
