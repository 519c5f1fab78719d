package backtest_test

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asxdata"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// shippedASX200 is ten years (2015-06-01 to 2025-05-30) of the shipped real
// daily bars of every ASX 200 company in data/asx, the XJO, and a 20-day
// momentum score (close / close 20 days before − 1) as the signal.
func shippedASX200(tb testing.TB) *backtest.Data {
	tb.Helper()
	dir := testenv.DataDir(tb)
	files, err := filepath.Glob(filepath.Join(dir, "equities", "*.AX.csv.gz"))
	if err != nil || len(files) < 150 {
		tb.Fatalf("shipped equities: %d files, %v", len(files), err)
	}
	from, to := time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 30, 0, 0, 0, 0, time.UTC)
	xjo, _, err := asxdata.ReadFile(filepath.Join(dir, "indices", "XJO.csv.gz"), "XJO", asxdata.FormatShipped)
	if err != nil {
		tb.Fatal(err)
	}
	var dates []time.Time
	for _, b := range xjo {
		if !b.Date.Before(from) && !b.Date.After(to) {
			dates = append(dates, b.Date)
		}
	}
	at := make(map[time.Time]int, len(dates))
	for i, d := range dates {
		at[d] = i
	}
	codes := make([]string, len(files))
	for i, f := range files {
		codes[i] = strings.TrimSuffix(filepath.Base(f), ".AX.csv.gz")
	}
	d := backtest.NewData(dates, codes)
	d.BenchCode = "XJO"
	for _, b := range xjo {
		if t, ok := at[b.Date]; ok {
			d.Bench[t] = b.Close
		}
	}
	for c, f := range files {
		bars, _, err := asxdata.ReadFile(f, codes[c], asxdata.FormatShipped)
		if err != nil {
			tb.Fatal(err)
		}
		for k, b := range bars {
			t, ok := at[b.Date]
			if !ok {
				continue
			}
			d.Open[c][t], d.Close[c][t] = b.Open, b.Close
			if k >= 20 {
				d.Scores[t][c] = b.Close/bars[k-20].Close - 1
			}
		}
	}
	return d
}

// BenchmarkTopkDropoutASX200 is the target on real data: ten years
// of daily TopK-Dropout (topk 50, n_drop 5, CommSec brokerage) over the
// shipped ASX 200 bars. Run with -cpu 1.
func BenchmarkTopkDropoutASX200(b *testing.B) {
	d := shippedASX200(b)
	p := backtest.DefaultParams()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := backtest.Run(b.Context(), d, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Trades) < 1000 {
			b.Fatalf("%d trades", len(res.Trades))
		}
	}
	b.ReportMetric(float64(len(d.Dates)), "days")
	b.ReportMetric(float64(len(d.Codes)), "instruments")
}

// TestShippedASX200Momentum checks the real-data run behind the benchmark
// is sane: positions stay at topk once invested, cash never goes negative,
// and costs are charged on every trade.
func TestShippedASX200Momentum(t *testing.T) {
	if _, err := os.Stat(filepath.Join(testenv.DataDir(t), "indices", "XJO.csv.gz")); err != nil {
		t.Fatal(err)
	}
	d := shippedASX200(t)
	res := mustRun(t, d, backtest.DefaultParams())
	if len(d.Dates) < 2400 {
		t.Fatalf("%d days", len(d.Dates))
	}
	for _, day := range res.Days {
		if day.Cash.IsNegative() {
			t.Fatalf("cash %s on %s", day.Cash, day.Date)
		}
	}
	over := slices.IndexFunc(res.Days[5:], func(x backtest.Day) bool { return x.Positions < 45 })
	if over >= 0 {
		t.Errorf("only %d positions on %s", res.Days[5+over].Positions, res.Days[5+over].Date.Format(time.DateOnly))
	}
	for _, tr := range res.Trades {
		if !tr.Cost.IsPositive() {
			t.Fatalf("trade without brokerage: %+v", tr)
		}
	}
	if m := res.Metrics; math.IsNaN(float64(m.ExcessWithCost.InformationRatio)) || m.Days != len(d.Dates)-1 {
		t.Errorf("metrics %+v", m)
	}
}
