package backtest_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

var nan = math.NaN()

func day(i int) time.Time { return time.Date(2024, time.July, 1+i, 0, 0, 0, 0, time.UTC) }

// mustData builds Data over len(closes[0]) days; opens equal closes unless
// given.
func mustData(t *testing.T, codes []string, closes [][]float64, scores [][]float64, bench []float64) *backtest.Data {
	t.Helper()
	n := len(closes[0])
	dates := make([]time.Time, n)
	for i := range dates {
		dates[i] = day(i)
	}
	d := backtest.NewData(dates, codes)
	for c := range codes {
		copy(d.Close[c], closes[c])
		copy(d.Open[c], closes[c])
	}
	for i := range scores {
		copy(d.Scores[i], scores[i])
	}
	if bench != nil {
		copy(d.Bench, bench)
	}
	d.BenchCode = "XJO"
	return d
}

func mustRun(t *testing.T, d *backtest.Data, p backtest.Params) *backtest.Result {
	t.Helper()
	res, err := backtest.Run(context.Background(), d, p, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func assertDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// qlibCosts are Qlib's benchmark costs: 0.05 % to buy, 0.15 % to sell, $5
// minimum.
func qlibCosts(p backtest.Params) backtest.Params {
	p.Brokerage = backtest.BrokerageQlibCosts
	p.OpenCost, p.CloseCost, p.MinCost = dec("0.0005"), dec("0.0015"), dec("5")
	return p
}
