package portfolio_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/internal/market"
)

// TestDayChangeOfSharesBoughtToday: shares bought today change by their
// market value less their cost base, not by the move since yesterday's close
// (which happened before they were bought); older shares by the move since
// the previous close.
func TestDayChangeOfSharesBoughtToday(t *testing.T) {
	e := newEnv(t, "2025-07-01 11:00")
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "fifo")
	e.mustTrade(user, a, "buy", "BHP", "100", 40.00, "2025-07-01") // held since yesterday
	e.mustTrade(user, a, "buy", "BHP", "100", 42.00, "2025-07-02") // bought today

	e.quotes.mu.Lock()
	e.quotes.m["BHP"] = market.Quote{Code: "BHP", Last: 43.00, Bid: 42.99, Ask: 43.00, PrevClose: 41.00}
	e.quotes.mu.Unlock()
	v, err := e.svc.Value(t.Context(), e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Holdings) != 1 {
		t.Fatalf("holdings = %+v", v.Holdings)
	}
	// Old parcel: 100 × (43 − 41) = 200. Today's parcel: 100 × 43 − (4,200 + $19.95 CommSec brokerage) = 80.05.
	assertDec(t, "day change", v.Holdings[0].DayChange, "280.05")
	assertDec(t, "account day change", v.DayChange, "280.05")
}
