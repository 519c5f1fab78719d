package expr

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSortedGroupMatchesAlone checks that sorted-window operators sharing
// one pass (same input, same window) give the bits each gives compiled
// alone, NaN slots included.
func TestSortedGroupMatchesAlone(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := randomSeries("price", 1500, r)
	for i := range x {
		if r.IntN(10) == 0 {
			x[i] = math.NaN()
		}
	}
	s := Series{Len: len(x), Fields: map[string][]float64{"x": x}}
	srcs := []string{
		"Quantile($x, 20, 0.8)", "Quantile($x, 20, 0.2)", "Med($x, 20)", "Rank($x, 60)",
		"Quantile($x, 60, 0.8)", "Med($x, 60)", "Rank($x, 20)", "Quantile($x/2, 20, 0.8)",
	}
	nodes := make([]Node, len(srcs))
	for i, src := range srcs {
		nodes[i] = mustParse(t, src)
	}
	p, err := Compile(nodes...)
	if err != nil {
		t.Fatal(err)
	}
	if p.shared != 4 {
		t.Errorf("%d shared outputs, want 4: Q0.2 and Med beside Q0.8 at window 20, Q0.8 and Med beside Rank at 60", p.shared)
	}
	got, err := p.Eval(s)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range nodes {
		want, err := Eval(n, s)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Float64bits(got[k][i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[k][i]) && math.IsNaN(want[i])) {
				t.Fatalf("%s row %d = %v together, %v alone", srcs[k], i, got[k][i], want[i])
			}
		}
	}
}
