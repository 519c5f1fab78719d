package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestHostileInputIsA400: NUL bytes and invalid UTF-8 anywhere in a request,
// and a User-Agent cut in the middle of a character, never become a 500.
func TestHostileInputIsA400(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("h@example.com", "H")
	for _, path := range []string{"/instruments/%00", "/instruments/BHP/candles.json?overlay=%00", "/signals?model=%00",
		"/factors/evaluate?code=%FF&expr=%24close&from=2025-01-01&to=2025-02-01", "/markets?q=%00", "/overview?sector=%FF"} {
		if res := b.get(path); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", path, res.StatusCode)
		}
	}
	for _, form := range []url.Values{{"name": {"a\x00b"}}, {"name": {"\xff"}}} {
		if res := b.post("/watchlists", form); res.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /watchlists %q = %d, want 400", form.Get("name"), res.StatusCode)
		}
	}
	tok := newBrowser(t, app, b.srv).mustAPIToken("h2@example.com", "H2")
	h := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	for _, body := range []string{`{"name":"a\u0000b"}`, "{\"name\":\"\xff\"}"} {
		if rec := app.Do(t, "POST", "/api/v1/watchlists", strings.NewReader(body), h); rec.Code != http.StatusBadRequest {
			t.Errorf("POST /api/v1/watchlists %q = %d, want 400", body, rec.Code)
		}
	}
	if rec := app.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{"email":"a\u0000@x.com","password":"x"}`),
		map[string]string{"Content-Type": "application/json"}); rec.Code != http.StatusBadRequest {
		t.Errorf("login with NUL = %d, want 400", rec.Code)
	}
	ua := strings.Repeat("A", 511) + "é" + strings.Repeat("B", 20)
	rec := app.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{"email":"h@example.com","password":"`+testPassword+`"}`),
		map[string]string{"Content-Type": "application/json", "User-Agent": ua})
	if rec.Code != http.StatusOK {
		t.Errorf("login with a long non-ASCII User-Agent = %d %s", rec.Code, rec.Body.String())
	}
	rec = app.Do(t, "POST", "/api/v1/orders", strings.NewReader(`{"code":"BHP","side":"buy","type":"limit","quantity":"1","limit_price":"10000000000"}`),
		map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json", "Idempotency-Key": "huge-price-1"})
	if rec.Code >= 500 || rec.Code < 400 {
		t.Errorf("limit price 1e10 = %d %s", rec.Code, rec.Body.String())
	}
}

// TestWritesOutsideThePrimaryRegionAreReplayed: on a machine in another
// region a state-changing request is answered with fly-replay; reads are served.
func TestWritesOutsideThePrimaryRegionAreReplayed(t *testing.T) {
	app := testapp.New(t, map[string]string{"FLY_REGION": "sin", "PRIMARY_REGION": "syd"})
	rec := app.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{}`), map[string]string{"Content-Type": "application/json"})
	if rec.Code != http.StatusConflict || rec.Header().Get("Fly-Replay") != "region=syd" {
		t.Errorf("write in sin = %d, fly-replay %q", rec.Code, rec.Header().Get("Fly-Replay"))
	}
	if rec := app.Do(t, "GET", "/api/health", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("read in sin = %d", rec.Code)
	}
}
