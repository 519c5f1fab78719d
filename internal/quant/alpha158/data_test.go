package alpha158

import (
	"compress/gzip"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

// equitiesDir holds the real ASX daily bars (see data/asx/README.md).
var equitiesDir = filepath.Join("..", "..", "..", "data", "asx", "equities")

// bars is one instrument's daily OHLCV history, oldest first.
type bars struct {
	dates                          []string
	open, high, low, close, volume []float64
}

// mustLoadBars reads CODE.AX.csv.gz with columns Date,Open,High,Low,Close,Volume.
func mustLoadBars(tb testing.TB, path string) bars {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("gzip %s: %v", path, err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		tb.Fatalf("csv %s: %v", path, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"Date", "Open", "High", "Low", "Close", "Volume"}) {
		tb.Fatalf("%s: unexpected header %v", path, rows[:min(1, len(rows))])
	}
	var b bars
	for _, r := range rows[1:] {
		b.dates = append(b.dates, r[0])
		for i, dst := range []*[]float64{&b.open, &b.high, &b.low, &b.close, &b.volume} {
			v, err := strconv.ParseFloat(r[i+1], 64)
			if err != nil {
				tb.Fatalf("%s %s: column %d: %v", path, r[0], i+1, err)
			}
			*dst = append(*dst, v)
		}
	}
	return b
}

// between keeps the rows dated from..to inclusive (ISO dates compare as text).
func (b bars) between(from, to string) bars {
	lo, _ := slices.BinarySearch(b.dates, from)
	hi, found := slices.BinarySearch(b.dates, to)
	if found {
		hi++
	}
	return bars{
		dates: b.dates[lo:hi], open: b.open[lo:hi], high: b.high[lo:hi],
		low: b.low[lo:hi], close: b.close[lo:hi], volume: b.volume[lo:hi],
	}
}

func (b bars) series() expr.Series {
	return expr.Series{Len: len(b.dates), Fields: map[string][]float64{
		"open": b.open, "high": b.high, "low": b.low, "close": b.close, "volume": b.volume,
	}}
}

// mustLoadUniverse reads every instrument in equitiesDir.
func mustLoadUniverse(tb testing.TB) []bars {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(equitiesDir, "*.AX.csv.gz"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no data in %s: %v", equitiesDir, err)
	}
	out := make([]bars, len(paths))
	for i, p := range paths {
		out[i] = mustLoadBars(tb, p)
	}
	return out
}
