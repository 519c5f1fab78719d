package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/qlibpro/qlibpro/internal/auth"
)

// TestAPIRateLimitPerToken: one token gets API_RATE_BURST requests at once
// and then 429 with Retry-After, even when the requests arrive together;
// every answer carries the RateLimit headers; another token has its own
// budget.
func TestAPIRateLimitPerToken(t *testing.T) {
	_, b := servedApp(t, map[string]string{"API_RATE_LIMIT": "60", "API_RATE_BURST": "5"})
	tok := b.mustAPIToken("rate@example.com", "Rate")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, h := b.api("GET", "/api/v1/me", tok, "")
			mu.Lock()
			defer mu.Unlock()
			statuses[code]++
			if h.Get("RateLimit-Limit") != "5" || h.Get("RateLimit-Remaining") == "" || h.Get("RateLimit-Reset") == "" {
				t.Errorf("%d without RateLimit headers: %v", code, h)
			}
			if code == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}()
	}
	wg.Wait()
	if statuses[http.StatusOK] != 5 || statuses[http.StatusTooManyRequests] != 7 {
		t.Errorf("statuses %v, want 5 answered and 7 refused", statuses)
	}
	other := newBrowser(t, b.app, b.srv).mustAPIToken("rate2@example.com", "Rate 2")
	if code, body, _ := b.api("GET", "/api/v1/me", other, ""); code != http.StatusOK {
		t.Errorf("another token shares the first one's budget: %d %s", code, body)
	}
}

// TestSignedInPagesAreNotStored: pages and exports for a signed-in user say
// Cache-Control: no-store; a visitor's public page does not need to.
func TestSignedInPagesAreNotStored(t *testing.T) {
	_, b := servedApp(t, nil)
	if got := b.get("/").Header.Get("Cache-Control"); got == "no-store" {
		t.Errorf("visitor's home page: Cache-Control %q", got)
	}
	b.mustSignUp("private@example.com", "Private")
	for _, p := range []string{"/", "/settings", "/portfolio", "/portfolio/ledger", "/portfolio/tax/cgt.csv", "/markets", "/watchlists"} {
		res := b.get(p)
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q, want no-store", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}

// multipartTemps counts net/http's temporary files of parsed multipart forms.
func multipartTemps(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "multipart-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// uploadBody is a model upload form with a model file of size bytes; csrf
// goes first, as the page's form sends it.
func uploadBody(t *testing.T, csrf string, size int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "" {
		_ = w.WriteField("_csrf", csrf)
	}
	_ = w.WriteField("name", "big")
	fw, _ := w.CreateFormFile("model", "model.txt")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), size))
	_ = w.WriteField("features", "KMID")
	_ = w.Close()
	return &buf, w.FormDataContentType()
}

// TestModelUploadCannotFillTheDisk: a large upload from a visitor or a
// trader is refused before its body is read, and nothing, not even an
// admin's upload, leaves a temporary file behind.
func TestModelUploadCannotFillTheDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	app, b := servedApp(t, nil)
	post := func(b *browser, csrf string, size int) response {
		body, ct := uploadBody(t, csrf, size)
		req, _ := http.NewRequest("POST", b.srv.URL+"/admin/models/upload", body)
		req.Header.Set("Content-Type", ct)
		req.ContentLength = int64(body.Len())
		return b.do(req)
	}
	visitor := newBrowser(t, app, b.srv)
	visitor.get("/signin")
	if res := post(visitor, visitor.csrf, 40<<20); res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden {
		t.Errorf("visitor's upload: %d", res.StatusCode)
	}
	b.mustSignUp("admin-up@example.com", "Admin")
	if res := post(b, b.csrf, 40<<20); res.StatusCode != http.StatusForbidden {
		t.Errorf("trader's upload: %d, want 403", res.StatusCode)
	}
	u, err := app.Users.FindUser(t.Context(), "admin-up@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	b.get("/admin/models")
	if res := post(b, "", 1<<10); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin's upload without the CSRF token: %d, want 403", res.StatusCode)
	}
	if res := post(b, b.csrf, 40<<20); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("admin's junk 40 MB model: %d, want 422 (not a LightGBM model)", res.StatusCode)
	}
	if res := post(b, b.csrf, 65<<20); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("admin's 65 MB model: %d, want 422 (over the 64 MB limit)", res.StatusCode)
	}
	if n := multipartTemps(t, tmp); n != 0 {
		t.Errorf("%d multipart temporary files left in %s", n, tmp)
	}
	// The route's own body limit still holds: 72 MB is refused.
	if res := post(b, b.csrf, 72<<20); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("72 MB upload: %d, want 413", res.StatusCode)
	}
}
