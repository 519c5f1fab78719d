package handlers_test

import (
	"bufio"
	"context"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// paperApp serves the app with a manual session clock in continuous trading
// (Tuesday 24 November 2026, 11:00 Sydney).
func paperApp(t *testing.T) (*testapp.App, *browser, *provider.ManualClock) {
	t.Helper()
	clock := provider.NewManualClock(time.Date(2026, 11, 24, 11, 0, 0, 0, asx.Sydney()))
	app := testapp.NewWithClock(t, nil, clock)
	srv := app.Serve(t)
	return app, newBrowser(t, app, srv), clock
}

var tickSeq int64 = 1 << 40

// mustTrade prints a trade of code at px (the quote at px both sides) to the
// app's matcher.
func mustTrade(t *testing.T, app *testapp.App, clock *provider.ManualClock, code string, px float64) {
	t.Helper()
	tickSeq++
	err := app.Matcher.ProcessTicks(context.Background(), []market.Tick{{Time: clock.Now(), Code: code,
		Price: px, Size: 100, Bid: px, Ask: px, Seq: tickSeq, Kind: market.Trade}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPortfolioPages(t *testing.T) {
	app, b, clock := paperApp(t)
	b.mustSignUp("paper@example.com", "Pat Paper")
	res := b.get("/portfolio")
	if res.StatusCode != 200 {
		t.Fatalf("/portfolio: %d %.300s", res.StatusCode, res.body)
	}
	doc := mustDoc(t, res.body)
	if got := strings.TrimSpace(doc.Find(`[data-testid="cash"]`).Text()); got != "$100,000.00" {
		t.Errorf("cash = %q", got)
	}
	if doc.Find(`[data-testid="no-holdings"]`).Length() != 1 || doc.Find(`nav a[href="/portfolio"].active`).Length() != 1 {
		t.Error("empty holdings or the active nav entry missing")
	}
	if doc.Find(`script[src*="portfolio"]`).Length() != 1 || doc.Find(`script#portfolio-history[type="application/json"]`).Length() != 1 {
		t.Error("page script or chart data missing")
	}
	acct, _ := doc.Find(`[data-testid="portfolio-live"]`).Attr("data-stream")
	id := strings.TrimSuffix(strings.TrimPrefix(acct, "/portfolio/accounts/"), "/stream")
	for _, path := range []string{"/portfolio/accounts", "/portfolio/trade?code=BHP&quantity=10", "/portfolio/orders",
		"/portfolio/ledger", "/portfolio/tax", "/portfolio/tax?fy=2025", "/portfolio/accounts/" + id,
		"/portfolio/accounts/" + id + "/holdings", "/portfolio/trade/preview?code=BHP&quantity=10", "/portfolio/trade/parcels?code=BHP&side=sell"} {
		if res := b.get(path); res.StatusCode != 200 || !strings.Contains(res.body, `data-testid="portfolio-nav"`) {
			t.Errorf("GET %s: %d (full page expected)", path, res.StatusCode)
		}
	}
	if res := b.get("/portfolio/tax?fy=nineteen"); res.StatusCode != 400 {
		t.Errorf("bad fy: %d, want 400", res.StatusCode)
	}

	// The ticket: an htmx preview with brokerage, then the order.
	pv := b.htmxGet("/portfolio/trade/preview?code=BHP&side=buy&type=limit&quantity=100&limit_price=40.00")
	if pv.StatusCode != 200 || !strings.Contains(pv.body, `id="ticket-preview"`) || strings.Contains(pv.body, "portfolio-nav") {
		t.Fatalf("preview partial: %d %.300s", pv.StatusCode, pv.body)
	}
	if got := strings.TrimSpace(mustDoc(t, pv.body).Find(`[data-testid="preview-brokerage"]`).Text()); got != "$19.95" {
		t.Errorf("preview brokerage = %q", got)
	}
	bad := b.htmxPost("/portfolio/orders", url.Values{"code": {"BHP"}, "side": {"buy"}, "type": {"limit"}, "quantity": {"1.5"}, "limit_price": {"40.005"}, "idempotency_key": {"k1"}})
	if bad.StatusCode != 422 {
		t.Fatalf("bad order: %d", bad.StatusCode)
	}
	bd := mustDoc(t, bad.body)
	for _, f := range []string{"quantity", "limit_price"} {
		if bd.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no inline error for %s: %.600s", f, bad.body)
		}
	}
	order := url.Values{"code": {"BHP"}, "side": {"buy"}, "type": {"market"}, "quantity": {"100"}, "idempotency_key": {"ticket-1"}}
	first := b.htmxPost("/portfolio/orders", order)
	second := b.htmxPost("/portfolio/orders", order) // a double click
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("place: %d / %d %.300s", first.StatusCode, second.StatusCode, first.body)
	}
	n1 := mustDoc(t, first.body).Find(`[data-testid="form-notice"]`).Text()
	n2 := mustDoc(t, second.body).Find(`[data-testid="form-notice"]`).Text()
	if !strings.Contains(n1, "placed: buy 100 BHP market, open") || n1 != n2 {
		t.Errorf("notices %q / %q", n1, n2)
	}
	var orders int
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM paper_orders`).Scan(&orders)
	if orders != 1 {
		t.Fatalf("%d orders after a double submit", orders)
	}
	mustTrade(t, app, clock, "BHP", 45)
	doc = mustDoc(t, b.get("/portfolio").body)
	if got := strings.TrimSpace(doc.Find(`[data-testid="holding-BHP"] [data-testid="holding-quantity"]`).Text()); got != "100" {
		t.Errorf("BHP holding = %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="cash"]`).Text()); got != "$95,480.05" { // 4,500 + 19.95
		t.Errorf("cash after the buy = %q", got)
	}
	if res := b.get("/portfolio/ledger"); !strings.Contains(res.body, "Buy 100 BHP @ 45.00, brokerage $19.95") {
		t.Error("ledger lacks the buy")
	}
	if res := b.get("/portfolio/orders?status=filled"); mustDoc(t, res.body).Find(`[data-testid="order-row"]`).Length() != 1 {
		t.Error("filled filter does not list the order")
	}
	if res := b.htmxGet("/portfolio/orders?status=open"); !strings.Contains(res.body, `id="orders"`) || strings.Contains(res.body, "portfolio-nav") ||
		mustDoc(t, res.body).Find(`[data-testid="order-row"]`).Length() != 0 {
		t.Error("open filter: want the table partial with no rows")
	}

	// A working order is cancelled from the orders table.
	b.htmxPost("/portfolio/orders", url.Values{"code": {"CBA"}, "side": {"buy"}, "type": {"limit"}, "quantity": {"1"}, "limit_price": {"1.00"}, "idempotency_key": {"ticket-2"}})
	var cid int64
	_ = app.Pool.QueryRow(t.Context(), `SELECT id FROM paper_orders WHERE code = 'CBA'`).Scan(&cid)
	c := b.htmxPost("/portfolio/orders/"+strconv.FormatInt(cid, 10)+"/cancel", url.Values{"status": {"all"}})
	if c.StatusCode != 200 || !strings.Contains(c.body, "cancelled") {
		t.Errorf("cancel: %d", c.StatusCode)
	}
	if res := b.get("/portfolio/orders/" + strconv.FormatInt(cid, 10)); !strings.Contains(res.body, "cancelled by you") {
		t.Error("order history lacks the cancellation")
	}
	if c := b.htmxPost("/portfolio/orders/"+strconv.FormatInt(cid, 10)+"/cancel", nil); c.StatusCode != 409 {
		t.Errorf("cancel twice: %d, want 409", c.StatusCode)
	}

	// The sell ticket previews the gain; CSV export of the CGT report.
	sp := b.htmxGet("/portfolio/trade/preview?code=BHP&side=sell&quantity=50")
	if mustDoc(t, sp.body).Find(`[data-testid="cgt-preview"]`).Length() != 1 {
		t.Errorf("sell preview without CGT: %.500s", sp.body)
	}
	parcels := b.htmxGet("/portfolio/trade/parcels?code=BHP&side=sell")
	if !strings.Contains(parcels.body, `name="pick_`) {
		t.Error("parcel picker empty")
	}
	csv := b.get("/portfolio/tax/cgt.csv?fy=2027")
	if csv.StatusCode != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv.body, "Code,Acquired,Sold") {
		t.Errorf("CSV: %d %q", csv.StatusCode, csv.Header.Get("Content-Type"))
	}
}

func TestPortfolioAccountsCreateAndReset(t *testing.T) {
	app, b, _ := paperApp(t)
	b.mustSignUp("accts@example.com", "A")
	b.get("/portfolio/accounts")
	bad := b.htmxPost("/portfolio/accounts", url.Values{"name": {""}, "starting_balance": {"-5"}, "fee_schedule": {"commsec"}, "method": {"fifo"}})
	if bad.StatusCode != 422 || !strings.Contains(bad.body, `data-testid="error-starting_balance"`) {
		t.Fatalf("bad account: %d", bad.StatusCode)
	}
	ok := b.post("/portfolio/accounts", url.Values{"name": {"Small caps"}, "starting_balance": {"25,000"}, "fee_schedule": {"selfwealth"}, "method": {"min_gain"}})
	if ok.StatusCode != 303 {
		t.Fatalf("create: %d %.300s", ok.StatusCode, ok.body)
	}
	loc := ok.Header.Get("Location")
	if res := b.get(loc); !strings.Contains(res.body, "$25,000.00") || !strings.Contains(res.body, "selfwealth") {
		t.Errorf("new account page lacks its balance or schedule")
	}
	reset := b.post(loc+"/reset", url.Values{"starting_balance": {"30000"}})
	if reset.StatusCode != 303 {
		t.Fatalf("reset: %d", reset.StatusCode)
	}
	var gen int
	_ = app.Pool.QueryRow(t.Context(), `SELECT generation FROM paper_accounts WHERE name = 'Small caps'`).Scan(&gen)
	if gen != 2 {
		t.Errorf("generation %d after reset", gen)
	}
}

func TestPortfolioAPI(t *testing.T) {
	app, b, clock := paperApp(t)
	tok := b.mustAPIToken("api-paper@example.com", "Api")
	for _, path := range []string{"/api/v1/portfolio", "/api/portfolio"} {
		code, body, _ := b.api("GET", path, tok, "")
		if code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		if m := mustJSON(t, body); m["cash"] != "100000.00" || m["total_value"] != "100000.00" {
			t.Errorf("%s = %v", path, m)
		}
	}
	if code, _, _ := b.api("GET", "/api/v1/portfolio", "", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	const body = `{"code":"BHP","side":"buy","type":"limit","quantity":100,"limit_price":"46.00"}`
	code, first, hdr := b.api("POST", "/api/v1/orders", tok, body, "Idempotency-Key", "api-key-1")
	if code != 201 || hdr.Get("Location") == "" {
		t.Fatalf("place: %d %s", code, first)
	}
	code, again, hdr := b.api("POST", "/api/v1/orders", tok, body, "Idempotency-Key", "api-key-1")
	if code != 201 || again != first || hdr.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %q\nfirst %s\nagain %s", code, hdr.Get("Idempotent-Replayed"), first, again)
	}
	code, conflict, _ := b.api("POST", "/api/v1/orders", tok, strings.Replace(body, "100", "101", 1), "Idempotency-Key", "api-key-1")
	if code != 409 || !strings.Contains(conflict, "Idempotency-Key") {
		t.Errorf("same key, other order: %d %s", code, conflict)
	}
	o := mustJSON(t, first)
	if o["state"] != "open" || o["limit_price"] != "46" || o["cash_reserved"] != "4619.95" {
		t.Errorf("order %v", o)
	}
	id := strconv.FormatInt(int64(o["id"].(float64)), 10)
	mustTrade(t, app, clock, "BHP", 45.5)
	code, got, _ := b.api("GET", "/api/v1/orders/"+id, tok, "")
	g := mustJSON(t, got)
	fill, _ := g["fill"].(map[string]any)
	if code != 200 || g["state"] != "filled" || fill["price"] != "45.5" || fill["brokerage"] != "19.95" || fill["total"] != "4569.95" {
		t.Errorf("filled order: %d %s", code, got)
	}
	if len(g["history"].([]any)) != 3 {
		t.Errorf("history %v", g["history"])
	}
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"off-grid price", `{"code":"BHP","side":"buy","type":"limit","quantity":1,"limit_price":45.001}`, 400, "limit_price"},
		{"zero quantity", `{"code":"BHP","side":"buy","quantity":0}`, 400, "quantity"},
		{"fractional quantity", `{"code":"BHP","side":"buy","quantity":"2.5"}`, 400, "quantity"},
		{"unknown code", `{"code":"NOPE","side":"buy","quantity":1}`, 400, "code"},
		{"selling more than held", `{"code":"BHP","side":"sell","quantity":101}`, 422, "quantity"},
		{"insufficient cash", `{"code":"CBA","side":"buy","type":"limit","quantity":10000,"limit_price":"150.00"}`, 422, "quantity"},
		{"not JSON", `{"code":`, 400, ""},
	} {
		code, body, _ := b.api("POST", "/api/v1/orders", tok, tc.body)
		if code != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, code, tc.status, body)
			continue
		}
		p := mustJSON(t, body)
		errs, _ := p["errors"].(map[string]any)
		if tc.field != "" && p["field"] != tc.field && errs[tc.field] == nil {
			t.Errorf("%s: problem does not name %s: %s", tc.name, tc.field, body)
		}
		if p["detail"] == "" {
			t.Errorf("%s: no detail", tc.name)
		}
	}
	var orders int
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM paper_orders`).Scan(&orders)
	if orders != 1 {
		t.Errorf("%d orders: refused orders wrote rows", orders)
	}

	code, list, _ := b.api("GET", "/api/v1/orders?status=filled", tok, "")
	if code != 200 || len(mustJSON(t, list)["orders"].([]any)) != 1 {
		t.Errorf("orders: %d %s", code, list)
	}
	code, hold, _ := b.api("GET", "/api/v1/holdings", tok, "")
	h := mustJSON(t, hold)["holdings"].([]any)
	if code != 200 || len(h) != 1 || h[0].(map[string]any)["cost_base"] != "4569.95" || h[0].(map[string]any)["quantity"] != float64(100) {
		t.Errorf("holdings: %d %s", code, hold)
	}
	code, txs, _ := b.api("GET", "/api/v1/transactions", tok, "")
	tx := mustJSON(t, txs)["transactions"].([]any)
	if code != 200 || len(tx) != 2 || tx[0].(map[string]any)["cash_change"] != "-4569.95" {
		t.Errorf("transactions: %d %s", code, txs)
	}
	code, cgt, _ := b.api("GET", "/api/v1/tax/cgt?fy=2025", tok, "")
	if m := mustJSON(t, cgt); code != 200 || m["label"] != "2024–25" || m["net_capital_gain"] != "0.00" {
		t.Errorf("cgt: %d %s", code, cgt)
	}
	if code, body, _ := b.api("GET", "/api/v1/tax/cgt?fy=25x", tok, ""); code != 400 || mustJSON(t, body)["field"] != "fy" {
		t.Errorf("bad fy: %d %s", code, body)
	}

	// The matcher's jobs set portfolio_value_aud: cash plus holdings at the hub's quotes.
	if err := app.Matcher.RunJobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	q, _ := app.Hub.Quote("BHP")
	var m dto.Metric
	if err := app.Metrics.PortfolioValue.Write(&m); err != nil {
		t.Fatal(err)
	}
	if want := 100000 - 4569.95 + 100*q.Last; math.Abs(m.GetGauge().GetValue()-want) > 0.01 {
		t.Errorf("portfolio_value_aud = %v, want %v", m.GetGauge().GetValue(), want)
	}
	// … and when it did, for the valuation-stale alert.
	if err := app.Metrics.PortfolioValueUpdated.Write(&m); err != nil {
		t.Fatal(err)
	}
	if age := float64(time.Now().UnixNano())/1e9 - m.GetGauge().GetValue(); age < 0 || age > 60 {
		t.Errorf("portfolio_value_updated_timestamp_seconds is %v s old", age)
	}

	// Cancel over the API, then again (409).
	_, working, _ := b.api("POST", "/api/v1/orders", tok, `{"code":"CBA","side":"buy","type":"limit","quantity":1,"limit_price":"100.00","time_in_force":"gtc"}`)
	wid := strconv.FormatInt(int64(mustJSON(t, working)["id"].(float64)), 10)
	if code, body, _ := b.api("DELETE", "/api/v1/orders/"+wid, tok, ""); code != 200 || mustJSON(t, body)["state"] != "cancelled" {
		t.Errorf("cancel: %d %s", code, body)
	}
	if code, _, _ := b.api("DELETE", "/api/v1/orders/"+wid, tok, ""); code != 409 {
		t.Errorf("cancel twice: %d", code)
	}
}

// TestPortfolioConcurrentAPIBuys: 50 simultaneous buys over the API against
// cash for 10: exactly 10 are accepted, 40 refused, and they fill.
func TestPortfolioConcurrentAPIBuys(t *testing.T) {
	app, b, clock := paperApp(t)
	tok := b.mustAPIToken("burst@example.com", "Burst")
	b.get("/portfolio/accounts")
	res := b.post("/portfolio/accounts", url.Values{"name": {"Ten"}, "starting_balance": {"10000"}, "fee_schedule": {"commsec"}, "method": {"fifo"}})
	acct := strings.TrimPrefix(res.Header.Get("Location"), "/portfolio/accounts/")
	// 100 × $9.95 + $5 = $1,000 each.
	body := `{"account_id":` + acct + `,"code":"BHP","side":"buy","type":"limit","quantity":100,"limit_price":"9.95"}`
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, _ := b.api("POST", "/api/v1/orders", tok, body)
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[201] != 10 || codes[422] != 40 {
		t.Fatalf("statuses %v, want 10×201 and 40×422", codes)
	}
	mustTrade(t, app, clock, "BHP", 9.95)
	var filled int
	var cash string
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM paper_fills`).Scan(&filled)
	_ = app.Pool.QueryRow(t.Context(), `SELECT cash::text FROM paper_accounts WHERE id = $1`, acct).Scan(&cash)
	if filled != 10 || cash != "0.00" {
		t.Errorf("%d fills, cash %s", filled, cash)
	}
}

// TestPortfolioIDsAreScoped: another user's ids are 404 on every portfolio
// route with an id, and as ?account= on the others, pages and API alike.
func TestPortfolioIDsAreScoped(t *testing.T) {
	app, owner, _ := paperApp(t)
	ownerTok := owner.mustAPIToken("owner@example.com", "Owner")
	_, placed, _ := owner.api("POST", "/api/v1/orders", ownerTok, `{"code":"BHP","side":"buy","type":"limit","quantity":1,"limit_price":"1.00"}`)
	o := mustJSON(t, placed)
	orderID := strconv.FormatInt(int64(o["id"].(float64)), 10)
	accountID := strconv.FormatInt(int64(o["account_id"].(float64)), 10)

	other := newBrowser(t, app, owner.srv)
	otherTok := other.mustAPIToken("other@example.com", "Other")
	other.get("/portfolio") // their own default account exists

	var checked []string
	for _, r := range app.HTTP.Routes() {
		if !strings.Contains(r.Path, ":id") || !(strings.HasPrefix(r.Path, "/portfolio") || strings.HasPrefix(r.Path, "/api/v1/orders")) {
			continue
		}
		id := orderID
		if strings.HasPrefix(r.Path, "/portfolio/accounts/") {
			id = accountID
		}
		path := strings.Replace(r.Path, ":id", id, 1)
		checked = append(checked, r.Method+" "+r.Path)
		var code int
		switch {
		case strings.HasPrefix(path, "/api/"):
			code, _, _ = other.api(r.Method, path, otherTok, "")
		case r.Method == http.MethodGet:
			code = other.get(path).StatusCode
		default:
			code = other.post(path, url.Values{}).StatusCode
		}
		if code != http.StatusNotFound {
			t.Errorf("%s %s as another user: %d, want 404", r.Method, path, code)
		}
	}
	if len(checked) < 7 {
		t.Errorf("only %d routes with ids checked: %v", len(checked), checked)
	}
	for _, path := range []string{"/portfolio", "/portfolio/orders", "/portfolio/trade", "/portfolio/ledger", "/portfolio/tax",
		"/portfolio/tax/cgt.csv", "/portfolio/trade/preview", "/portfolio/trade/parcels"} {
		if code := other.get(path + "?account=" + accountID).StatusCode; code != 404 {
			t.Errorf("GET %s?account=<other's> = %d, want 404", path, code)
		}
	}
	if code := other.post("/portfolio/orders", url.Values{"account": {accountID}, "code": {"BHP"}, "side": {"buy"}, "quantity": {"1"}}).StatusCode; code != 404 {
		t.Errorf("placing into another user's account: %d", code)
	}
	for _, path := range []string{"/api/v1/portfolio", "/api/v1/holdings", "/api/v1/orders", "/api/v1/transactions", "/api/v1/tax/cgt"} {
		if code, _, _ := other.api("GET", path+"?account="+accountID, otherTok, ""); code != 404 {
			t.Errorf("GET %s?account=<other's> = %d, want 404", path, code)
		}
	}
	if code, _, _ := other.api("POST", "/api/v1/orders", otherTok, `{"account_id":`+accountID+`,"code":"BHP","side":"buy","quantity":1}`); code != 404 {
		t.Errorf("API order into another user's account: %d", code)
	}
	// The owner still sees the order, working.
	if code, body, _ := owner.api("GET", "/api/v1/orders/"+orderID, ownerTok, ""); code != 200 || mustJSON(t, body)["state"] != "open" {
		t.Errorf("owner's order: %d %s", code, body)
	}
}

func TestDividendImportByAdmin(t *testing.T) {
	app, b, _ := paperApp(t)
	b.mustSignUp("boss@example.com", "Boss")
	u, err := app.Users.FindUser(t.Context(), "boss@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Users.SetRole(t.Context(), 0, u.ID, auth.RoleAdmin, auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if res := b.get("/admin/dividends"); res.StatusCode != 200 || !strings.Contains(res.body, `id="dividend-import"`) {
		t.Fatalf("admin page: %d", res.StatusCode)
	}
	bad := b.htmxPost("/admin/dividends", url.Values{"csv": {"code,ex_date,pay_date,amount,franking_pct\nBHP,2026-02-30,2026-03-20,1,100\n"}})
	if bad.StatusCode != 422 || !strings.Contains(bad.body, "line 2: ex_date") {
		t.Errorf("bad CSV: %d %.400s", bad.StatusCode, bad.body)
	}
	ok := b.htmxPost("/admin/dividends", url.Values{"csv": {"code,ex_date,pay_date,amount,franking_pct\nBHP,2026-09-04,2026-09-25,0.73,100\n"}})
	if ok.StatusCode != 200 || !strings.Contains(ok.body, "1 dividend line(s) read, 1 event(s) added or changed") || !strings.Contains(ok.body, "$0.7300") {
		t.Errorf("import: %d %.400s", ok.StatusCode, ok.body)
	}
	// The shipped file's own format: already seeded, so nothing changes, and
	// the three lines without an ex-date are named.
	shipped, err := os.ReadFile(filepath.Join(testenv.DataDir(t), "dividends.csv"))
	if err != nil {
		t.Fatal(err)
	}
	again := b.htmxPost("/admin/dividends", url.Values{"csv": {string(shipped)}})
	if again.StatusCode != 200 || !strings.Contains(again.body, "113 dividend line(s) read, 0 event(s) added or changed") ||
		!strings.Contains(again.body, "line 7: ANZ has no ex_date") {
		t.Errorf("shipped file: %d %.600s", again.StatusCode, again.body)
	}
	for _, c := range []struct{ csv, want string }{
		{"code,ex_date,pay_date,amount_aud_per_share,franking_pct,kind,source\nCBA,2026-02-18,2026-03-30,2.35,100,quarterly,x\n", "line 2: kind"},
		{"code,ex_date,pay_date,amount_aud_per_share,franking_pct,kind,source\nCBA,2026-02-18,,2.35,100,interim,x\nCBA,2026-02-18,2026-03-30,-1,,interim,x\n",
			"line 2: pay_date is missing"},
		{"code,ex_date,pay_date,amount_aud_per_share,franking_pct,kind,source\nCBA,2026-02-18,2026-03-30,-1,,interim,x\n", "line 2: amount must be"},
		{"code,ex_date,pay_date,franking_pct\nCBA,2026-02-18,2026-03-30,100\n", "lacks the amount column"},
		{"code,ex_date,pay_date,amount,franking_pct\nASX,2019-09-05,2019-09-25,1.143,100\n", "line 2: ASX has 2 dividends on ex-date 2019-09-05; add a kind column"},
	} {
		res := b.htmxPost("/admin/dividends", url.Values{"csv": {c.csv}})
		if res.StatusCode != 422 || !strings.Contains(res.body, c.want) {
			t.Errorf("%q: %d %.500s, want 422 with %q", c.csv, res.StatusCode, res.body, c.want)
		}
	}
}

func TestPortfolioStream(t *testing.T) {
	_, b, _ := paperApp(t)
	b.mustSignUp("stream@example.com", "S")
	doc := mustDoc(t, b.get("/portfolio").body)
	src, _ := doc.Find(`[data-testid="portfolio-live"]`).Attr("data-stream")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.srv.URL+src, nil)
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(res.Body)
	var events []string
	for sc.Scan() && len(events) < 2 {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			events = append(events, name)
		}
	}
	if strings.Join(events, ",") != "summary,holdings" {
		t.Errorf("events %v", events)
	}
}
