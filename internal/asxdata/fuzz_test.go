package asxdata

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzReadBars checks the daily-bar CSV reader in every format: a refused
// file is a header problem on line 1; every bar read has positive finite
// prices, high at least low, a whole non-negative volume and a date of its
// own; bad rows are reported in order; and the bars written out in the
// shipped format read back the same.
func FuzzReadBars(f *testing.F) {
	for _, s := range []struct {
		format Format
		data   string
	}{
		{FormatShipped, "Date,Open,High,Low,Close,Volume\n2019-05-10,5.31,5.55,5.25,5.31,2026125\n2019-05-13,5.35,5.35,4.98,5.1,560847\n"},
		{FormatShipped, "Date,Open,High,Low,Close\n2024-01-02,7021.5,7054.1,6998,7040.2\n"},
		{FormatYahoo, "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,100\n2024-01-03,null,null,null,null,null,null\n"},
		{FormatASX, "\ufeffDate,Open,High,Low,Last,Volume\n02/01/2024,1,2,0.5,1.5,100\n3/1/2024,1,2,0.5,1.5,1e3\n20240104,1,2,0.5,1.5,\n"},
		{FormatShipped, "Date,Open,High,Low,Close,Volume\n2024-13-02,1,2,0.5,1.5,1\n2024-01-03,x,2,0.5,1.5,1\n2024-01-04,1,0.4,0.5,1.5,1\n2024-01-05,1,2,0.5,1.5,-3\n2024-01-08,1,2,0.5,1.5,1\n2024-01-08,1,2,0.5,1.5,1\n"},
		{FormatShipped, "Date,Open,High,Low,Close,Volume\n2024-01-02,NaN,Inf,1e400,1,1.5\n\"2024-01-03\n"},
		{FormatShipped, "When,Open,High,Low,Close\n"},
	} {
		f.Add(byte(strings.Index("sya", string(s.format[0]))), s.data)
	}
	formats := []Format{FormatShipped, FormatYahoo, FormatASX}
	f.Fuzz(func(t *testing.T, which byte, data string) {
		format := formats[int(which)%len(formats)]
		bars, bad, err := ReadBars(strings.NewReader(data), "TST", format)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line 1: ") {
				t.Fatalf("file error %v is not about the header", err)
			}
			return
		}
		checkBars(t, bars)
		last := 1
		for _, b := range bad {
			if b.Line <= last || b.Msg == "" {
				t.Fatalf("bad row %+v after line %d", b, last)
			}
			last = b.Line
		}
		var out strings.Builder
		out.WriteString("Date,Open,High,Low,Close,Volume\n")
		for _, b := range bars {
			vol := ""
			if b.Volume != nil {
				vol = strconv.FormatInt(*b.Volume, 10)
			}
			fmt.Fprintf(&out, "%s,%s,%s,%s,%s,%s\n", b.Date.Format(time.DateOnly), num(b.Open), num(b.High), num(b.Low), num(b.Close), vol)
		}
		again, bad, err := ReadBars(strings.NewReader(out.String()), "TST", FormatShipped)
		if err != nil || len(bad) > 0 || len(again) != len(bars) {
			t.Fatalf("written back: %d bars of %d, bad %v, %v", len(again), len(bars), bad, err)
		}
		for i := range bars {
			a, b := again[i], bars[i]
			if !a.Date.Equal(b.Date) || a.Open != b.Open || a.High != b.High || a.Low != b.Low || a.Close != b.Close ||
				(a.Volume == nil) != (b.Volume == nil) || (a.Volume != nil && *a.Volume != *b.Volume) {
				t.Fatalf("bar %d written back reads as %+v, was %+v", i, a, b)
			}
		}
	})
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func checkBars(t *testing.T, bars []Bar) {
	t.Helper()
	seen := map[time.Time]bool{}
	for _, b := range bars {
		for _, p := range []float64{b.Open, b.High, b.Low, b.Close} {
			if !(p > 0) || math.IsInf(p, 0) {
				t.Fatalf("bar %+v has price %v", b, p)
			}
		}
		if b.High < b.Low || b.Code != "TST" || seen[b.Date] || (b.Volume != nil && *b.Volume < 0) {
			t.Fatalf("bar %+v", b)
		}
		seen[b.Date] = true
	}
}
