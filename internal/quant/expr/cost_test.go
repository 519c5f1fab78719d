package expr

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func mustProgram(tb testing.TB, src string) *Program {
	tb.Helper()
	n, err := Parse(src)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := Compile(n)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestCost(t *testing.T) {
	tests := []struct {
		src  string
		rows int
		want int64
	}{
		{"$close", 100, 0},
		{"$close/$open", 100, 10 * 100},
		{"Mean($close, 20)", 100, 25 * 100},
		{"Mean($close, 1000000)", 100, 25 * 100}, // running sums: the window does not matter
		// The window fills over the first rows: 1+2+3+4 then 5 for 6 rows.
		{"Rank($close, 5)", 10, 100*10 + (1+2+3+4+5*6)/2},
		// A window longer than the series holds the series.
		{"Rank($close, 1000000)", 3000, 100*3000 + 3000*3001/2/2},
		{"Rank($close, 5)+Rank($close, 5)", 10, 1020 + 10*10}, // shared: evaluated once
		{"Mad($close, 3) + WMA($close, 3)", 4, 2*(10*4+(1+2+3+3)/2*8) + 10*4},
		{"Rank($close, 5)", 0, 0},
	}
	for _, tt := range tests {
		if got := mustProgram(t, tt.src).Cost(tt.rows); got != tt.want {
			t.Errorf("Cost(%s, %d rows) = %d, want %d", tt.src, tt.rows, got, tt.want)
		}
	}
	if got := windowSteps(math.MaxInt32, math.MaxInt32-1); got <= 0 {
		t.Errorf("windowSteps overflowed: %d", got)
	}
	if n, longest := mustProgram(t, "Rank($close, 5) + Mean($close, 900) + WMA($close, 60)").Windows(); n != 2 || longest != 60 {
		t.Errorf("Windows = %d, %d; want 2, 60", n, longest)
	}
}

func TestEvalContextStopsWhenCancelled(t *testing.T) {
	p := mustProgram(t, "Rank($close, 50) + Mean($close, 5)")
	s := closeSeries(500)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.EvalContext(ctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("EvalContext after cancel = %v, want context.Canceled", err)
	}
	// The program is still good for the next series.
	out, err := p.EvalContext(context.Background(), s)
	if err != nil || len(out[0]) != 500 {
		t.Fatalf("EvalContext = %d rows, %v", len(out[0]), err)
	}
}

func closeSeries(n int) Series {
	r := rand.New(rand.NewPCG(1, 2))
	c := make([]float64, n)
	for i := range c {
		c[i] = 50 + r.NormFloat64()
	}
	return Series{Len: n, Fields: map[string][]float64{"close": c}}
}

// BenchmarkWindowKernels reports the time per unit of Cost for rolling
// operators over a series as long as the factor lab loads for a long window
// (about 2,900 rows): Cost's weights are set so that it stays near 1 ns, which
// relates FACTOR_LAB_BUDGET to CPU time (docs/benchmarks.md).
func BenchmarkWindowKernels(b *testing.B) {
	s := closeSeries(2900)
	for _, op := range []string{"Rank", "Med", "Quantile", "Mad", "WMA", "Mean", "Corr"} {
		for _, w := range []int{20, 2000} {
			src := op + "($close, " + strconv.Itoa(w) + ")"
			switch op {
			case "Quantile":
				src = "Quantile($close, " + strconv.Itoa(w) + ", 0.8)"
			case "Corr":
				src = "Corr($close, Log($close), " + strconv.Itoa(w) + ")"
			}
			p := mustProgram(b, src)
			b.Run(op+"/"+strconv.Itoa(w), func(b *testing.B) {
				for b.Loop() {
					if _, err := p.Eval(s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(p.Cost(s.Len)), "ns/unit")
			})
		}
	}
}
