package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/views/display"
)

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	a := testapp.New(t, nil)
	want := map[string]string{
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
	}
	routes := a.HTTP.Routes()
	if len(routes) < 5 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, r := range routes {
		path := concretePath(r.Path)
		rec := a.Do(t, r.Method, path, nil, nil)
		for h, v := range want {
			if got := rec.Header().Get(h); got != v {
				t.Errorf("%s %s: %s = %q, want %q", r.Method, path, h, got, v)
			}
		}
		if rec.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS sent over plain HTTP from an untrusted peer", r.Method, path)
		}
		if rec.Code >= 500 {
			t.Errorf("%s %s: status %d", r.Method, path, rec.Code)
		}
	}
}

func TestHSTS(t *testing.T) {
	// httptest requests come from 192.0.2.1.
	a := testapp.New(t, map[string]string{"TRUSTED_PROXIES": "192.0.2.0/24"})
	rec := a.Do(t, "GET", "/api/health", nil, map[string]string{"X-Forwarded-Proto": "https"})
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=63072000") {
		t.Errorf("behind a trusted TLS proxy: HSTS = %q", got)
	}
	b := testapp.New(t, nil)
	rec = b.Do(t, "GET", "/api/health", nil, map[string]string{"X-Forwarded-Proto": "https"})
	if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted peer must not turn on HSTS; got %q", got)
	}
}

func TestAllowedHosts(t *testing.T) {
	a := testapp.New(t, nil)
	req := func(host, path string) int {
		r, _ := http.NewRequest("GET", path, nil)
		r.Host = host
		r.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		a.HTTP.ServeHTTP(rec, r)
		return rec.Code
	}
	if got := req("evil.example", "/"); got != http.StatusBadRequest {
		t.Errorf("unknown host: status %d, want 400", got)
	}
	if got := req("localhost:8080", "/api/version"); got != http.StatusOK {
		t.Errorf("allowed host with port: status %d, want 200", got)
	}
	if got := req("10.0.0.7:8080", "/api/health"); got != http.StatusOK {
		t.Errorf("health probe by machine address: status %d, want 200", got)
	}
}

func TestProblemJSONForUnknownAPIPath(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "GET", "/api/v1/does-not-exist", nil, map[string]string{"X-Request-ID": "rid-42"})
	mustStatus(t, rec, http.StatusNotFound)
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p["status"] != float64(404) || p["title"] != "Not Found" || p["request_id"] != "rid-42" || p["instance"] != "/api/v1/does-not-exist" {
		t.Errorf("problem = %v", p)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "DELETE", "/api/health", nil, nil)
	mustStatus(t, rec, http.StatusMethodNotAllowed)
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("Allow = %q, want GET listed", allow)
	}
}

func TestHTMLNotFoundPage(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "GET", "/no/such/page", nil, map[string]string{"X-Request-ID": "rid-404"})
	mustStatus(t, rec, http.StatusNotFound)
	doc := mustDoc(t, rec.Body.String())
	page := doc.Find(`[data-testid="error-page"]`)
	if page.Length() != 1 {
		t.Fatalf("no error page in %.300s", rec.Body.String())
	}
	if !strings.Contains(page.Text(), "rid-404") || !strings.Contains(page.Text(), "Not Found") {
		t.Errorf("error page text = %q", page.Text())
	}
	if doc.Find("header.site-header").Length() != 1 {
		t.Error("error page is not inside the layout")
	}
}

func TestHTMXErrorIsToast(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "GET", "/overview?sector=Nonsense", nil, map[string]string{"HX-Request": "true"})
	mustStatus(t, rec, http.StatusBadRequest)
	if rec.Header().Get("HX-Retarget") != "#toasts" {
		t.Errorf("HX-Retarget = %q, want #toasts", rec.Header().Get("HX-Retarget"))
	}
	doc := mustDoc(t, rec.Body.String())
	if got := doc.Find(`[data-testid="toast"]`).Text(); !strings.Contains(got, `Unknown sector "Nonsense"`) {
		t.Errorf("toast = %q", got)
	}
}

func TestHomePage(t *testing.T) {
	a := testapp.New(t, nil)
	rec := a.Do(t, "GET", "/", nil, nil)
	mustStatus(t, rec, http.StatusOK)
	doc := mustDoc(t, rec.Body.String())
	bench := doc.Find(`[data-testid="benchmark"]`)
	if bench.AttrOr("data-code", "") != "XJO" {
		t.Fatalf("benchmark card code = %q, want XJO", bench.AttrOr("data-code", ""))
	}
	// The real data's last XJO close (2026-06-04) as the database has it.
	var last, prev float64
	err := a.Pool.QueryRow(t.Context(), `SELECT (array_agg(close ORDER BY date DESC))[1], (array_agg(close ORDER BY date DESC))[2] FROM daily_bars WHERE code = 'XJO'`).Scan(&last, &prev)
	if err != nil {
		t.Fatal(err)
	}
	if last < 1000 || prev < 1000 {
		t.Fatalf("XJO closes %v %v look wrong", last, prev)
	}
	text := bench.Text()
	checkContains(t, text, display.Index(last))
	rows := doc.Find(`[data-testid="overview-table"] tbody tr[data-code]`)
	if rows.Length() < 150 {
		t.Errorf("overview shows %d equities, want the active ASX 200 (>150)", rows.Length())
	}
	if doc.Find(`tr[data-code="BHP"]`).Length() != 1 {
		t.Error("BHP missing from the overview")
	}
	// Every asset URL in the page resolves and is cached for a year.
	doc.Find("script[src], link[rel=stylesheet]").Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("src", s.AttrOr("href", ""))
		r := a.Do(t, "GET", u, nil, nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Header().Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("asset %s: status %d cache %q", u, r.Code, r.Header().Get("Cache-Control"))
		}
	})
}

func TestSectorFilterPartial(t *testing.T) {
	a := testapp.New(t, nil)
	target := "/overview?" + url.Values{"sector": {"Materials"}}.Encode()

	t.Run("FragmentWithHXRequest", func(t *testing.T) {
		rec := a.Do(t, "GET", target, nil, map[string]string{"HX-Request": "true"})
		mustStatus(t, rec, http.StatusOK)
		if vary := strings.Join(rec.Header().Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Errorf("Vary = %q, want HX-Request", vary)
		}
		body := rec.Body.String()
		if strings.Contains(body, "<html") || strings.Contains(body, "site-header") {
			t.Error("fragment contains the layout")
		}
		doc := mustDoc(t, body)
		if doc.Find("#market-overview").Length() != 1 {
			t.Fatal("fragment lacks #market-overview")
		}
		sectors := map[string]bool{}
		doc.Find("tbody tr[data-code] td:nth-child(3)").Each(func(_ int, s *goquery.Selection) {
			sectors[strings.TrimSpace(s.Text())] = true
		})
		if len(sectors) != 1 || !sectors["Materials"] {
			t.Errorf("sectors in filtered table = %v, want only Materials", sectors)
		}
		if doc.Find(`tr[data-code="BHP"]`).Length() != 1 || doc.Find(`tr[data-code="CBA"]`).Length() != 0 {
			t.Error("Materials should list BHP and not CBA")
		}
	})
	t.Run("FullPageWithout", func(t *testing.T) {
		rec := a.Do(t, "GET", target, nil, nil)
		mustStatus(t, rec, http.StatusOK)
		if vary := strings.Join(rec.Header().Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Errorf("Vary = %q, want HX-Request", vary)
		}
		doc := mustDoc(t, rec.Body.String())
		if doc.Find("header.site-header").Length() != 1 || doc.Find(`[data-testid="benchmark"]`).Length() != 1 {
			t.Error("full page lacks the layout or the benchmark")
		}
		if got := doc.Find(`#sector option[selected]`).AttrOr("value", ""); got != "Materials" {
			t.Errorf("selected sector = %q, want Materials", got)
		}
	})
	t.Run("ErrUnknownSector", func(t *testing.T) {
		rec := a.Do(t, "GET", "/overview?sector=Nope", nil, nil)
		mustStatus(t, rec, http.StatusBadRequest)
		checkContains(t, rec.Body.String(), "Unknown sector")
	})
}
