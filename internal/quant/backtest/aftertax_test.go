package backtest_test

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestAfterTax works a result through an individual's and an SMSF's tax by
// hand.
//
// FY2024: buy A 100 × $10 (+$10 brokerage, cost base $1,010) on 3 Jul 2023;
// buy B 100 × $20 (+$10, $2,010) on 1 Aug 2023; sell B 100 × $15 = $1,500
// less $10 on 1 Feb 2024: a loss of 2,010 − 1,490 = $520, carried forward. A
// pays $0.50 × 100 = $50 on 15 Mar 2024, fully franked: credit 50 × 0.3 /
// 0.7 = $21.43. Individual (39 %): (50 + 21.43) × 0.39 = 27.8577 → $27.86,
// less the credit: $6.43. SMSF (15 %): 71.43 × 0.15 = 10.7145 → $10.71,
// less 21.43: −$10.72 (refunded).
//
// FY2025: sell A 100 × $20 = $2,000 less $10 on 10 Jul 2024, held past 4 Jul
// 2024, so discountable: gain 1,990 − 1,010 = $980; the $520 loss brought
// forward leaves $460. Individual: discount 1/2 → $230 net, tax 230 × 0.39 =
// $89.70. SMSF: discount 1/3 of 460 = $153.33 → $306.67 net, tax × 0.15 =
// 46.0005 → $46.00. Totals: individual $96.13, SMSF $35.28.
func TestAfterTax(t *testing.T) {
	res := &backtest.Result{
		Days: []backtest.Day{{Date: date("2023-06-30"), Value: dec("10000")}, {Date: date("2024-07-10"), Value: dec("10500")}},
		Trades: []backtest.Trade{
			{Date: date("2023-07-03"), Code: "A", Side: backtest.Buy, Shares: 100, Price: dec("10"), Value: dec("1000"), Cost: dec("10")},
			{Date: date("2023-08-01"), Code: "B", Side: backtest.Buy, Shares: 100, Price: dec("20"), Value: dec("2000"), Cost: dec("10")},
			{Date: date("2024-02-01"), Code: "B", Side: backtest.Sell, Shares: 100, Price: dec("15"), Value: dec("1500"), Cost: dec("10")},
			{Date: date("2024-07-10"), Code: "A", Side: backtest.Sell, Shares: 100, Price: dec("20"), Value: dec("2000"), Cost: dec("10")},
		},
		Dividends: []backtest.DividendPaid{{Dividend: backtest.Dividend{Code: "A", ExDate: date("2024-03-01"),
			PayDate: date("2024-03-15"), Amount: dec("0.5"), FrankingPct: dec("100")}, Shares: 100, Cash: dec("50")}},
	}
	schedule, _ := fees.Named(fees.CommSec)
	cases := []struct {
		profile               backtest.TaxProfile
		fy24, fy25, total     string
		net25, carried24, fin string
	}{
		{backtest.Individual(dec("0.39")), "6.43", "89.70", "96.13", "230", "520", "10403.87"},
		{backtest.SMSF(), "-10.72", "46.00", "35.28", "306.67", "520", "10464.72"},
	}
	for _, c := range cases {
		t.Run(c.profile.Name, func(t *testing.T) {
			a, err := backtest.AfterTaxOf(res, schedule, c.profile, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Years) != 3 || a.Years[1].FY != 2024 || a.Years[2].FY != 2025 {
				t.Fatalf("years %+v, want FY2023–2025", a.Years)
			}
			y24, y25 := a.Years[1], a.Years[2]
			assertDec(t, "FY2024 tax", y24.Tax, c.fy24)
			assertDec(t, "FY2024 franking", y24.FrankingCredits, "21.43")
			assertDec(t, "FY2024 loss carried", y24.LossCarriedForward, c.carried24)
			assertDec(t, "FY2025 discountable", y25.DiscountableGains, "980")
			assertDec(t, "FY2025 prior losses", y25.PriorLosses, "520")
			assertDec(t, "FY2025 net capital gain", y25.NetCapitalGain, c.net25)
			assertDec(t, "FY2025 tax", y25.Tax, c.fy25)
			assertDec(t, "total tax", a.TotalTax, c.total)
			assertDec(t, "value after tax", a.FinalValue, c.fin)
			assertDec(t, "liquidated (nothing held)", a.LiquidatedValue, c.fin)
		})
	}
	if _, err := backtest.AfterTaxOf(res, schedule, backtest.Individual(dec("1.2")), ""); err == nil {
		t.Error("a tax rate of 120 % was accepted")
	} else {
		assertField(t, err, "tax_rate")
	}
}

// TestCGTAwareDropout: A, bought 4 Jul 2023 and up 50 %, is dropped on
// 20 Jun 2024, 15 days before its shares reach the discount (5 Jul 2024).
// Plain TopK-Dropout sells it then; the CGT-aware run keeps it and sells it
// on 8 Jul 2024 (now discountable), and the individual's tax is lower.
func TestCGTAwareDropout(t *testing.T) {
	dates := []time.Time{date("2023-07-03"), date("2023-07-04"), date("2024-06-20"), date("2024-07-08"), date("2024-07-09")}
	d := backtest.NewData(dates, []string{"A", "B"})
	copy(d.Close[0], []float64{10, 10, 15, 15, 15})
	copy(d.Open[0], d.Close[0])
	copy(d.Close[1], []float64{10, 10, 10, 10, 10})
	copy(d.Open[1], d.Close[1])
	for i, s := range [][]float64{{2, 1}, {1, 2}, {1, 2}, {1, 2}, {1, 2}} {
		copy(d.Scores[i], s)
	}
	copy(d.Bench, []float64{1, 1, 1, 1, 1})
	p := backtest.DefaultParams()
	p.TopK, p.NDrop, p.InitialCash = 1, 1, dec("10000")
	rep, err := backtest.RunReport(t.Context(), d, p, []backtest.TaxProfile{backtest.Individual(dec("0.39"))}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	soldOn := func(trades []backtest.Trade) time.Time {
		for _, tr := range trades {
			if tr.Side == backtest.Sell && tr.Code == "A" {
				return tr.Date
			}
		}
		return time.Time{}
	}
	if got := soldOn(rep.Result.Trades); !got.Equal(dates[2]) {
		t.Errorf("plain run sold A on %s, want %s", got.Format(time.DateOnly), dates[2].Format(time.DateOnly))
	}
	v := rep.Counterpart
	if v == nil || !v.CGTAware || v.Deferred != 1 {
		t.Fatalf("counterpart %+v, want a CGT-aware run that deferred once", v)
	}
	plainTax, awareTax := rep.AfterTax[0].TotalTax, v.AfterTax[0].TotalTax
	if !awareTax.LessThan(plainTax) {
		t.Errorf("CGT-aware tax %s is not below the plain run's %s", awareTax, plainTax)
	}
	// Plain: 950 × 15 = 14,250 less CommSec's $29.95 (the $10,000–$25,000
	// tier) → proceeds 14,220.05, less the cost base 9,500 + 19.95 = 4,700.10
	// of other gain.
	if y := rep.AfterTax[0].Years; len(y) != 2 || !y[0].OtherGains.Equal(dec("4700.1")) {
		t.Errorf("plain run's years %+v, want FY2024 other gains 4700.1", y)
	}
	if y := v.AfterTax[0].Years; len(y) != 2 || !y[1].DiscountableGains.Equal(dec("4700.1")) {
		t.Errorf("CGT-aware run's years %+v, want FY2025 discountable gains 4700.1", y)
	}
}

// TestSaleBrokerageAboveValue: 3 shares at $0.95 sold with $5 brokerage
// leave no proceeds; the $2.15 shortfall adds to the loss: cost base 3 ×
// $1 + $5 = $8, proceeds 0, loss $8 + $2.15 = $10.15.
func TestSaleBrokerageAboveValue(t *testing.T) {
	res := &backtest.Result{
		Days: []backtest.Day{{Date: date("2024-07-01"), Value: dec("100")}, {Date: date("2024-08-01"), Value: dec("90")}},
		Trades: []backtest.Trade{
			{Date: date("2024-07-02"), Code: "A", Side: backtest.Buy, Shares: 3, Price: dec("1"), Value: dec("3"), Cost: dec("5")},
			{Date: date("2024-08-01"), Code: "A", Side: backtest.Sell, Shares: 3, Price: dec("0.95"), Value: dec("2.85"), Cost: dec("5")},
		},
	}
	schedule, _ := fees.Named(fees.SelfWealth)
	a, err := backtest.AfterTaxOf(res, schedule, backtest.SMSF(), "")
	if err != nil {
		t.Fatal(err)
	}
	y := a.Years[len(a.Years)-1]
	assertDec(t, "losses", y.CurrentLosses, "10.15")
	assertDec(t, "carried forward", y.LossCarriedForward, "10.15")
	assertDec(t, "tax", y.Tax, "0")
}
