package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

func TestDemoAdminCannotSignInInProduction(t *testing.T) {
	app := testapp.New(t, map[string]string{"ENVIRONMENT": "production", "ALLOWED_HOSTS": "example.com",
		"METRICS_TOKEN": "0123456789abcdef", "SMTP_HOST": "localhost"})
	// A demo admin already in the database (seeded while it ran in development).
	if _, err := app.Users.CreateDemoUser(t.Context(), auth.DemoPassword, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	page := app.Do(t, "GET", "/signin", nil, nil)
	cookie := strings.Split(page.Header().Get("Set-Cookie"), ";")[0]
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	if cookie == "" || csrf == nil {
		t.Fatalf("no session or CSRF token: %q", cookie)
	}
	form := url.Values{"_csrf": {csrf[1]}, "email": {auth.DemoEmail}, "password": {auth.DemoPassword}}
	rec := app.Do(t, "POST", "/signin", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "demo account cannot sign in on this production server") {
		t.Errorf("sign-in form: %d %.300s", rec.Code, rec.Body.String())
	}
	rec = app.Do(t, "POST", "/api/v1/auth/login", strings.NewReader(`{"email":"`+auth.DemoEmail+`","password":"`+auth.DemoPassword+`"}`),
		map[string]string{"Content-Type": "application/json"})
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Header().Get("Content-Type"), "problem+json") {
		t.Errorf("API login: %d %s", rec.Code, rec.Body.String())
	}
}
