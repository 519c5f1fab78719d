package errorreport_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/buildinfo"
	"github.com/qlibpro/qlibpro/internal/errorreport"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// event is the part of a Sentry event the tests read.
type event struct {
	Release     string            `json:"release"`
	Environment string            `json:"environment"`
	ServerName  string            `json:"server_name"`
	Tags        map[string]string `json:"tags"`
	User        map[string]any    `json:"user"`
	Request     *struct {
		URL         string            `json:"url"`
		Method      string            `json:"method"`
		QueryString string            `json:"query_string"`
		Cookies     string            `json:"cookies"`
		Headers     map[string]string `json:"headers"`
		Env         map[string]string `json:"env"`
	} `json:"request"`
	Exception []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"exception"`
}

// ingest is a local stand-in for Sentry's ingest endpoint: it receives the
// SDK's envelopes and hands each event, and the raw envelope, to the test.
func ingest(t *testing.T) (dsn string, events <-chan event, raw <-chan string) {
	t.Helper()
	evs, raws := make(chan event, 8), make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/42/envelope/" {
			t.Errorf("ingest got %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				t.Error(err)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		raws <- string(b)
		// An envelope: a header line, then item header and payload lines.
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		for i := 1; i+1 < len(lines); i += 2 {
			var item struct{ Type string }
			_ = json.Unmarshal([]byte(lines[i]), &item)
			if item.Type == "event" {
				var ev event
				if err := json.Unmarshal([]byte(lines[i+1]), &ev); err != nil {
					t.Errorf("event: %v", err)
				}
				evs <- ev
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return "http://publickey@" + strings.TrimPrefix(srv.URL, "http://") + "/42", evs, raws
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("the ingest endpoint received nothing in 10 s")
	}
	var zero T
	return zero
}

// TestReports500: a real internal error in a request (its database table is
// gone) reaches the ingest endpoint once, with the release, the route and the
// request id, and with no cookie, credentials, query string, client address
// or e-mail address.
func TestReports500(t *testing.T) {
	dsn, events, raw := ingest(t)
	app := testapp.New(t, map[string]string{"SENTRY_DSN": dsn})
	if !app.Errors.Enabled() {
		t.Fatal("SENTRY_DSN set but the reporter is disabled")
	}
	if _, err := app.Pool.Exec(t.Context(), `ALTER TABLE notices RENAME TO notices_gone`); err != nil {
		t.Fatal(err)
	}
	rec := app.Do(t, http.MethodGet, "/status?token=s3cret-token&email=someone@example.com", nil, map[string]string{
		"Cookie":          "qlibpro_session=s3cret-session",
		"Authorization":   "Bearer s3cret-bearer",
		"X-Forwarded-For": "203.0.113.9",
		"User-Agent":      "drill/1.0",
	})
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("GET /status with its table gone: %d, want 500", rec.Code)
	}
	rid := rec.Header().Get("X-Request-Id")
	app.Errors.Flush(5 * time.Second)
	ev := receive(t, events)
	envelope := receive(t, raw)
	if ev.Release != buildinfo.Version || ev.Environment != "test" {
		t.Errorf("release %q, environment %q; want %q, test", ev.Release, ev.Environment, buildinfo.Version)
	}
	if ev.Tags["request_id"] != rid || ev.Tags["route"] != "/status" {
		t.Errorf("tags %v, want request_id %s and route /status", ev.Tags, rid)
	}
	if len(ev.Exception) == 0 || !strings.Contains(ev.Exception[len(ev.Exception)-1].Value+ev.Exception[0].Value, "notices") {
		t.Errorf("exception %+v does not carry the database error", ev.Exception)
	}
	if ev.Request == nil || ev.Request.Method != "GET" || ev.Request.URL != "/status" || ev.Request.Headers["User-Agent"] != "drill/1.0" {
		t.Errorf("request %+v, want GET /status with its user agent", ev.Request)
	}
	for _, secret := range []string{"s3cret", "someone@example.com", "203.0.113.9", "192.0.2.1", "qlibpro_session"} {
		if strings.Contains(envelope, secret) {
			t.Errorf("the envelope sent to Sentry contains %q:\n%s", secret, envelope)
		}
	}
	if len(ev.User) != 0 || ev.ServerName != "" {
		t.Errorf("user %v, server name %q sent", ev.User, ev.ServerName)
	}
	select {
	case extra := <-events:
		t.Errorf("a second event: %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestReportsPanic: a handler that panics (a route added to the assembled
// app, behind its real middleware) is a 500 and one event naming the panic.
func TestReportsPanic(t *testing.T) {
	dsn, events, _ := ingest(t)
	app := testapp.New(t, map[string]string{"SENTRY_DSN": dsn})
	app.HTTP.GET("/api/v1/drill-panic", func(echo.Context) error { panic("drill: nil map write") })
	rec := app.Do(t, http.MethodGet, "/api/v1/drill-panic", nil, nil)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "nil map write") {
		t.Fatalf("panicking handler: %d %s, want a plain 500", rec.Code, rec.Body)
	}
	app.Errors.Flush(5 * time.Second)
	ev := receive(t, events)
	if len(ev.Exception) == 0 || !strings.Contains(ev.Exception[0].Value, "panic: drill: nil map write") {
		t.Errorf("exception %+v, want the panic", ev.Exception)
	}
	if ev.Tags["route"] != "/api/v1/drill-panic" || ev.Tags["request_id"] != rec.Header().Get("X-Request-Id") {
		t.Errorf("tags %v", ev.Tags)
	}
}

// TestClientErrorsNotReported: a 404 is the user's, not the application's.
func TestClientErrorsNotReported(t *testing.T) {
	dsn, events, _ := ingest(t)
	app := testapp.New(t, map[string]string{"SENTRY_DSN": dsn})
	if rec := app.Do(t, http.MethodGet, "/no-such-page", nil, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("GET /no-such-page: %d", rec.Code)
	}
	app.Errors.Flush(2 * time.Second)
	select {
	case ev := <-events:
		t.Errorf("a 404 was reported: %+v", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestDisabled: without a DSN nothing is set up and reporting is a no-op.
func TestDisabled(t *testing.T) {
	r, err := errorreport.New("", "v1", "test")
	if err != nil || r.Enabled() {
		t.Fatalf("New(\"\") = enabled %v, %v", r.Enabled(), err)
	}
	r.Report(errors.New("boom"), nil, "/", "rid")
	if !r.Flush(time.Millisecond) {
		t.Error("Flush on a disabled reporter reports pending events")
	}
	var nilR *errorreport.Reporter
	nilR.Report(errors.New("boom"), nil, "/", "rid")
	if _, err := errorreport.New("not a dsn", "v1", "test"); err == nil || !strings.Contains(err.Error(), "SENTRY_DSN") {
		t.Errorf("bad DSN: %v, want an error naming SENTRY_DSN", err)
	}
}
