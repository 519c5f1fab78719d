package portfolio_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

// A Tuesday in continuous trading.
const tradingHours = "2026-11-24 11:00"

func TestPlaceOrderRefusesBadInput(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "10000", "")
	e.quotes.set("BHP", 45, 44.99, 45.01)
	e.quotes.set("TAH", 0.80, 0.795, 0.805)
	tests := []struct {
		name  string
		in    portfolio.OrderInput
		code  apperr.Code
		field string
	}{
		{"off-grid price over $2", portfolio.OrderInput{Code: "BHP", Side: "buy", Type: "limit", Quantity: "10", LimitPrice: "45.005"}, apperr.Invalid, "limit_price"},
		{"off-grid price under $2", portfolio.OrderInput{Code: "BHP", Side: "buy", Type: "limit", Quantity: "10", LimitPrice: "1.234"}, apperr.Invalid, "limit_price"},
		{"off-grid stop", portfolio.OrderInput{Code: "BHP", Side: "sell", Type: "stop", Quantity: "10", StopPrice: "40.001"}, apperr.Invalid, "stop_price"},
		{"zero quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "0"}, apperr.Invalid, "quantity"},
		{"fractional quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "1.5"}, apperr.Invalid, "quantity"},
		{"negative quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "-3"}, apperr.Invalid, "quantity"},
		{"unknown code", portfolio.OrderInput{Code: "ZZZZ", Side: "buy", Quantity: "10"}, apperr.Invalid, "code"},
		{"an index is not tradable", portfolio.OrderInput{Code: "XJO", Side: "buy", Quantity: "10"}, apperr.Invalid, "code"},
		{"bad side", portfolio.OrderInput{Code: "BHP", Side: "short", Quantity: "10"}, apperr.Invalid, "side"},
		{"limit without a price", portfolio.OrderInput{Code: "BHP", Side: "buy", Type: "limit", Quantity: "10"}, apperr.Invalid, "limit_price"},
		{"market with a limit price", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "10", LimitPrice: "45"}, apperr.Invalid, "limit_price"},
		{"gtc expiry in the past", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "10", TIF: "gtc", Expires: "2026-01-01"}, apperr.Invalid, "expires"},
		{"selling more than held", portfolio.OrderInput{Code: "BHP", Side: "sell", Quantity: "10"}, apperr.Unprocessable, "quantity"},
		{"insufficient cash", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "1000"}, apperr.Unprocessable, "quantity"},
		{"sale worth less than brokerage", portfolio.OrderInput{Code: "TAH", Side: "sell", Quantity: "1"}, apperr.Unprocessable, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.AccountID = a.ID
			_, _, err := e.svc.PlaceOrder(context.Background(), user, tt.in, fmt.Sprintf("key-%d", i))
			assertCode(t, err, tt.code, tt.field)
		})
	}
	var orders, keys int
	_ = e.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM paper_orders), (SELECT count(*) FROM paper_idempotency_keys)`).Scan(&orders, &keys)
	if orders != 0 || keys != 0 {
		t.Errorf("refused orders wrote %d orders and %d idempotency keys", orders, keys)
	}
	t.Run("on-grid prices pass", func(t *testing.T) {
		for _, p := range []string{"45.01", "1.235", "0.099", "2.00"} {
			if _, err := e.svc.Preview(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP",
				Side: "buy", Type: "limit", Quantity: "1", LimitPrice: p}); err != nil {
				t.Errorf("limit %s: %v", p, err)
			}
		}
	})
}

func TestLimitOrderFillsWhenThePriceCrosses(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.quotes.set("BHP", 45.50, 45.49, 45.51)
	o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "100", LimitPrice: "45.00"})
	if o.State != portfolio.Open {
		t.Fatalf("state = %s, want open in continuous trading", o.State)
	}
	assertDec(t, "reserve", o.Reserve, "4519.95") // $4,500 at the limit + $19.95 CommSec brokerage
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "BHP", Price: 45.40, Size: 10, Bid: 45.39, Ask: 45.41, Seq: 1})
	if got := e.mustOrder(user, o.ID); got.State != portfolio.Open {
		t.Fatalf("not crossed: state = %s", got.State)
	}
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "BHP", Price: 44.98, Size: 10, Bid: 44.97, Ask: 45.02, Seq: 2})
	got := e.mustOrder(user, o.ID)
	if got.State != portfolio.Filled || got.Fill == nil {
		t.Fatalf("crossed: state = %s", got.State)
	}
	assertDec(t, "fill price", got.Fill.Price, "45")
	assertDec(t, "brokerage", got.Fill.Brokerage, "19.95")
	acct := e.mustAccountNow(user, a.ID)
	assertDec(t, "cash", acct.Cash, "95480.05")
	v, err := e.svc.Value(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Holdings) != 1 || !v.Holdings[0].Quantity.Equal(decimal.NewFromInt(100)) {
		t.Fatalf("holdings = %+v", v.Holdings)
	}
	assertDec(t, "cost base", v.Holdings[0].CostBase, "4519.95")
	assertDec(t, "average cost", v.Holdings[0].AvgCost, "45.1995")
	e.mustBalanced()
}

func TestStopOrderTriggersThenFills(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "CBA", "10", 150, "2026-11-24")
	e.at(tradingHours)
	o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "CBA", Side: "sell", Type: "stop", Quantity: "10", StopPrice: "145.00"})
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "CBA", Price: 146, Size: 5, Bid: 145.99, Ask: 146.01, Seq: 10})
	if got := e.mustOrder(user, o.ID); got.State != portfolio.Open {
		t.Fatalf("above the stop: state = %s", got.State)
	}
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "CBA", Price: 144.90, Size: 5, Bid: 144.85, Ask: 144.95, Seq: 11})
	got := e.mustOrder(user, o.ID)
	if got.State != portfolio.Filled {
		t.Fatalf("through the stop: state = %s", got.State)
	}
	assertDec(t, "fill price (the bid)", got.Fill.Price, "144.85")
	hist, err := e.svc.OrderHistory(context.Background(), user, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var path []portfolio.State
	for _, h := range hist {
		path = append(path, h.To)
	}
	want := []portfolio.State{portfolio.New, portfolio.Open, portfolio.Triggered, portfolio.Filled}
	if len(path) != len(want) {
		t.Fatalf("history %v, want %v", path, want)
	}
	for i := range want {
		if path[i] != want[i] {
			t.Fatalf("history %v, want %v", path, want)
		}
	}
	e.mustBalanced()
}

func TestPreOpenOrderFillsAtTheOpen(t *testing.T) {
	e := newEnv(t, "2026-11-24 08:30")
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.quotes.set("BHP", 45, 0, 0)
	o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Quantity: "100"})
	if o.State != portfolio.Queued {
		t.Fatalf("pre-open: state = %s, want queued", o.State)
	}
	// Pre-open quotes do not fill it.
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "BHP", Price: 45, Bid: 44.9, Ask: 45.1, Seq: 1, Kind: market.QuoteOnly})
	if err := e.matcher.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.mustOrder(user, o.ID); got.State != portfolio.Queued {
		t.Fatalf("still pre-open: state = %s", got.State)
	}
	// BHP's group opens at 10:00 with the opening auction print.
	e.at("2026-11-24 10:00")
	e.mustProcess(market.Tick{Time: e.clock.Now(), Code: "BHP", Price: 45.20, Size: 50000, Seq: 2, Kind: market.Auction})
	got := e.mustOrder(user, o.ID)
	if got.State != portfolio.Filled {
		t.Fatalf("at the open: state = %s (%s)", got.State, got.Reason)
	}
	assertDec(t, "auction price", got.Fill.Price, "45.2")

	// The timer fills a queued order once trading is on, at a fresh quote.
	{
		e.at("2026-11-25 09:00")
		e.quotes.set("CBA", 150, 0, 0)
		o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "CBA", Side: "buy", Quantity: "5"})
		e.at("2026-11-25 10:30")
		e.matcher.ProcessTicks(context.Background(), []market.Tick{{Time: e.clock.Now(), Code: "CBA", Bid: 150, Ask: 150.05, Seq: 3, Kind: market.QuoteOnly}})
		if err := e.matcher.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := e.mustOrder(user, o.ID)
		if got.State != portfolio.Filled {
			t.Fatalf("state = %s", got.State)
		}
		assertDec(t, "price (the ask)", got.Fill.Price, "150.05")
	}
	// Day orders lapse at the close; GTC orders stay.
	{
		e.at("2026-11-25 11:00")
		o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "1", LimitPrice: "1.00"})
		g := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "1", LimitPrice: "1.00", TIF: "gtc"})
		e.at("2026-11-25 16:30")
		if err := e.matcher.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := e.mustOrder(user, o.ID); got.State != portfolio.Expired {
			t.Errorf("day order after the close: %s", got.State)
		}
		if got := e.mustOrder(user, g.ID); got.State != portfolio.Open {
			t.Errorf("GTC order after the close: %s", got.State)
		}
	}
	e.mustBalanced()
}

func TestIllegalTransitionRefusedByTheDatabase(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	o := e.mustTrade(user, a, "buy", "BHP", "1", 45, "2026-11-24")
	_, err := e.pool.Exec(context.Background(), `UPDATE paper_orders SET state = 'open' WHERE id = $1`, o.ID)
	if err == nil {
		t.Fatal("filled → open was allowed")
	}
	if _, err := e.svc.CancelOrder(context.Background(), user, o.ID); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("cancel a filled order: %v, want conflict", err)
	}
}

func TestIdempotentPlacement(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.quotes.set("BHP", 45, 44.99, 45.01)
	in := portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "10", LimitPrice: "40.00"}
	first, replayed, err := e.svc.PlaceOrder(context.Background(), user, in, "key-1")
	if err != nil || replayed {
		t.Fatalf("first: %v replayed=%v", err, replayed)
	}
	// Cancelling changes the order; the replay still answers as first placed.
	if _, err := e.svc.CancelOrder(context.Background(), user, first.ID); err != nil {
		t.Fatal(err)
	}
	again, replayed, err := e.svc.PlaceOrder(context.Background(), user, in, "key-1")
	if err != nil || !replayed {
		t.Fatalf("replay: %v replayed=%v", err, replayed)
	}
	if again.ID != first.ID || again.State != first.State || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("replay = %+v, want %+v", again, first)
	}
	in.Quantity = "11"
	_, _, err = e.svc.PlaceOrder(context.Background(), user, in, "key-1")
	assertCode(t, err, apperr.Conflict, "")

	t.Run("a double click makes one order", func(t *testing.T) {
		in := portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "5", LimitPrice: "40.00"}
		var wg sync.WaitGroup
		ids := make([]int64, 10)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, _, err := e.svc.PlaceOrder(context.Background(), user, in, "double-click")
				if err != nil {
					t.Error(err)
				}
				ids[i] = o.ID
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("ids %v", ids)
			}
		}
		var n int
		_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM paper_orders WHERE quantity = 5`).Scan(&n)
		if n != 1 {
			t.Errorf("%d orders", n)
		}
	})
	t.Run("keys are per user", func(t *testing.T) {
		other := e.mustUser()
		o, replayed, err := e.svc.PlaceOrder(context.Background(), other, portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "1"}, "key-1")
		if err != nil || replayed || o.ID == first.ID {
			t.Errorf("other user's key-1: %v replayed=%v id=%d", err, replayed, o.ID)
		}
	})
}

// TestConcurrentBuys: 50 simultaneous buys against cash for 10 — exactly 10
// are accepted and fill, cash never goes negative and the ledger balances.
func TestConcurrentBuys(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "10000", "")
	e.quotes.set("BHP", 9.95, 9.95, 9.95) // 100 × $9.95 + $5 brokerage = $1,000
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, refused := 0, 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.svc.PlaceOrder(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Quantity: "100"}, "")
			mu.Lock()
			defer mu.Unlock()
			switch apperr.CodeOf(err) {
			case apperr.Unprocessable:
				refused++
			default:
				if err != nil {
					t.Error(err)
					return
				}
				accepted++
			}
		}()
	}
	wg.Wait()
	if accepted != 10 || refused != 40 {
		t.Fatalf("accepted %d, refused %d; want 10 and 40", accepted, refused)
	}
	e.mustProcess(e.tick("BHP", 9.95, market.Trade))
	var filled int
	_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM paper_fills`).Scan(&filled)
	if filled != 10 {
		t.Errorf("%d fills, want 10", filled)
	}
	assertDec(t, "cash", e.mustAccountNow(user, a.ID).Cash, "0")
	e.mustBalanced()
}

// TestConcurrentFills: 50 working orders filled at once at a price the cash
// pays for only 10 times — the account lock and CHECK (cash >= 0) let exactly
// 10 through; the rest are rejected.
func TestConcurrentFills(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "10000", "")
	e.quotes.set("BHP", 9.95, 9.95, 9.95)
	ids := make([]int64, 50)
	for i := range ids {
		// Limit $1: each holds back only $105.
		ids[i] = e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy", Type: "limit", Quantity: "100", LimitPrice: "1.00"}).ID
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := portfolio.Execute(e.svc, context.Background(), id, decimal.RequireFromString("9.95"), e.clock.Now(), false)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n != 10 {
		t.Errorf("%d filled, want 10", n)
	}
	var rejected int
	_ = e.pool.QueryRow(context.Background(), `SELECT count(*) FROM paper_orders WHERE state = 'rejected'`).Scan(&rejected)
	if rejected != 40 {
		t.Errorf("%d rejected, want 40", rejected)
	}
	assertDec(t, "cash", e.mustAccountNow(user, a.ID).Cash, "0")
	e.mustBalanced()
}
