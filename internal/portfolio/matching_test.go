package portfolio_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/portfolio"
)

func TestDecide(t *testing.T) {
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }
	order := func(side, typ string, limit, stop string, st portfolio.State) portfolio.Order {
		o := portfolio.Order{Side: side, Type: typ, State: st}
		if limit != "" {
			o.LimitPrice = nd(limit)
		}
		if stop != "" {
			o.StopPrice = nd(stop)
		}
		return o
	}
	trade := func(last, bid, ask string) portfolio.View {
		return portfolio.View{Last: d(last), Bid: d(bid), Ask: d(ask), Trade: true}
	}
	quote := func(last, bid, ask string) portfolio.View {
		return portfolio.View{Last: d(last), Bid: d(bid), Ask: d(ask)}
	}
	auction := func(px string) portfolio.View { return portfolio.View{Last: d(px), Auction: true} }
	open := portfolio.Open
	tests := []struct {
		name          string
		o             portfolio.Order
		v             portfolio.View
		trigger, fill bool
		price         string
	}{
		{"market buy at the ask", order("buy", "market", "", "", open), quote("45.00", "44.99", "45.01"), false, true, "45.01"},
		{"market sell at the bid", order("sell", "market", "", "", open), quote("45.00", "44.99", "45.01"), false, true, "44.99"},
		{"market buy without an ask takes the trade", order("buy", "market", "", "", open), trade("45.00", "0", "0"), false, true, "45.00"},
		{"market buy without a quote waits", order("buy", "market", "", "", open), quote("45.00", "0", "0"), false, false, ""},
		{"limit buy: ask at the limit", order("buy", "limit", "45.01", "", open), quote("45.00", "44.99", "45.01"), false, true, "45.01"},
		{"limit buy: ask below the limit fills at the ask", order("buy", "limit", "46.00", "", open), quote("45.00", "44.99", "45.01"), false, true, "45.01"},
		{"limit buy: not crossed", order("buy", "limit", "44.50", "", open), trade("45.00", "44.99", "45.01"), false, false, ""},
		{"limit buy: trade through the limit fills at the limit", order("buy", "limit", "44.50", "", open), trade("44.40", "44.39", "44.60"), false, true, "44.50"},
		{"limit sell: bid at the limit", order("sell", "limit", "44.99", "", open), quote("45.00", "44.99", "45.01"), false, true, "44.99"},
		{"limit sell: not crossed", order("sell", "limit", "45.50", "", open), trade("45.00", "44.99", "45.01"), false, false, ""},
		{"limit sell: trade at the limit", order("sell", "limit", "45.50", "", open), trade("45.50", "45.40", "45.60"), false, true, "45.50"},
		{"buy stop below the stop: waits", order("buy", "stop", "", "46.00", open), trade("45.99", "45.98", "46.00"), false, false, ""},
		{"buy stop triggers at the stop, fills at the ask", order("buy", "stop", "", "46.00", open), trade("46.00", "45.99", "46.01"), true, true, "46.01"},
		{"sell stop triggers through the stop", order("sell", "stop", "", "44.00", open), trade("43.90", "43.89", "43.95"), true, true, "43.89"},
		{"sell stop: a quote alone does not trigger", order("sell", "stop", "", "44.00", open), quote("43.90", "43.89", "43.95"), false, false, ""},
		{"stop-limit triggers but the limit is not reached", order("buy", "stop_limit", "46.00", "46.00", open), trade("46.05", "46.04", "46.06"), true, false, ""},
		{"triggered stop-limit fills when crossed", order("buy", "stop_limit", "46.00", "46.00", portfolio.Triggered), quote("45.99", "45.98", "46.00"), false, true, "46.00"},
		{"auction fills market at the auction price", order("buy", "market", "", "", open), auction("45.10"), false, true, "45.10"},
		{"auction fills a marketable limit at the auction price", order("sell", "limit", "45.00", "", open), auction("45.10"), false, true, "45.10"},
		{"auction passes a limit it goes through", order("buy", "limit", "45.00", "", open), auction("45.10"), false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := portfolio.Decide(tt.o, tt.v)
			if got.Trigger != tt.trigger || got.Fill != tt.fill {
				t.Fatalf("Decide = %+v, want trigger %v fill %v", got, tt.trigger, tt.fill)
			}
			if tt.fill && !got.Price.Equal(d(tt.price)) {
				t.Errorf("price = %s, want %s", got.Price, tt.price)
			}
		})
	}
}

func TestStateMachine(t *testing.T) {
	legal := map[[2]portfolio.State]bool{}
	for _, p := range [][2]portfolio.State{
		{portfolio.New, portfolio.Queued}, {portfolio.New, portfolio.Open}, {portfolio.New, portfolio.Rejected},
		{portfolio.Queued, portfolio.Open}, {portfolio.Queued, portfolio.Cancelled}, {portfolio.Queued, portfolio.Expired},
		{portfolio.Queued, portfolio.Rejected},
		{portfolio.Open, portfolio.Triggered}, {portfolio.Open, portfolio.Filled}, {portfolio.Open, portfolio.Cancelled},
		{portfolio.Open, portfolio.Expired}, {portfolio.Open, portfolio.Rejected},
		{portfolio.Triggered, portfolio.Filled}, {portfolio.Triggered, portfolio.Cancelled},
		{portfolio.Triggered, portfolio.Expired}, {portfolio.Triggered, portfolio.Rejected},
	} {
		legal[p] = true
	}
	for _, from := range portfolio.States() {
		for _, to := range portfolio.States() {
			if got, want := portfolio.CanTransition(from, to), legal[[2]portfolio.State{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range []portfolio.State{portfolio.Filled, portfolio.Cancelled, portfolio.Expired, portfolio.Rejected} {
		if !s.Final() || s.Active() {
			t.Errorf("%s: final %v active %v", s, s.Final(), s.Active())
		}
	}
}

func TestTimeWeightedReturn(t *testing.T) {
	d := decimal.RequireFromString
	pts := []portfolio.Point{
		{Value: d("100000"), Flow: d("100000")},
		{Value: d("110000")},                    // +10 %
		{Value: d("121000")},                    // +10 %
		{Value: d("221000"), Flow: d("100000")}, // a deposit is not performance
	}
	if got := portfolio.TimeWeightedReturn(pts); !got.Equal(d("0.21")) {
		t.Errorf("TWR = %s, want 0.21", got)
	}
	if got := portfolio.TimeWeightedReturn(pts[:1]); !got.IsZero() {
		t.Errorf("TWR of one point = %s", got)
	}
}
