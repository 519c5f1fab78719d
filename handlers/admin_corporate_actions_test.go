package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/auth"
)

func TestAdminCorporateActions(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("ca@example.com", "CA")
	// A trader may not see or change them.
	if res := b.get("/admin/corporate-actions"); res.StatusCode != http.StatusForbidden {
		t.Errorf("trader GET: %d, want 403", res.StatusCode)
	}
	if res := b.htmxPost("/admin/corporate-actions", url.Values{"code": {"CBA"}, "ex_date": {"2020-06-01"}, "kind": {"split"}, "adjustment_factor": {"0.5"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("trader POST: %d, want 403", res.StatusCode)
	}
	u, err := app.Users.FindUser(t.Context(), "ca@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	page := b.get("/admin/corporate-actions")
	if page.StatusCode != 200 || !strings.Contains(page.body, `id="corporate-actions"`) || !strings.Contains(page.body, `<tr data-code="REH">`) {
		t.Fatalf("admin page: %d; want the panel listing the shipped REH split", page.StatusCode)
	}
	if res := b.get("/admin/corporate-actions?code=REH"); res.StatusCode != 200 || strings.Contains(res.body, `data-code="PDN"`) {
		t.Errorf("filtered by REH: %d, lists PDN: %v", res.StatusCode, strings.Contains(res.body, `data-code="PDN"`))
	}

	factor := func(day string) float64 {
		t.Helper()
		var f float64
		if err := app.Pool.QueryRow(t.Context(), `SELECT factor FROM daily_bars WHERE code = 'CBA' AND date = $1`, day).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}

	for _, tc := range []struct {
		name   string
		values url.Values
		want   string
	}{
		{"UnknownCode", url.Values{"code": {"ZZZZ"}, "ex_date": {"2020-06-01"}, "kind": {"split"}, "adjustment_factor": {"0.5"}}, "Unknown instrument ZZZZ"},
		{"BadDate", url.Values{"code": {"CBA"}, "ex_date": {"1 June"}, "kind": {"split"}, "adjustment_factor": {"0.5"}}, "The ex-date must be a date"},
		{"SplitUp", url.Values{"code": {"CBA"}, "ex_date": {"2020-06-01"}, "kind": {"split"}, "adjustment_factor": {"2"}}, "factor is below 1"},
		{"NoFactor", url.Values{"code": {"CBA"}, "ex_date": {"2020-06-01"}, "kind": {"consolidation"}}, "needs its factor"},
		{"Index", url.Values{"code": {"XJO"}, "ex_date": {"2020-06-01"}, "kind": {"demerger"}, "adjustment_factor": {"0.9"}}, "is an index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := b.htmxPost("/admin/corporate-actions", tc.values)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.want) {
				t.Errorf("POST %v = %d %.300s; want 422 with %q", tc.values, res.StatusCode, res.body, tc.want)
			}
		})
	}
	if f := factor("2020-05-29"); f != 1 {
		t.Fatalf("a refused action changed CBA's factor to %v", f)
	}

	// Without the CSRF token the change is refused.
	if res := b.post("/admin/corporate-actions", url.Values{"_csrf": {"wrong"}, "code": {"CBA"}, "ex_date": {"2020-06-01"}, "kind": {"split"}, "adjustment_factor": {"0.5"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("bad CSRF: %d, want 403", res.StatusCode)
	}

	ok := b.htmxPost("/admin/corporate-actions", url.Values{"code": {"cba"}, "ex_date": {"2020-06-01"}, "kind": {"split"},
		"ratio": {"2:1"}, "adjustment_factor": {"0.5"}, "source": {"test"}})
	if ok.StatusCode != 200 || !strings.Contains(ok.body, "Saved 1 of 1 action(s) for CBA") || !strings.Contains(ok.body, `data-testid="readjust-job"`) {
		t.Fatalf("save: %d %.500s", ok.StatusCode, ok.body)
	}
	if f := factor("2020-05-29"); f != 0.5 {
		t.Errorf("CBA factor before the split = %v, want 0.5", f)
	}
	var jobs, audits int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'quant_readjust' AND args->'codes' = '["CBA"]'::jsonb`).Scan(&jobs); err != nil || jobs != 1 {
		t.Errorf("queued readjust jobs for CBA: %d (%v), want 1", jobs, err)
	}
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE event = 'corporate_actions_saved' AND actor_id = $1`, u.ID).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("audit events: %d (%v), want 1", audits, err)
	}
	if res := b.htmxPost("/admin/corporate-actions", url.Values{"code": {"CBA"}, "ex_date": {"2020-06-01"}, "kind": {"split"},
		"ratio": {"2:1"}, "adjustment_factor": {"0.5"}, "source": {"test"}}); !strings.Contains(res.body, "Nothing changed") {
		t.Errorf("the same action again: %d %.300s", res.StatusCode, res.body)
	}

	// CSV import: a bad line refuses the whole file, naming the line.
	head := "code,ex_date,kind,ratio_or_amount,adjustment_factor,source,note\n"
	bad := b.htmxPost("/admin/corporate-actions/import", url.Values{"csv": {head + "CBA,2020-06-01,split,4:1,0.25,fix,\nBHP,2021-13-01,split,2:1,0.5,,\n"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "line 3: The ex-date must be a date") {
		t.Errorf("bad import: %d %.400s", bad.StatusCode, bad.body)
	}
	if f := factor("2020-05-29"); f != 0.5 {
		t.Errorf("a refused file changed the factor to %v", f)
	}
	if res := b.htmxPost("/admin/corporate-actions/import", url.Values{"csv": {"code,ex_date\nCBA,2020-06-01\n"}}); res.StatusCode != 422 || !strings.Contains(res.body, "lacks the kind column") {
		t.Errorf("bad header: %d %.300s", res.StatusCode, res.body)
	}
	if res := b.htmxPost("/admin/corporate-actions/import", url.Values{"csv": {head + "NOPE,2020-06-01,split,2:1,0.5,,\n"}}); res.StatusCode != 422 || !strings.Contains(res.body, "Unknown instrument NOPE") {
		t.Errorf("unknown code in a file: %d %.300s", res.StatusCode, res.body)
	}
	imp := b.htmxPost("/admin/corporate-actions/import", url.Values{"csv": {head + "CBA,2020-06-01,split,4:1,0.25,corrected,\n"}})
	if imp.StatusCode != 200 || !strings.Contains(imp.body, "Saved 1 of 1 action(s) for CBA") {
		t.Fatalf("import: %d %.400s", imp.StatusCode, imp.body)
	}
	if f := factor("2020-05-29"); f != 0.25 {
		t.Errorf("corrected factor = %v, want 0.25", f)
	}

	// Deleting the action (say its ex-date was wrong) restores the factors.
	var id int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT id FROM corporate_actions WHERE code = 'CBA' AND ex_date = '2020-06-01'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if res := b.htmxPost("/admin/corporate-actions/999999999/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("delete of an unknown action: %d, want 404", res.StatusCode)
	}
	del := b.htmxPost("/admin/corporate-actions/"+strconv.FormatInt(id, 10)+"/delete", nil)
	if del.StatusCode != 200 || !strings.Contains(del.body, "Deleted; adjustment factors changed") {
		t.Fatalf("delete: %d %.300s", del.StatusCode, del.body)
	}
	if f := factor("2020-05-29"); f != 1 {
		t.Errorf("factor after the delete = %v, want 1", f)
	}
}
