package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// servedApp serves the app on a loopback port with a browser for it.
func servedApp(t *testing.T, env map[string]string) (*testapp.App, *browser) {
	t.Helper()
	app := testapp.New(t, env)
	srv := app.Serve(t)
	return app, newBrowser(t, app, srv)
}

// browser is a cookie-keeping HTTP client against a served app that does not
// follow redirects, and remembers the last CSRF token it saw in a page.
type browser struct {
	t    *testing.T
	app  *testapp.App
	srv  *httptest.Server
	c    *http.Client
	csrf string
	ip   string // sent as X-Forwarded-For when the app trusts loopback
}

func newBrowser(t *testing.T, app *testapp.App, srv *httptest.Server) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, app: app, srv: srv, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	body := string(raw)
	if m := csrfRe.FindStringSubmatch(body); m != nil {
		b.csrf = m[1]
	}
	return response{res, body}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	return b.do(req)
}

// post submits a form with the last CSRF token seen (unless values has one).
func (b *browser) post(path string, values url.Values, header ...string) response {
	b.t.Helper()
	if values == nil {
		values = url.Values{}
	}
	if _, ok := values["_csrf"]; !ok && b.csrf != "" {
		values.Set("_csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) htmxGet(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

func (b *browser) htmxPost(path string, values url.Values) response {
	b.t.Helper()
	return b.post(path, values, "HX-Request", "true")
}

// api sends a JSON request with a bearer token and extra header pairs; it
// keeps no cookies, as an API client would not.
func (b *browser) api(method, path, token, body string, header ...string) (int, string, http.Header) {
	b.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw), res.Header
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

const testPassword = "correct horse battery staple 42"

// mustSignUp registers through the form and the e-mailed link, and leaves
// the browser signed in.
func (b *browser) mustSignUp(email, name string) {
	b.t.Helper()
	sent := len(b.app.SMTP.Messages())
	b.get("/signup")
	res := b.post("/signup", url.Values{"email": {email}, "name": {name}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Check your e-mail") {
		b.t.Fatalf("sign up: status %d: %.400s", res.StatusCode, res.body)
	}
	b.mustConfirmSignUp(email, sent)
	b.get("/settings") // pick up the new session's CSRF token
}

func (b *browser) mustSignIn(email, password string) {
	b.t.Helper()
	b.get("/signin")
	res := b.post("/signin", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in: status %d: %.400s", res.StatusCode, res.body)
	}
	b.get("/settings") // pick up the new session's CSRF token
}

// mustAPIToken signs a new user up through b (mustSignUp: b stays signed in
// as them) and returns the bearer token of their API login.
func (b *browser) mustAPIToken(email, name string) string {
	b.t.Helper()
	b.mustSignUp(email, name)
	code, body, _ := b.api("POST", "/api/v1/auth/login", "", `{"email":"`+email+`","password":"`+testPassword+`"}`)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &out); code != http.StatusOK || err != nil || out.AccessToken == "" {
		b.t.Fatalf("API login %s: %d %s", email, code, body)
	}
	return out.AccessToken
}
