package handlers_test

import (
	"bufio"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// form is a small valid backtest form.
func backtestForm() url.Values {
	return url.Values{"model": {"ridge"}, "start": {"2023-01-03"}, "end": {"2023-06-30"}, "strategy": {"topk_dropout"},
		"topk": {"4"}, "n_drop": {"1"}, "hold_thresh": {"1"}, "risk_degree": {"0.95"}, "deal_price": {"close"},
		"initial_cash": {"100000"}, "brokerage": {"selfwealth"}, "tax_rate": {"0.39"}}
}

// TestBacktestPages: a run queued from the form is its owner's only (pages,
// stream, CSV and API answer 404 to anyone else), bad input comes back in
// the form naming the field, a finished run cannot be cancelled, runs can be
// compared and the trades download as CSV.
func TestBacktestPages(t *testing.T) {
	app := quantApp(t, nil) // no job workers: the test runs the queued job itself
	srv := app.Serve(t)
	alice, bob := newBrowser(t, app, srv), newBrowser(t, app, srv)
	alice.mustSignUp("alice@example.com", "Alice")
	bobToken := bob.mustAPIToken("bob@example.com", "Bob")

	page := alice.get("/backtests")
	if page.StatusCode != 200 || !strings.Contains(page.body, `value="topk_dropout"`) || !strings.Contains(page.body, `name="topk" type="number" value="50"`) {
		t.Fatalf("backtests page: %d %.500s", page.StatusCode, page.body)
	}
	for field, bad := range map[string]string{"topk": "0", "n_drop": "9", "end": "2022-01-01", "risk_degree": "lots", "initial_cash": "-5"} {
		f := backtestForm()
		f.Set(field, bad)
		res := alice.htmxPost("/backtests", f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, `data-testid="error-`+field+`"`) {
			t.Errorf("%s=%s: %d %.400s", field, bad, res.StatusCode, res.body)
		}
	}
	res := alice.post("/backtests", backtestForm())
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/backtests/") {
		t.Fatalf("create: %d %s %.300s", res.StatusCode, loc, res.body)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/backtests/"), 10, 64)
	queued := alice.get(loc)
	if !strings.Contains(queued.body, `data-status="queued"`) || !strings.Contains(queued.body, `data-stream="`+loc+`/stream"`) {
		t.Errorf("queued run page: %.600s", queued.body)
	}
	if err := app.Jobs.Backtests().Execute(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
	done := alice.get(loc)
	for _, want := range []string{`data-testid="backtest-metrics"`, `data-testid="backtest-chart"`, `data-testid="backtest-monthly"`,
		`data-testid="backtest-aftertax"`, `data-testid="backtest-cgt-compare"`, `data-testid="trade-row"`} {
		if !strings.Contains(done.body, want) {
			t.Errorf("completed run page lacks %s", want)
		}
	}
	if strings.Contains(done.body, "data-stream=") {
		t.Error("a finished run's page still opens a stream")
	}
	csv := alice.get(loc + "/trades.csv")
	if csv.StatusCode != 200 || !strings.HasPrefix(csv.body, "date,code,side,shares,price,value,cost,gain\n") || strings.Count(csv.body, "\n") < 3 {
		t.Errorf("CSV: %d %.200s", csv.StatusCode, csv.body)
	}
	// The chart of a traded code marks the run's trades of it, for its owner.
	first := strings.Split(strings.Split(csv.body, "\n")[1], ",")
	code := first[1]
	want := 0
	for _, line := range strings.Split(csv.body, "\n")[1:] {
		if f := strings.Split(line, ","); len(f) > 1 && f[1] == code {
			want++
		}
	}
	marks := alice.get("/instruments/" + code + "/candles.json?interval=1D&range=5y&backtest=" + strconv.FormatInt(id, 10))
	if marks.StatusCode != 200 || strings.Count(marks.body, `"shape":"arrow`) != want || !strings.Contains(marks.body, `"time":"`+first[0]+`"`) {
		t.Errorf("markers of %s: %d, want %d trades: %.300s", code, marks.StatusCode, want, marks.body)
	}
	if inst := alice.get("/instruments/" + code + "?interval=1D&range=5y&backtest=" + strconv.FormatInt(id, 10)); !strings.Contains(inst.body, `data-testid="trade-markers"`) ||
		!strings.Contains(inst.body, "backtest="+strconv.FormatInt(id, 10)) {
		t.Errorf("instrument page with a backtest: %.300s", inst.body)
	}
	if res := bob.get("/instruments/" + code + "/candles.json?interval=1D&range=5y&backtest=" + strconv.FormatInt(id, 10)); res.StatusCode != http.StatusNotFound {
		t.Errorf("bob's chart with alice's run: %d", res.StatusCode)
	}
	if res := alice.post(loc+"/cancel", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("cancelling a finished run: %d", res.StatusCode)
	}

	// Bob sees none of it.
	for _, p := range []string{loc, loc + "/trades", loc + "/trades.csv", loc + "/positions", loc + "/stream"} {
		if res := bob.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("bob GET %s: %d", p, res.StatusCode)
		}
	}
	if res := bob.post(loc+"/cancel", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("bob cancelling alice's run: %d", res.StatusCode)
	}
	api := "/api/v1/backtests/" + strconv.FormatInt(id, 10)
	for _, p := range []string{api, api + "/returns", api + "/trades", api + "/positions"} {
		if code, _, _ := bob.api("GET", p, bobToken, ""); code != http.StatusNotFound {
			t.Errorf("bob GET %s: %d", p, code)
		}
	}
	if code, body, _ := bob.api("GET", "/api/v1/backtests", bobToken, ""); code != 200 || strings.Contains(body, `"id":`+strconv.FormatInt(id, 10)) {
		t.Errorf("bob's list: %d %s", code, body)
	}

	// A second run, cancelled while queued, then a comparison of two
	// completed runs.
	res = alice.post("/backtests", backtestForm())
	second := res.Header.Get("Location")
	if res := alice.post(second+"/cancel", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel: %d", res.StatusCode)
	}
	if body := alice.get(second).body; !strings.Contains(body, `data-status="cancelled"`) {
		t.Errorf("cancelled run: %.400s", body)
	}
	f := backtestForm()
	f.Set("strategy", "topk_rebalance")
	f.Set("rebalance_every", "10")
	third := alice.post("/backtests", f).Header.Get("Location")
	thirdID, _ := strconv.ParseInt(strings.TrimPrefix(third, "/backtests/"), 10, 64)
	if err := app.Jobs.Backtests().Execute(t.Context(), thirdID, nil); err != nil {
		t.Fatal(err)
	}
	cmp := alice.get("/backtests/compare?ids=" + strconv.FormatInt(id, 10) + "&ids=" + strconv.FormatInt(thirdID, 10))
	if cmp.StatusCode != 200 || !strings.Contains(cmp.body, `data-series-b=`) || !strings.Contains(cmp.body, "rebalance every 10") {
		t.Errorf("compare: %d %.400s", cmp.StatusCode, cmp.body)
	}
	if res := alice.get("/backtests/compare?ids=" + strconv.FormatInt(id, 10)); res.StatusCode != http.StatusBadRequest {
		t.Errorf("comparing one run: %d", res.StatusCode)
	}
	if res := bob.get("/backtests/compare?ids=" + strconv.FormatInt(id, 10) + "&ids=" + strconv.FormatInt(thirdID, 10)); res.StatusCode != http.StatusNotFound {
		t.Errorf("bob comparing alice's runs: %d", res.StatusCode)
	}
}

// TestBacktestStream: a queued run's stream sends its progress partial at
// once, the run's completion as it happens, and then ends.
func TestBacktestStream(t *testing.T) {
	app := quantApp(t, nil)
	srv := app.Serve(t)
	b := newBrowser(t, app, srv)
	b.mustSignUp("streamer@example.com", "Streamer")
	loc := b.post("/backtests", backtestForm()).Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/backtests/"), 10, 64)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+loc+"/stream", nil)
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	events := make(chan string, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev strings.Builder
		for sc.Scan() {
			line := sc.Text()
			if line == "" && ev.Len() > 0 {
				events <- ev.String()
				ev.Reset()
				continue
			}
			ev.WriteString(line + "\n")
		}
	}()
	first := <-events
	if !strings.Contains(first, "event: backtest-progress") || !strings.Contains(first, `data-status="queued"`) {
		t.Fatalf("first event: %s", first)
	}
	if err := app.Jobs.Backtests().Execute(t.Context(), id, nil); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended before it sent the completion")
			}
			if strings.Contains(ev, `data-status="completed"`) {
				if !strings.Contains(ev, `data-testid="backtest-result-link"`) {
					t.Errorf("completion event has no result link: %s", ev)
				}
				select {
				case _, more := <-events:
					if more {
						t.Error("the stream went on after the run completed")
					}
				case <-time.After(5 * time.Second):
					t.Error("the stream stayed open after the run completed")
				}
				return
			}
		case <-timeout:
			t.Fatal("no completion event within 20 s")
		}
	}
}
