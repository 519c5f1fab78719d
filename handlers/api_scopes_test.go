package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/auth"
)

// scopeProblem checks a 403 problem+json that names the missing scope.
func scopeProblem(t *testing.T, what string, code int, header http.Header, body []byte, scope string) {
	t.Helper()
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &p)
	if code != http.StatusForbidden || p.Status != 403 || !strings.Contains(header.Get("Content-Type"), "problem+json") ||
		!strings.Contains(p.Detail, `"`+scope+`" scope`) || !strings.Contains(header.Get("WWW-Authenticate"), `scope="`+scope+`"`) {
		t.Errorf("%s: %d %s (WWW-Authenticate %q); want 403 problem+json naming the %q scope", what, code, body, header.Get("WWW-Authenticate"), scope)
	}
}

func TestAPIKeyScopes(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("scopes@example.com", "Scott")
	readKey := b.mustCreateKey("reader", url.Values{"access": {"read"}})
	tradeKey := b.mustCreateKey("trader bot", url.Values{"access": {"trade"}})
	scripted := b.mustCreateKey("no access field", nil)

	list := b.get("/settings").body
	if got := regexpAll(`data-testid="key-scopes">([^<]+)<`, list); strings.Join(got, "|") != "read|read, trade" {
		t.Errorf("key list scopes = %v, want read and read, trade", got)
	}
	if res := b.post("/settings/keys", url.Values{"name": {"bad"}, "access": {"admin"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Choose read only") {
		t.Errorf("unknown access: %d", res.StatusCode)
	}

	call := func(key, method, path, body string) (int, http.Header, []byte) {
		rec := app.Do(t, method, path, strings.NewReader(body), map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"})
		return rec.Code, rec.Header(), rec.Body.Bytes()
	}
	for _, key := range []string{readKey, scripted} {
		if code, _, body := call(key, "GET", "/api/v1/portfolio", ""); code != http.StatusOK {
			t.Errorf("read key GET /api/v1/portfolio: %d %s", code, body)
		}
		for _, req := range []struct{ method, path, body string }{
			{"POST", "/api/v1/orders", `{"code":"BHP","side":"buy","type":"market","quantity":"1"}`},
			{"DELETE", "/api/v1/orders/1", ""},
			{"POST", "/api/v1/watchlists", `{"name":"Banks"}`},
		} {
			code, hdr, body := call(key, req.method, req.path, req.body)
			scopeProblem(t, "read key "+req.method+" "+req.path, code, hdr, body, auth.ScopeTrade)
		}
	}
	if code, _, body := call(tradeKey, "POST", "/api/v1/watchlists", `{"name":"Banks"}`); code != http.StatusCreated {
		t.Errorf("trade key creates a watchlist: %d %s", code, body)
	}
	// Login tokens have every scope.
	rec := app.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{"email":"scopes@example.com","password":"`+testPassword+`"}`),
		map[string]string{"Content-Type": "application/json"})
	var login struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &login)
	code, _, body := call(login.AccessToken, "GET", "/api/v1/me", "")
	if code != http.StatusOK || !strings.Contains(string(body), `"scopes":["read","trade"]`) {
		t.Errorf("login token /me: %d %s", code, body)
	}
	if code, _, body := call(login.AccessToken, "POST", "/api/v1/watchlists", `{"name":"Miners"}`); code != http.StatusCreated {
		t.Errorf("login token creates a watchlist: %d %s", code, body)
	}
}

var routeParamRe = regexp.MustCompile(`:[a-z]+|\*`)

// TestEveryAPIRouteNeedsItsScope walks the route table: each API route
// needs read (reads, and the signal lookup) or trade (everything that
// changes orders or watchlists), and a token without it gets 403 naming it.
func TestEveryAPIRouteNeedsItsScope(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("routes@example.com", "R")
	u, err := app.Users.FindUser(t.Context(), "routes@example.com")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, scope := range auth.AllScopes {
		keys[scope], _, err = app.Users.CreateAPIKey(t.Context(), u.ID, "only "+scope, nil, auth.Meta{}, scope)
		if err != nil {
			t.Fatal(err)
		}
	}
	open := map[string]bool{"/api/v1/auth/login": true, "/api/auth/login": true, "/api/health": true, "/api/ready": true,
		"/api/db/health": true, "/api/version": true, "/api/openapi.json": true}
	checked := 0
	for _, r := range app.HTTP.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || open[r.Path] {
			continue
		}
		need := auth.ScopeTrade
		if r.Method == http.MethodGet || strings.HasSuffix(r.Path, "/signals") && r.Method == http.MethodPost {
			need = auth.ScopeRead
		}
		other := auth.ScopeRead
		if need == auth.ScopeRead {
			other = auth.ScopeTrade
		}
		path := routeParamRe.ReplaceAllStringFunc(r.Path, func(p string) string {
			if p == ":code" {
				return "BHP"
			}
			return "1"
		})
		checked++
		rec := app.Do(t, r.Method, path, strings.NewReader(`{}`), map[string]string{"Authorization": "Bearer " + keys[other], "Content-Type": "application/json"})
		scopeProblem(t, r.Method+" "+r.Path+" with a "+other+" key", rec.Code, rec.Header(), rec.Body.Bytes(), need)
		if strings.Contains(r.Path, "/stream/") {
			continue // allowed, it would stream until the test ends
		}
		rec = app.Do(t, r.Method, path, strings.NewReader(`{}`), map[string]string{"Authorization": "Bearer " + keys[need], "Content-Type": "application/json"})
		if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
			t.Errorf("%s %s with a %s key: %d %s", r.Method, r.Path, need, rec.Code, rec.Body.String())
		}
	}
	if checked < 25 {
		t.Errorf("only %d API routes checked", checked)
	}
}
