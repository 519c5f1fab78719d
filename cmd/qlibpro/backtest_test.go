package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestBacktestAPIAndCLIAgree runs the same backtest through the JSON API (a
// background job) and through `qlibpro backtest`, and finds the same
// metrics, after-tax figures and trades; bad input is exit 2 naming the flag
// and a 4xx naming the field.
func TestBacktestAPIAndCLIAgree(t *testing.T) {
	app := testapp.New(t, map[string]string{"JOBS_ENABLED": "true"})
	ctx := t.Context()
	testdb.Quiet(t, app.Pool, append(testdb.QuantTables, "backtest_days", "backtest_trades", "backtest_holdings")...)
	codes := []string{"ANZ", "BHP", "CBA", "CSL", "FMG", "MQG", "NAB", "RIO", "TLS", "WBC", "WES", "WOW"}
	if _, err := app.Quant.Store().Refresh(ctx, codes); err != nil {
		t.Fatal(err)
	}
	segs := dataset.Segments{Train: dataset.DateRange{Start: testenv.Day(2018, 1, 1), End: testenv.Day(2020, 12, 31)},
		Valid: dataset.DateRange{Start: testenv.Day(2021, 1, 1), End: testenv.Day(2021, 12, 31)},
		Test:  dataset.DateRange{Start: testenv.Day(2022, 1, 1), End: testenv.Day(2022, 12, 31)}}
	if _, err := app.Quant.Train(ctx, pipeline.TrainSpec{Kind: "ridge", Segments: segs, Activate: true}, nil); err != nil {
		t.Fatal(err)
	}
	dbURL := testenv.URLOf(t, app.Pool)
	run1 := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		getenv := func(k string) string {
			if k == "DATABASE_URL" {
				return dbURL
			}
			return ""
		}
		err := run(ctx, args, getenv, strings.NewReader(stdin), &out, &errb)
		return exitCode(err, &errb), out.String(), errb.String()
	}
	const password = "backtest both ways 2026"
	if code, _, errs := run1(password+"\n", "user", "create", "--email", "bt@example.com", "--name", "BT"); code != 0 {
		t.Fatalf("user create: %d %s", code, errs)
	}
	srv := app.Serve(t)
	call := func(method, path, token, body string) (int, []byte, http.Header) {
		req, _ := http.NewRequestWithContext(ctx, method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b, res.Header
	}
	code, body, _ := call("POST", "/api/v1/auth/login", "", `{"email":"bt@example.com","password":"`+password+`"}`)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &login) != nil || code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	tok := login.AccessToken

	settings := `{"model":"ridge","start":"2023-01-02","end":"2023-12-29","topk":4,"n_drop":1,"initial_cash":"250000","brokerage":"commsec"}`
	code, body, hdr := call("POST", "/api/v1/backtests", tok, settings)
	loc := hdr.Get("Location")
	if code != http.StatusAccepted || !strings.HasPrefix(loc, "/api/v1/backtests/") {
		t.Fatalf("POST /api/v1/backtests: %d %s %s", code, loc, body)
	}
	var got struct {
		Status  string          `json:"status"`
		Message string          `json:"message"`
		Summary json.RawMessage `json:"summary"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, body, _ = call("GET", loc, tok, "")
		if err := json.Unmarshal(body, &got); err != nil || code != 200 {
			t.Fatalf("GET %s: %d %s", loc, code, body)
		}
		if got.Status == "completed" {
			break
		}
		if got.Status == "failed" || got.Status == "cancelled" || time.Now().After(deadline) {
			t.Fatalf("run %s: %s", got.Status, got.Message)
		}
		time.Sleep(300 * time.Millisecond)
	}

	out := t.TempDir()
	code, stdout, errs := run1("", "backtest", "--model", "ridge", "--start", "2023-01-02", "--end", "2023-12-29",
		"--topk", "4", "--n-drop", "1", "--cash", "250000", "--brokerage", "commsec", "--out", out)
	if code != 0 {
		t.Fatalf("qlibpro backtest: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "information_ratio") || !strings.Contains(stdout, "after tax (smsf") {
		t.Errorf("the CLI printed no metrics:\n%s", stdout)
	}
	cliSummary, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(got.Summary, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(cliSummary, &b); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"metrics", "after_tax", "counterpart", "monthly"} {
		if a[k] == nil || !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs:\nAPI %v\nCLI %v", k, a[k], b[k])
		}
	}

	code, body, _ = call("GET", loc+"/trades?per_page=5000", tok, "")
	var trades struct {
		Total  int `json:"total"`
		Trades []struct {
			Date   time.Time `json:"date"`
			Code   string    `json:"code"`
			Shares int64     `json:"shares"`
			Value  string    `json:"value"`
		} `json:"trades"`
	}
	if err := json.Unmarshal(body, &trades); err != nil || code != 200 {
		t.Fatalf("trades: %d %s", code, body)
	}
	f, _ := os.Open(filepath.Join(out, "trades.csv"))
	recs, _ := csv.NewReader(f).ReadAll()
	f.Close()
	if len(recs)-1 != trades.Total || trades.Total == 0 {
		t.Fatalf("CLI %d trades, API %d", len(recs)-1, trades.Total)
	}
	for i, tr := range trades.Trades {
		r := recs[i+1]
		if r[0] != tr.Date.Format(time.DateOnly) || r[1] != tr.Code || !decimal.RequireFromString(r[5]).Equal(decimal.RequireFromString(tr.Value)) {
			t.Fatalf("trade %d: CLI %v, API %+v", i, r, tr)
		}
	}
	for _, path := range []string{"/returns", "/positions"} {
		if code, body, _ := call("GET", loc+path, tok, ""); code != 200 || len(body) < 100 {
			t.Errorf("GET %s: %d %.200s", path, code, body)
		}
	}

	// Bad input: the CLI exits 2 naming the flag; the API answers 4xx
	// naming the field.
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--topk", "0"}, "--topk"},
		{[]string{"--n-drop", "9"}, "--n-drop"},
		{[]string{"--end", "2022-06-30"}, "--end"},
		{[]string{"--end", "2031-01-01"}, "--end"},
		{[]string{"--model", "lstm"}, "--model"},
	} {
		args := append([]string{"backtest", "--model", "ridge", "--start", "2023-01-02", "--end", "2023-12-29", "--topk", "4", "--n-drop", "1"}, c.args...)
		if code, _, errs := run1("", args...); code != 2 || !strings.Contains(errs, c.flag) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", c.args, code, errs, c.flag)
		}
	}
	for _, c := range []struct{ body, field string }{
		{`{"model":"ridge","start":"2023-01-02","end":"2023-12-29","topk":0}`, "topk"},
		{`{"model":"ridge","start":"2023-01-02","end":"2023-12-29","topk":4,"n_drop":5}`, "n_drop"},
		{`{"model":"ridge","start":"2023-06-02","end":"2023-01-29"}`, "end"},
		{`{"model":"ridge","start":"2023-01-02","end":"2031-01-01"}`, "end"},
		{`{"model":"lstm","start":"2023-01-02","end":"2023-12-29"}`, "model"},
		{`{"model":"ridge","start":"2 Jan 2023","end":"2023-12-29"}`, "start"},
		{`{"model":"ridge","start":"2023-01-02","end":"2023-12-29","top_k":4}`, "top_k"},
	} {
		code, body, _ := call("POST", "/api/v1/backtests", tok, c.body)
		if code < 400 || code >= 500 || !strings.Contains(string(body), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s; want 4xx naming %s", c.body, code, body, c.field)
		}
	}
}
