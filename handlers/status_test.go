package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
)

// TestStatusPageAndNotices: /status is public and lists each component from
// the readiness checks and the feed; a notice an admin posts shows on
// /status and as a banner on every page until it is ended; a scheduled one
// shows only on /status; bad input is answered in the form.
func TestStatusPageAndNotices(t *testing.T) {
	app, admin := servedApp(t, nil)
	visitor := newBrowser(t, app, admin.srv)

	res := visitor.get("/status")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/status: %d", res.StatusCode)
	}
	doc := mustDoc(t, res.body)
	for _, name := range []string{"Database (PostgreSQL)", "Sessions and live quotes (Redis)", "Database schema", "Live market feed"} {
		row := doc.Find(`[data-testid="status-components"] tr[data-component="` + name + `"]`)
		if row.Length() != 1 {
			t.Errorf("status lists no %q", name)
		}
	}
	// The feed is off in this app: the page says so rather than claiming all is well.
	if got := doc.Find(`[data-component="Live market feed"]`).Text(); !strings.Contains(got, "not working") {
		t.Errorf("feed row = %q, want not working (no feed runs here)", got)
	}
	if strings.Contains(res.body, `data-testid="notice-banner"`) {
		t.Error("a banner without any notice")
	}

	admin.mustSignUp("ops@example.com", "Ops")
	u, _ := app.Users.FindUser(t.Context(), "ops@example.com")
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	admin.get("/admin/notices")
	if r := admin.post("/admin/notices", url.Values{"kind": {"incident"}, "title": {""}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `data-testid="error-title"`) {
		t.Errorf("empty title: %d", r.StatusCode)
	}
	if r := admin.post("/admin/notices", url.Values{"kind": {"incident"}, "title": {"x"}, "starts_at": {"tomorrow"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `data-testid="error-starts_at"`) {
		t.Errorf("bad start: %d", r.StatusCode)
	}
	if r := admin.post("/admin/notices", url.Values{"kind": {"incident"}, "title": {"Quotes delayed"}, "body": {"The feed is catching up."}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("post incident: %d %.300s", r.StatusCode, r.body)
	}
	later := time.Now().In(asx.Sydney()).Add(48 * time.Hour).Format("2006-01-02T15:04")
	if r := admin.post("/admin/notices", url.Values{"kind": {"maintenance"}, "title": {"Database upgrade"}, "starts_at": {later}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("post maintenance: %d %.300s", r.StatusCode, r.body)
	}

	for _, p := range []string{"/", "/signin", "/status"} {
		body := visitor.get(p).body
		if !strings.Contains(body, `data-testid="notice-banner"`) || !strings.Contains(body, "Quotes delayed") {
			t.Errorf("%s shows no banner for the current incident", p)
		}
		if strings.Contains(body, "notice-banner maintenance") {
			t.Errorf("%s shows a banner for a window that has not started", p)
		}
	}
	status := visitor.get("/status").body
	if !strings.Contains(status, "Database upgrade") || !strings.Contains(status, "Working, with a notice") && !strings.Contains(status, "not working") {
		t.Errorf("status lacks the scheduled window or the notice state:\n%.600s", status)
	}

	list := admin.get("/admin/notices").body
	ids := regexpAll(`/admin/notices/(\d+)/end`, list)
	if len(ids) != 2 {
		t.Fatalf("want two notices to end, found %v", ids)
	}
	for _, id := range ids {
		if r := admin.post("/admin/notices/"+id+"/end", nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("end %s: %d", id, r.StatusCode)
		}
	}
	if r := admin.post("/admin/notices/"+ids[0]+"/end", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("ending an ended notice: %d, want 404", r.StatusCode)
	}
	if body := admin.get("/").body; strings.Contains(body, `data-testid="notice-banner"`) {
		t.Error("the banner stays after the notice ended")
	}
	var posted, ended int
	err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE event = 'notice_posted'), count(*) FILTER (WHERE event = 'notice_ended') FROM audit_events`).Scan(&posted, &ended)
	if err != nil || posted != 2 || ended != 2 {
		t.Errorf("audit: %d posted, %d ended (%v)", posted, ended, err)
	}
}
