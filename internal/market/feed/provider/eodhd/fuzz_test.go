package eodhd

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// FuzzParseQuotes checks what a real-time response turns into, over two
// polls as Poll makes them: every tick has a positive finite price, a
// whole non-negative size and the kind it implies, never goes back in time
// for its code, and the quote hub can publish the poll's ticks.
func FuzzParseQuotes(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"code":"BHP.AU","timestamp":"1780294200","close":"Inf","volume":"1e300"}`,
		`[{"code":"bhp.au","timestamp":1e300,"close":45,"volume":-5},{"code":"CBA.AU","timestamp":-1,"close":"NaN","volume":null}]`,
		`[{"code":"WTC.AU","timestamp":1780294200,"close":80.12,"volume":9.3e18}]`,
		`[]`, `{}`, `null`, ` [ `,
	} {
		f.Add([]byte(s))
	}
	batch := []string{"BHP", "CBA", "WTC"}
	polled := time.Date(2026, 6, 2, 1, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		seen := map[string]last{}
		for poll := range 2 {
			qs, err := parseQuotes(body)
			if err != nil {
				return
			}
			var ticks []market.Tick
			for _, q := range qs {
				code := asxCode(q.Code)
				if !slices.Contains(batch, code) {
					continue
				}
				prev, had := seen[code]
				tk, cur, ok := change(q, prev, had, polled.Add(time.Duration(poll)*time.Minute))
				seen[code] = cur
				if !ok {
					continue
				}
				switch {
				case tk.Code != code:
					t.Fatalf("tick for %q from %q", tk.Code, q.Code)
				case !(tk.Price > 0) || math.IsInf(tk.Price, 0):
					t.Fatalf("tick price %v", tk.Price)
				case tk.Size < 0 || (tk.Size == 0) != (tk.Kind == market.QuoteOnly):
					t.Fatalf("tick size %d, kind %v", tk.Size, tk.Kind)
				case had && tk.Time.Before(prev.at):
					t.Fatalf("tick at %v after one at %v", tk.Time, prev.at)
				}
				tk.Seq = int64(len(ticks) + 1)
				ticks = append(ticks, tk)
			}
			if _, err := hub.EncodeBatch(hub.Source{Deployment: "fuzz", Epoch: 1}, ticks); err != nil {
				t.Fatalf("poll %d: the hub cannot publish the ticks: %v", poll, err)
			}
		}
	})
}
