package handlers_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/server"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

func TestMarketAPIValidation(t *testing.T) {
	app, b := servedApp(t, nil)
	tok := b.mustAPIToken("m@example.com", "M")
	auth := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/instruments?sector=Materials&per_page=5", 200, `"code":"BHP"`},
		{"/api/v1/instruments?per_page=500", 400, `"field":"per_page"`},
		{"/api/v1/instruments?kind=bond", 400, `"field":"kind"`},
		{"/api/v1/instruments/BHP", 200, `"sector":"Materials"`},
		{"/api/v1/instruments/NOPE", 404, `Unknown instrument`},
		{"/api/v1/quotes?symbols=BHP,CBA,ZZZ", 200, `"unknown":["ZZZ"]`},
		{"/api/market/quotes?symbols=BHP", 200, `"code":"BHP"`},
		{"/api/v1/quotes", 400, `"field":"symbols"`},
		{"/api/v1/quotes?symbols=B%3CX", 400, `not an ASX code`},
		{"/api/v1/instruments/BHP/candles?interval=1D&from=2026-05-01&to=2026-06-05", 200, `"time":"2026-06-04"`},
		{"/api/v1/instruments/BHP/candles?interval=1W&from=2025-01-01&to=2025-03-01", 200, `"time":"2025-01-06"`},
		{"/api/v1/instruments/BHP/candles?interval=2h", 400, `"field":"interval"`},
		{"/api/v1/instruments/BHP/candles?interval=1D&from=2026-06-01&to=2026-05-01", 400, `"field":"from"`},
		{"/api/v1/instruments/BHP/candles?interval=1m&from=2026-01-01&to=2026-06-01", 400, `too long`},
		{"/api/v1/instruments/BHP/candles?interval=1D&from=yesterday", 400, `"field":"from"`},
		{"/api/v1/instruments/NOPE/candles?interval=1D", 404, `Unknown instrument`},
		{"/api/v1/instruments/REH/corporate-actions", 200, `{"ex_date":"2017-12-18","kind":"split","ratio":"5:1 (each share -\u003e 5 shares)","adjustment_factor":0.2`},
		{"/api/v1/instruments/XYZ/corporate-actions", 200, `{"ex_date":null,"kind":"code_change"`},
		{"/api/v1/instruments/NOPE/corporate-actions", 404, `Unknown instrument`},
	}
	for _, tt := range tests {
		rec := app.Do(t, "GET", tt.path, nil, auth)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s = %d %.300s; want %d containing %s", tt.path, rec.Code, rec.Body.String(), tt.status, tt.want)
		}
	}
	// Raw daily candles are the shipped real data.
	rec := app.Do(t, "GET", "/api/v1/instruments/BHP/candles?interval=1D&from=2015-01-02&to=2015-01-02&prices=raw", nil, auth)
	if !strings.Contains(rec.Body.String(), `{"time":"2015-01-02","open":29.13,"high":29.61,"low":28.92,"close":29.54,"volume":2815017}`) {
		t.Errorf("BHP 2015-01-02 raw candle: %s", rec.Body.String())
	}
	// By default they are adjusted for the S32 (2015) and WDS (2022) demergers.
	rec = app.Do(t, "GET", "/api/v1/instruments/BHP/candles?interval=1D&from=2015-01-02&to=2015-01-02", nil, auth)
	var body struct {
		Prices  string `json:"prices"`
		Candles []struct {
			Close  float64 `json:"close"`
			Volume int64   `json:"volume"`
		} `json:"candles"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Candles) != 1 {
		t.Fatalf("BHP adjusted candle: %s (%v)", rec.Body.String(), err)
	}
	if f := 0.936296 * 0.890815; body.Prices != "adjusted" || math.Abs(body.Candles[0].Close-29.54*f) > 1e-9 ||
		body.Candles[0].Volume != int64(math.Round(2815017/f)) {
		t.Errorf("BHP 2015-01-02 adjusted candle = %+v, want close 29.54 × %v and volume ÷ it", body, f)
	}
	if rec := app.Do(t, "GET", "/api/v1/instruments/BHP/candles?interval=1D&prices=split", nil, auth); rec.Code != 400 ||
		!strings.Contains(rec.Body.String(), `"field":"prices"`) {
		t.Errorf("prices=split = %d %s, want 400 naming prices", rec.Code, rec.Body.String())
	}
}

func TestWatchlistsAPIAndPages(t *testing.T) {
	app, b := servedApp(t, nil)
	b.mustSignUp("w@example.com", "W")
	res := b.post("/watchlists", url.Values{"name": {"Miners"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	page := b.get("/watchlists").body
	ids := regexpAll(`data-watchlist="(\d+)"`, page)
	if len(ids) != 1 {
		t.Fatalf("watchlists: %v", ids)
	}
	id := ids[0]
	for _, code := range []string{"BHP", "RIO", "FMG"} {
		b.post("/watchlists/"+id+"/items", url.Values{"code": {code}})
	}
	if res := b.post("/watchlists/"+id+"/items", url.Values{"code": {"NOPE"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Unknown instrument") {
		t.Errorf("unknown code: %d", res.StatusCode)
	}
	if res := b.post("/watchlists", url.Values{"name": {"Miners"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("duplicate name: %d", res.StatusCode)
	}
	board := b.get("/markets?watchlist=" + id)
	rows := regexpAll(`<tr id="q-([A-Z0-9]+)"`, board.body)
	if strings.Join(rows, ",") != "BHP,RIO,FMG" && len(rows) != 3 {
		t.Errorf("board rows for the watchlist = %v", rows)
	}
	if !strings.Contains(board.body, `data-stream="/stream/quotes?codes=`) {
		t.Error("board has no SSE connection")
	}

	// The API sees the same list; another user gets 404 for its id.
	tok := newBrowser(t, app, b.srv).mustAPIToken("w2@example.com", "W2")
	other := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/api/v1/watchlists/" + id, ""},
		{"PATCH", "/api/v1/watchlists/" + id, `{"name":"Mine now"}`},
		{"DELETE", "/api/v1/watchlists/" + id, ""},
		{"POST", "/api/v1/watchlists/" + id + "/items", `{"code":"CBA"}`},
		{"DELETE", "/api/v1/watchlists/" + id + "/items/BHP", ""},
	} {
		rec := app.Do(t, req.method, req.path, strings.NewReader(req.body), other)
		if rec.Code != http.StatusNotFound {
			t.Errorf("another user's %s %s = %d, want 404", req.method, req.path, rec.Code)
		}
	}
	for _, path := range []string{"/watchlists/" + id + "/rename", "/watchlists/" + id + "/delete", "/watchlists/" + id + "/items"} {
		ob := newBrowser(t, app, b.srv)
		ob.mustSignUp("thief-"+strings.ReplaceAll(path, "/", "")+"@example.com", "T")
		if res := ob.post(path, url.Values{"name": {"x"}, "code": {"CBA"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("another user's POST %s = %d, want 404", path, res.StatusCode)
		}
	}
	// Own API round trip.
	ownTok := newBrowser(t, app, b.srv).mustAPIToken("w3@example.com", "W3")
	own := map[string]string{"Authorization": "Bearer " + ownTok, "Content-Type": "application/json"}
	rec := app.Do(t, "POST", "/api/v1/watchlists", strings.NewReader(`{"name":"Banks"}`), own)
	var w market.Watchlist
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil || rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	wid := strconv.FormatInt(w.ID, 10)
	app.Do(t, "POST", "/api/v1/watchlists/"+wid+"/items", strings.NewReader(`{"code":"cba"}`), own)
	rec = app.Do(t, "PATCH", "/api/v1/watchlists/"+wid, strings.NewReader(`{"name":"Big banks"}`), own)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"Big banks","position":0,"codes":["CBA"]`) {
		t.Errorf("patch: %d %s", rec.Code, rec.Body.String())
	}
	if rec := app.Do(t, "PATCH", "/api/v1/watchlists/"+wid, strings.NewReader(`{"position":3}`), own); rec.Code != 400 {
		t.Errorf("bad position: %d", rec.Code)
	}
	if rec := app.Do(t, "DELETE", "/api/v1/watchlists/"+wid, nil, own); rec.Code != 204 {
		t.Errorf("delete: %d", rec.Code)
	}
}

// TestStreamSnapshotOnReconnect: each (re)connection, with or without
// Last-Event-ID, starts with a snapshot of the current quotes, then updates.
func TestStreamSnapshotOnReconnect(t *testing.T) {
	app := testapp.New(t, nil)
	srv := app.Serve(t)
	tok := newBrowser(t, app, srv).mustAPIToken("s@example.com", "S")
	open := func(lastID string) (*bufio.Reader, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/stream/quotes?symbols=BHP,CBA", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
		return bufio.NewReader(res.Body), func() { cancel(); res.Body.Close() }
	}
	readEvents := func(r *bufio.Reader, n int) []string {
		var datas []string
		deadline := time.Now().Add(5 * time.Second)
		for len(datas) < n && time.Now().Before(deadline) {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(line, "data: ") {
				datas = append(datas, strings.TrimSpace(line[6:]))
			}
		}
		return datas
	}
	r, closeA := open("")
	snap := readEvents(r, 2)
	if len(snap) != 2 || !strings.Contains(snap[0]+snap[1], `"code":"BHP"`) || !strings.Contains(snap[0]+snap[1], `"code":"CBA"`) {
		t.Fatalf("snapshot = %v", snap)
	}
	// A live tick arrives on the stream.
	batch, _ := hub.EncodeBatch(hub.Source{Deployment: app.Config.DeploymentID, Epoch: 1}, []market.Tick{{Time: time.Now(), Code: "BHP", Price: 77.77, Size: 5, Seq: time.Now().UnixMicro()}})
	app.Redis.Publish(context.Background(), server.QuotesChannel(app.Config), batch)
	if ev := readEvents(r, 1); len(ev) != 1 || !strings.Contains(ev[0], `"last":77.77`) {
		t.Fatalf("live event = %v", ev)
	}
	closeA()
	r, closeB := open("12345")
	defer closeB()
	snap = readEvents(r, 2)
	if !strings.Contains(strings.Join(snap, ""), `"last":77.77`) {
		t.Errorf("reconnect snapshot lacks the latest BHP quote: %v", snap)
	}
	if rec := app.Do(t, "GET", "/api/v1/stream/quotes?symbols=BHP&token="+tok, nil, nil); rec.Code != 401 {
		t.Errorf("stream with ?token=: %d", rec.Code)
	}
}
