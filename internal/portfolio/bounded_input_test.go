package portfolio_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

// digits200k is the kind of value the audit sent: a 200,000-digit number
// that decimal parsing would spend a tenth of a second of CPU on.
var digits200k = "1" + strings.Repeat("0", 200_000)

// TestLongNumbersAreRefusedUnparsed: every decimal a user types is refused
// by its length, with a message that says so, before it is parsed.
func TestLongNumbersAreRefusedUnparsed(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "10000", "")
	e.quotes.set("BHP", 45, 44.99, 45.01)

	orders := []struct {
		name, field string
		in          portfolio.OrderInput
	}{
		{"quantity", "quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: digits200k}},
		{"quantity with separators", "quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "1," + digits200k}},
		{"limit price", "limit_price", portfolio.OrderInput{Code: "BHP", Side: "buy", Type: "limit", Quantity: "1", LimitPrice: "$" + digits200k}},
		{"stop price", "stop_price", portfolio.OrderInput{Code: "BHP", Side: "sell", Type: "stop", Quantity: "1", StopPrice: "0." + digits200k}},
		{"exponent", "quantity", portfolio.OrderInput{Code: "BHP", Side: "buy", Quantity: "1e9000"}},
	}
	for _, tt := range orders {
		t.Run("order "+tt.name, func(t *testing.T) {
			tt.in.AccountID = a.ID
			_, _, err := e.svc.PlaceOrder(context.Background(), user, tt.in, "")
			assertCode(t, err, apperr.Invalid, tt.field)
			if ae, _ := apperr.As(err); !strings.Contains(ae.Fields[tt.field], "too long") {
				t.Errorf("%s message = %q, want it to say the value is too long", tt.field, ae.Fields[tt.field])
			}
		})
	}
	t.Run("picked parcel quantity", func(t *testing.T) {
		_, _, err := e.svc.PlaceOrder(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "sell",
			Quantity: "1", Picks: []portfolio.PickInput{{ParcelID: 1, Quantity: digits200k}}}, "")
		assertCode(t, err, apperr.Invalid, "picks")
	})
	t.Run("starting balance", func(t *testing.T) {
		_, err := e.svc.CreateAccount(context.Background(), user, portfolio.NewAccount{Name: "long", StartingBalance: digits200k})
		assertCode(t, err, apperr.Invalid, "starting_balance")
		if ae, _ := apperr.As(err); !strings.Contains(ae.Fields["starting_balance"], "too long") {
			t.Errorf("message = %q", ae.Fields["starting_balance"])
		}
	})
	t.Run("dividend file", func(t *testing.T) {
		csv := portfolio.DividendCSVHeader + "\nBHP,2025-09-04,2025-09-25," + digits200k + ",50\nBHP,2025-10-04,2025-10-25,1," + digits200k + "\n"
		_, err := e.svc.ImportDividends(context.Background(), strings.NewReader(csv))
		assertCode(t, err, apperr.Invalid, "csv")
		msg := apperr.MessageOf(err)
		for _, want := range []string{"line 2: amount is longer than 32 characters", "line 3: franking_pct is longer than 32 characters"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %.300q lacks %q", msg, want)
			}
		}
		if len(msg) > 1000 {
			t.Errorf("message is %d bytes: it should not quote the value back", len(msg))
		}
	})
	t.Run("ordinary numbers still pass", func(t *testing.T) {
		if _, err := e.svc.Preview(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "buy",
			Type: "limit", Quantity: "1,000", LimitPrice: "$45.01"}); err != nil {
			t.Errorf("preview: %v", err)
		}
	})
}
