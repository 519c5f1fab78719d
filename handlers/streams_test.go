package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"
)

// openStream opens a live stream with the browser's cookies (and extra
// header pairs); close ends it from the client side.
func (b *browser) openStream(path string, header ...string) (res *http.Response, close func()) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", b.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		cancel()
		b.t.Fatal(err)
	}
	return res, func() { cancel(); res.Body.Close() }
}

// mustEnd waits for the server to end a stream (EOF), failing after within.
func mustEnd(t *testing.T, res *http.Response, within time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, res.Body)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stream ended with %v, want a clean end", err)
		}
	case <-time.After(within):
		res.Body.Close()
		t.Fatalf("the stream was still open after %s", within)
	}
}

func mustStreaming(t *testing.T, res *http.Response) {
	t.Helper()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("stream: %d %q %.200s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

// TestStreamsPerOwnerCap: a user holds at most STREAMS_PER_OWNER streams at
// once, even when opening many at the same time; the rest get 429 with
// Retry-After, and a closed stream frees its slot.
func TestStreamsPerOwnerCap(t *testing.T) {
	_, b := servedApp(t, map[string]string{"STREAMS_PER_OWNER": "3"})
	b.mustSignUp("cap@example.com", "Cap")
	var mu sync.Mutex
	var open []func()
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, close := b.openStream("/stream/quotes?codes=BHP")
			mu.Lock()
			defer mu.Unlock()
			statuses[res.StatusCode]++
			if res.StatusCode == http.StatusOK {
				open = append(open, close)
				return
			}
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			close()
		}()
	}
	wg.Wait()
	if statuses[http.StatusOK] != 3 || statuses[http.StatusTooManyRequests] != 7 {
		t.Fatalf("statuses %v, want 3 streams and 7 refusals", statuses)
	}
	// The portfolio stream counts as one of the user's too.
	src, _ := mustDoc(t, b.get("/portfolio").body).Find(`[data-testid="portfolio-live"]`).Attr("data-stream")
	res, close := b.openStream(src)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("portfolio stream past the cap: %d, want 429", res.StatusCode)
	}
	close()
	open[0]()
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, close := b.openStream("/stream/quotes?codes=BHP")
		code := res.StatusCode
		close()
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's slot was not freed: still %d", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range open[1:] {
		c()
	}
}

// TestStreamsPerMachineCap: past STREAMS_PER_MACHINE the machine refuses
// anyone's stream with 429, whatever the owner.
func TestStreamsPerMachineCap(t *testing.T) {
	app, a := servedApp(t, map[string]string{"STREAMS_PER_MACHINE": "1"})
	a.mustSignUp("m1@example.com", "M1")
	res, close := a.openStream("/stream/quotes?codes=BHP")
	defer close()
	mustStreaming(t, res)
	b := newBrowser(t, app, a.srv)
	b.mustSignUp("m2@example.com", "M2")
	res2, close2 := b.openStream("/stream/quotes?codes=BHP")
	defer close2()
	if res2.StatusCode != http.StatusTooManyRequests || res2.Header.Get("Retry-After") == "" {
		t.Errorf("second stream on a full machine: %d, Retry-After %q", res2.StatusCode, res2.Header.Get("Retry-After"))
	}
}

// TestStreamEndsWithItsSession: a page stream ends within a heartbeat of
// its session signing out.
func TestStreamEndsWithItsSession(t *testing.T) {
	_, b := servedApp(t, map[string]string{"STREAM_HEARTBEAT": "200ms"})
	b.mustSignUp("out@example.com", "Out")
	res, close := b.openStream("/stream/quotes?codes=BHP")
	defer close()
	mustStreaming(t, res)
	b.get("/settings")
	if r := b.post("/signout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.StatusCode)
	}
	mustEnd(t, res, 3*time.Second)
}

// TestPortfolioStreamEndsWhenItsSessionIsEnded: the owner ends another
// browser's session from settings; that browser's private portfolio stream
// stops at once (within a heartbeat).
func TestPortfolioStreamEndsWhenItsSessionIsEnded(t *testing.T) {
	app, owner := servedApp(t, map[string]string{"STREAM_HEARTBEAT": "200ms"})
	owner.mustSignUp("owner@example.com", "Owner")
	other := newBrowser(t, app, owner.srv)
	other.mustSignIn("owner@example.com", testPassword)
	doc := mustDoc(t, other.get("/portfolio").body)
	src, _ := doc.Find(`[data-testid="portfolio-live"]`).Attr("data-stream")
	res, close := other.openStream(src)
	defer close()
	mustStreaming(t, res)

	settings := owner.get("/settings").body
	ids := regexpAll(`/settings/sessions/([A-Za-z0-9_-]+)/end`, settings)
	if len(ids) != 1 {
		t.Fatalf("want one other session to end, found %v", ids)
	}
	if r := owner.post("/settings/sessions/"+ids[0]+"/end", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("end session: %d", r.StatusCode)
	}
	mustEnd(t, res, 3*time.Second)
}

// TestAPIStreamEndsWhenItsKeyIsRevoked: a program's stream ends within a
// heartbeat of its personal key being revoked.
func TestAPIStreamEndsWhenItsKeyIsRevoked(t *testing.T) {
	_, b := servedApp(t, map[string]string{"STREAM_HEARTBEAT": "200ms"})
	b.mustSignUp("key@example.com", "Key")
	b.get("/settings")
	created := b.post("/settings/keys", url.Values{"name": {"bot"}})
	secret := regexp.MustCompile(`qp_[A-Za-z0-9_-]+`).FindString(created.body)
	keyID := regexp.MustCompile(`/settings/keys/(\d+)/revoke`).FindStringSubmatch(created.body)
	if secret == "" || keyID == nil {
		t.Fatalf("no key in %.300s", created.body)
	}
	res, close := b.openStream("/api/v1/stream/quotes?symbols=BHP", "Authorization", "Bearer "+secret)
	defer close()
	mustStreaming(t, res)
	if r := b.post("/settings/keys/"+keyID[1]+"/revoke", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	mustEnd(t, res, 3*time.Second)
}

// TestStreamLifetime: a stream ends after STREAM_LIFETIME (the client then
// reconnects and is checked afresh), and the end is counted.
func TestStreamLifetime(t *testing.T) {
	app, b := servedApp(t, map[string]string{"STREAM_LIFETIME": "1s"})
	b.mustSignUp("life@example.com", "Life")
	res, close := b.openStream("/stream/quotes?codes=BHP")
	defer close()
	mustStreaming(t, res)
	mustEnd(t, res, 4*time.Second)
	deadline := time.Now().Add(2 * time.Second)
	for testutilCounter(t, app.Metrics.StreamsClosed.WithLabelValues("lifetime")) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("sse_streams_closed_total{reason=lifetime} not counted")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
