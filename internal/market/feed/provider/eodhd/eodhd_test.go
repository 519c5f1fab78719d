package eodhd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
)

const testKey = "sekret-KEY-123"

// fakeEODHD serves recorded responses in turn (the last one repeats) and
// records the requests it got.
type fakeEODHD struct {
	t         *testing.T
	mu        sync.Mutex
	responses []response
	requests  []*http.Request
}

type response struct {
	status     int
	file       string // under testdata
	retryAfter string
	delay      time.Duration // hold the answer, to provoke a timeout
}

func newFake(t *testing.T, responses ...response) (*fakeEODHD, *httptest.Server) {
	t.Helper()
	f := &fakeEODHD{t: t, responses: responses}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeEODHD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	resp := f.responses[min(len(f.requests), len(f.responses))-1]
	f.mu.Unlock()
	if resp.delay > 0 {
		select {
		case <-r.Context().Done():
		case <-time.After(resp.delay):
		}
		return
	}
	if resp.retryAfter != "" {
		w.Header().Set("Retry-After", resp.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.status)
	if resp.file != "" {
		body, err := os.ReadFile(filepath.Join("testdata", resp.file))
		if err != nil {
			f.t.Errorf("fixture: %v", err)
		}
		w.Write(body)
	}
}

func (f *fakeEODHD) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func mustNew(t *testing.T, srv *httptest.Server, symbols []string, mod func(*Config)) *Provider {
	t.Helper()
	cfg := Config{APIKey: testKey, Symbols: symbols, BaseURL: srv.URL + "/api", Timeout: time.Second}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func TestPollBatch(t *testing.T) {
	f, srv := newFake(t, response{status: 200, file: "batch.json"}, response{status: 200, file: "batch_later.json"})
	p := mustNew(t, srv, []string{"BHP", "cba", "WTC.AU", "XYZ"}, nil)

	got, err := p.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	want := []market.Tick{
		{Time: unix(1780360800), Code: "BHP", Price: 45.2, Size: 1234567, Seq: 1, Kind: market.Trade},
		{Time: unix(1780360800), Code: "CBA", Price: 150.5, Size: 456789, Seq: 2, Kind: market.Trade},
		{Time: unix(1780360800), Code: "WTC", Price: 80.12, Seq: 3, Kind: market.QuoteOnly}, // volume "NA"
	}
	if !slices.Equal(got, want) {
		t.Errorf("first poll = %+v,\nwant %+v", got, want)
	}

	r := f.requests[0]
	if r.URL.Path != "/api/real-time/BHP.AU" {
		t.Errorf("path = %q, want /api/real-time/BHP.AU", r.URL.Path)
	}
	q := r.URL.Query()
	if q.Get("s") != "CBA.AU,WTC.AU,XYZ.AU" || q.Get("fmt") != "json" || q.Get("api_token") != testKey {
		t.Errorf("query = %v, want s=CBA.AU,WTC.AU,XYZ.AU fmt=json and the key", q)
	}

	got, err = p.Poll(context.Background())
	if err != nil {
		t.Fatalf("second Poll: %v", err)
	}
	want = []market.Tick{
		{Time: unix(1780360860), Code: "BHP", Price: 45.25, Size: 6000, Seq: 4, Kind: market.Trade},
		{Time: unix(1780360860), Code: "WTC", Price: 80.2, Seq: 5, Kind: market.QuoteOnly},
	}
	if !slices.Equal(got, want) {
		t.Errorf("second poll = %+v,\nwant %+v", got, want)
	}
}

func TestPollSingleObject(t *testing.T) {
	f, srv := newFake(t, response{status: 200, file: "single.json"})
	p := mustNew(t, srv, []string{"BHP"}, nil)
	got, err := p.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	want := []market.Tick{{Time: unix(1780294200), Code: "BHP", Price: 45, Size: 9876543, Seq: 1, Kind: market.Trade}}
	if !slices.Equal(got, want) {
		t.Errorf("Poll = %+v, want %+v", got, want)
	}
	if s := f.requests[0].URL.Query(); s.Has("s") {
		t.Errorf("query %v has s for a single symbol", s)
	}
}

func TestPollBatches(t *testing.T) {
	f, srv := newFake(t, response{status: 200, file: "batch.json"})
	var symbols []string
	for i := range 35 {
		symbols = append(symbols, fmt.Sprintf("A%02d", i))
	}
	p := mustNew(t, srv, symbols, func(c *Config) { c.BatchSize = 50 }) // clamped to 20
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	var sizes []int
	for _, r := range f.requests {
		sizes = append(sizes, 1+len(strings.Split(r.URL.Query().Get("s"), ",")))
	}
	if want := []int{20, 15}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes = %v, want %v", sizes, want)
	}
}

func TestPollErrors(t *testing.T) {
	tests := []struct {
		name     string
		resp     response
		wantCode apperr.Code
		wantMsg  string
	}{
		{"Unauthorized", response{status: 401, file: "unauthorized.json"}, apperr.Unauthorized, "EODHD rejected the API key"},
		{"Forbidden", response{status: 403}, apperr.Unauthorized, "EODHD rejected the API key"},
		{"RateLimited", response{status: 429, retryAfter: "30"}, apperr.TooManyRequests, "EODHD rate limit reached"},
		{"DailyLimit", response{status: 402}, apperr.TooManyRequests, "EODHD daily API limit used up"},
		{"ServerError", response{status: 502}, apperr.Unavailable, "EODHD answered with status 502"},
		{"NotJSON", response{status: 200, file: "not_json.html"}, apperr.Unavailable, "not quote JSON"},
		{"Timeout", response{delay: 2 * time.Second}, apperr.Unavailable, "EODHD did not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := newFake(t, tt.resp)
			p := mustNew(t, srv, []string{"BHP", "CBA"}, func(c *Config) { c.Timeout = 50 * time.Millisecond })
			_, err := p.Poll(context.Background())
			if err == nil {
				t.Fatal("Poll() error = nil")
			}
			if got := apperr.CodeOf(err); got != tt.wantCode {
				t.Errorf("code = %s, want %s (%v)", got, tt.wantCode, err)
			}
			if got := apperr.MessageOf(err); got != tt.wantMsg && !strings.Contains(got, tt.wantMsg) {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v", errors.Unwrap(err)), testKey) {
				t.Errorf("error %q leaks the API key", err)
			}
		})
	}
}

func TestRunStopsOnRejectedKey(t *testing.T) {
	_, srv := newFake(t, response{status: 401, file: "unauthorized.json"})
	p := mustNew(t, srv, []string{"BHP"}, nil)
	err := p.Run(context.Background(), func([]market.Tick) error { return nil })
	if apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("Run() = %v, want the rejected-key error", err)
	}
}

func TestRunBacksOffAndRecovers(t *testing.T) {
	f, srv := newFake(t,
		response{status: 200, file: "batch.json"},
		response{status: 429},
		response{status: 500},
		response{status: 200, file: "batch_later.json"},
	)
	p := mustNew(t, srv, []string{"BHP", "CBA", "WTC", "XYZ"}, func(c *Config) { c.PollEvery = 5 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var batches [][]market.Tick
	start := time.Now()
	err := p.Run(ctx, func(b []market.Tick) error {
		batches = append(batches, b)
		if len(batches) == 2 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v, want nil when the context ends", err)
	}
	if len(batches) != 2 || len(batches[1]) != 2 || batches[1][0].Seq != 4 {
		t.Fatalf("batches = %+v, want the first poll's 3 ticks then the later poll's 2", batches)
	}
	if n := f.requestCount(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
	// Back-off after the 429: at least 2×5ms before the next request.
	if elapsed := time.Since(start); elapsed < 15*time.Millisecond {
		t.Errorf("four polls took %v, want the back-off to show", elapsed)
	}
}

func TestRunEmitError(t *testing.T) {
	_, srv := newFake(t, response{status: 200, file: "batch.json"})
	p := mustNew(t, srv, []string{"BHP"}, nil)
	stop := errors.New("stop")
	if err := p.Run(context.Background(), func([]market.Tick) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Run() = %v, want the emit error", err)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		prev, retryAfter, want time.Duration
	}{
		{0, 0, 2 * time.Minute},
		{2 * time.Minute, 0, 4 * time.Minute},
		{0, 5 * time.Minute, 5 * time.Minute},
		{10 * time.Minute, 0, MaxBackoff},
		{0, time.Hour, MaxBackoff},
	}
	for _, tt := range tests {
		if got := backoff(tt.prev, time.Minute, tt.retryAfter); got != tt.want {
			t.Errorf("backoff(%v, 1m, %v) = %v, want %v", tt.prev, tt.retryAfter, got, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"NoKey", Config{Symbols: []string{"BHP"}}, "API key"},
		{"NoSymbols", Config{APIKey: testKey, Symbols: []string{" ", ".AU"}}, "no symbols"},
		{"BadURL", Config{APIKey: testKey, Symbols: []string{"BHP"}, BaseURL: "ftp://x"}, "base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want invalid containing %q", err, tt.want)
			}
		})
	}
	cfg := Config{APIKey: testKey, Symbols: []string{"BHP"}}
	if s := fmt.Sprintf("%v %+v", cfg, cfg); strings.Contains(s, testKey) {
		t.Errorf("formatted Config %q shows the key", s)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "eodhd" || p.Clock().Simulated() {
		t.Errorf("Name() = %q, Simulated() = %v; want eodhd on the real clock", p.Name(), p.Clock().Simulated())
	}
}
