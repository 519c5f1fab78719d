package backtest_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

// synthetic is ten years of 252 trading days for 200 instruments: random
// walks from $1 to $100, a few halted days, scores that carry a little of the
// next day's move, and a benchmark.
func synthetic(days, codes int) *backtest.Data {
	r := rand.New(rand.NewPCG(1, 2))
	dates := make([]time.Time, days)
	d0 := time.Date(2015, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := range dates {
		dates[i] = d0.AddDate(0, 0, i*7/5)
	}
	names := make([]string, codes)
	for c := range names {
		names[c] = "C" + strconv.Itoa(c)
	}
	d := backtest.NewData(dates, names)
	bench := 5000.0
	for t := range days {
		bench *= 1 + r.NormFloat64()*0.01
		d.Bench[t] = bench
	}
	for c := range codes {
		px := 1 + r.Float64()*99
		for t := range days {
			px *= 1 + r.NormFloat64()*0.02
			if r.IntN(200) == 0 {
				continue // halted
			}
			d.Close[c][t] = px
			d.Open[c][t] = px * (1 + r.NormFloat64()*0.005)
		}
	}
	for t := range days {
		for c := range codes {
			d.Scores[t][c] = r.NormFloat64()
		}
	}
	return d
}

// BenchmarkTopkDropout10y is the speed target: ten years of daily
// TopK-Dropout (topk 50, n_drop 5) over 200 instruments, CommSec
// brokerage, on one core (go test -cpu 1).
func BenchmarkTopkDropout10y(b *testing.B) {
	d := synthetic(2520, 200)
	p := backtest.DefaultParams()
	b.ReportAllocs()
	for b.Loop() {
		res, err := backtest.Run(b.Context(), d, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Trades) == 0 {
			b.Fatal("no trades")
		}
	}
}

// BenchmarkReport10y adds what a stored run computes besides: the after-tax
// views of two profiles and the CGT-aware counterpart run.
func BenchmarkReport10y(b *testing.B) {
	d := synthetic(2520, 200)
	p := backtest.DefaultParams()
	profiles := []backtest.TaxProfile{backtest.Individual(backtest.DefaultIndividualRate), backtest.SMSF()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backtest.RunReport(b.Context(), d, p, profiles, "", nil); err != nil {
			b.Fatal(err)
		}
	}
}
