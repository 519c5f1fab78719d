package portfolio_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/portfolio"
)

func (e *env) mustReport(a portfolio.Account, fy int) portfolio.CGTReport {
	e.t.Helper()
	r, err := e.svc.CGT(context.Background(), a, fy)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// TestCGTFIFOVersusMinimumGain sells 100 of 200 shares bought in two parcels:
// FIFO takes the cheap old parcel (a discounted gain), minimum gain the dear
// new one (a loss).
func TestCGTFIFOVersusMinimumGain(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	fifo := e.mustAccount(user, "100000", "fifo")
	minGain := e.mustAccount(user, "100000", "min_gain")
	for _, a := range []portfolio.Account{fifo, minGain} {
		e.mustTrade(user, a, "buy", "BHP", "100", 10, "2024-07-01")  // cost base 1,000 + 5
		e.mustTrade(user, a, "buy", "BHP", "100", 20, "2024-08-01")  // 2,000 + 10
		e.mustTrade(user, a, "sell", "BHP", "100", 15, "2025-09-01") // 1,500 − 10 = 1,490
	}
	r := e.mustReport(fifo, 2026)
	if len(r.Summary.Disposals) != 1 {
		t.Fatalf("FIFO disposals: %+v", r.Summary.Disposals)
	}
	assertDec(t, "FIFO gain", r.Summary.Disposals[0].Gain, "485")
	assertDec(t, "FIFO discountable", r.Summary.DiscountableGains, "485")
	assertDec(t, "FIFO net capital gain", r.Summary.NetCapitalGain, "242.5")

	r = e.mustReport(minGain, 2026)
	assertDec(t, "min-gain loss", r.Summary.CurrentLosses, "520")
	assertDec(t, "min-gain net capital gain", r.Summary.NetCapitalGain, "0")
	assertDec(t, "min-gain loss carried forward", r.Summary.LossCarriedForward, "520")

	// The parcel left behind is the other one.
	v, err := e.svc.Value(context.Background(), e.mustAccountNow(user, minGain.ID))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "min-gain remaining cost base", v.Holdings[0].CostBase, "1005")
	e.mustBalanced()
}

// TestCGTTwelveMonthBoundary: bought 1 July 2024, the first discountable sale
// is 2 July 2025 (the days of purchase and sale do not count).
func TestCGTTwelveMonthBoundary(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	short := e.mustAccount(user, "100000", "")
	enough := e.mustAccount(user, "100000", "")
	for _, a := range []portfolio.Account{short, enough} {
		e.mustTrade(user, a, "buy", "CBA", "10", 100, "2024-07-01")
	}
	e.mustTrade(user, short, "sell", "CBA", "10", 150, "2025-07-01")
	e.mustTrade(user, enough, "sell", "CBA", "10", 150, "2025-07-02")
	for _, c := range []struct {
		a            portfolio.Account
		discountable bool
		net          string
	}{{short, false, "485"}, {enough, true, "242.5"}} {
		r := e.mustReport(c.a, 2026)
		if d := r.Summary.Disposals[0]; d.Discountable != c.discountable {
			t.Errorf("sold %s: discountable = %v, want %v", d.Sold.Format(time.DateOnly), d.Discountable, c.discountable)
		}
		assertDec(t, "net capital gain", r.Summary.NetCapitalGain, c.net) // 1,500 − 10 − (1,000 + 5) = 485
	}
}

// TestCGTLossesOffsetBeforeTheDiscount: a $400 loss comes off a discountable
// gain before the 50 % discount is applied.
func TestCGTLossesOffsetBeforeTheDiscount(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "100", 20, "2024-07-01")     // 2,000 + 10 = 2,010
	e.mustTrade(user, a, "buy", "CBA", "10", 100, "2025-08-01")     // 1,000 + 5 = 1,005
	e.mustTrade(user, a, "sell", "BHP", "100", 30.20, "2025-08-04") // 3,020 − 19.95 = 3,000.05: gain 990.05
	e.mustTrade(user, a, "sell", "CBA", "10", 61.00, "2025-08-05")  // 610 − 5 = 605: loss 400
	s := e.mustReport(a, 2026).Summary
	assertDec(t, "discountable gains", s.DiscountableGains, "990.05")
	assertDec(t, "losses", s.CurrentLosses, "400")
	assertDec(t, "discount", s.Discount, "295.03") // (990.05 − 400) × 50 %, rounded
	assertDec(t, "net capital gain", s.NetCapitalGain, "295.02")
	var csv bytes.Buffer
	if err := e.mustReport(a, 2026).CSV(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), "Net capital gain,,,,,,295.02") {
		t.Errorf("CSV:\n%s", csv.String())
	}
}

// TestCGTFinancialYearEdge: a sale on 30 June falls in the year ending that
// day; one on 1 July in the next.
func TestCGTFinancialYearEdge(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "20", 40, "2025-06-02")
	e.mustTrade(user, a, "sell", "BHP", "10", 45, "2025-06-30")
	e.mustTrade(user, a, "sell", "BHP", "10", 46, "2025-07-01")
	r25, r26 := e.mustReport(a, 2025), e.mustReport(a, 2026)
	if len(r25.Summary.Disposals) != 1 || !r25.Summary.Disposals[0].Sold.Equal(time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("FY2025 disposals %+v", r25.Summary.Disposals)
	}
	if len(r26.Summary.Disposals) != 1 || !r26.Summary.Disposals[0].Sold.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("FY2026 disposals %+v", r26.Summary.Disposals)
	}
	if got := r26.Years; len(got) != 2 || got[0] != 2026 || got[1] != 2025 {
		t.Errorf("years = %v", got)
	}
}

func TestParseFY(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]int{"": 2027, "2025": 2025, "2024-25": 2025, "2024–25": 2025, "2024/2025": 2025} {
		if got, err := portfolio.ParseFY(in, today); err != nil || got != want {
			t.Errorf("ParseFY(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "2024-26", "1999", "2030", "20255"} {
		if _, err := portfolio.ParseFY(in, today); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ParseFY(%q): %v, want invalid", in, err)
		}
	}
}

func TestCGTPreviewInTheSellTicket(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "")
	e.mustTrade(user, a, "buy", "BHP", "100", 10, "2024-07-01")
	e.mustTrade(user, a, "buy", "BHP", "100", 20, "2025-08-01")
	e.at("2025-09-01 11:00")
	e.quotes.set("BHP", 15, 15, 15.01)
	est, err := e.svc.Preview(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "sell", Quantity: "150"})
	if err != nil {
		t.Fatal(err)
	}
	// FIFO: 100 from the 2024 parcel (discountable), 50 from the 2025 one.
	if len(est.Disposals) != 2 || !est.Disposals[0].Discountable || est.Disposals[1].Discountable {
		t.Fatalf("disposals %+v", est.Disposals)
	}
	assertDec(t, "brokerage", est.Brokerage, "10")
	assertDec(t, "proceeds", est.Total, "2240")
	assertDec(t, "discountable gain", est.Discountable, "488.33") // 1,493.33 − 1,005
	assertDec(t, "discount", est.Discount, "244.17")
	_, err = e.svc.Preview(context.Background(), user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "sell", Quantity: "100",
		Picks: []portfolio.PickInput{{ParcelID: 999999, Quantity: "100"}}})
	assertCode(t, err, apperr.Unprocessable, "picks")
}

// TestSpecificParcels: a sell that picks parcels draws on exactly those,
// whatever the account's method.
func TestSpecificParcels(t *testing.T) {
	e := newEnv(t, tradingHours)
	user := e.mustUser()
	a := e.mustAccount(user, "100000", "fifo")
	e.mustTrade(user, a, "buy", "BHP", "100", 10, "2024-07-01")
	e.mustTrade(user, a, "buy", "BHP", "100", 20, "2025-08-01")
	v, err := e.svc.Value(context.Background(), e.mustAccountNow(user, a.ID))
	if err != nil {
		t.Fatal(err)
	}
	newer := v.Holdings[0].Parcels[1]
	e.at("2025-09-01 11:00")
	e.quotes.set("BHP", 15, 15, 15)
	o := e.mustPlace(user, portfolio.OrderInput{AccountID: a.ID, Code: "BHP", Side: "sell", Quantity: "40",
		Picks: []portfolio.PickInput{{ParcelID: newer.ID, Quantity: "40"}}})
	e.mustProcess(e.tick("BHP", 15, market.Trade))
	if got := e.mustOrder(user, o.ID); got.State != portfolio.Filled {
		t.Fatalf("state %s (%s)", got.State, got.Reason)
	}
	ds := e.mustReport(e.mustAccountNow(user, a.ID), 2026).Summary.Disposals
	if len(ds) != 1 || ds[0].ParcelID != newer.ID || ds[0].Method != "specific" {
		t.Fatalf("disposals %+v", ds)
	}
	assertDec(t, "cost base of 40 from the 2,010 parcel", ds[0].CostBase, "804")
	e.mustBalanced()
}
