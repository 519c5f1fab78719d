package replay

import (
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/hub"
)

// FuzzReadTicksCSV checks the tick file a replay plays: a refused file is an
// Invalid error; read ticks are in time order with positive finite prices,
// whole sizes, the kind their size implies, and are what the quote hub can
// publish (hub.EncodeBatch); written back out they read the same.
func FuzzReadTicksCSV(f *testing.F) {
	for _, s := range []string{
		ticksCSV,
		"2026-06-02T00:00:00Z,BHP,45.67,100,45.66,45.67\n2026-06-02T00:00:00Z,BHP,45.68,0,,\n",
		"time,code,price,size,bid,ask\n2026-06-02T00:00:00.123456789+10:00, cba ,1e2,1,0,1e-3\n",
		"2026-06-02T00:00:00Z,BHP,45.67,100,45.66,45.67\n2026-06-01T23:59:59Z,BHP,45.67,1,,\n",
		"0001-01-01T00:00:00Z,BHP,1,1,,\n",
		"2026-06-02T00:00:00Z,\"B,H\",Inf,1,,\n",
		"# only a comment\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		ticks, err := ReadTicksCSV(strings.NewReader(data))
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		if len(ticks) == 0 {
			t.Fatal("no ticks and no error")
		}
		for i, tk := range ticks {
			switch {
			case i > 0 && tk.Time.Before(ticks[i-1].Time):
				t.Fatalf("tick %d goes back in time", i)
			case tk.Time.Location() != time.UTC:
				t.Fatalf("tick %d time %v not in UTC", i, tk.Time)
			case !(tk.Price > 0) || math.IsInf(tk.Price, 0) || !(tk.Bid >= 0) || math.IsInf(tk.Bid, 0) || !(tk.Ask >= 0) || math.IsInf(tk.Ask, 0):
				t.Fatalf("tick %d prices %+v", i, tk)
			case tk.Size < 0 || (tk.Size == 0) != (tk.Kind == market.QuoteOnly):
				t.Fatalf("tick %d size %d kind %v", i, tk.Size, tk.Kind)
			}
		}
		if _, err := hub.EncodeBatch(hub.Source{Deployment: "fuzz", Epoch: 1}, ticks); err != nil {
			t.Fatalf("the hub cannot publish the ticks read: %v", err)
		}
		var out strings.Builder
		w := csv.NewWriter(&out)
		for _, tk := range ticks {
			_ = w.Write([]string{tk.Time.Format(time.RFC3339Nano), tk.Code, num(tk.Price), strconv.FormatInt(tk.Size, 10), optional(tk.Bid), optional(tk.Ask)})
		}
		w.Flush()
		again, err := ReadTicksCSV(strings.NewReader(out.String()))
		if err != nil || len(again) != len(ticks) {
			t.Fatalf("written back: %d ticks of %d, %v", len(again), len(ticks), err)
		}
		for i := range ticks {
			if again[i] != ticks[i] {
				t.Fatalf("tick %d written back reads as %+v, was %+v", i, again[i], ticks[i])
			}
		}
	})
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func optional(v float64) string {
	if v == 0 {
		return ""
	}
	return num(v)
}
