package expr

import (
	"math"
	"slices"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

func mustCompile(t *testing.T, srcs ...string) *Program {
	t.Helper()
	var nodes []Node
	for _, s := range srcs {
		nodes = append(nodes, mustParse(t, s))
	}
	p, err := Compile(nodes...)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

func TestProgramSharesSubexpressions(t *testing.T) {
	p := mustCompile(t,
		"Max($high, 5)/$close",
		"($close-Min($low, 5))/(Max($high, 5)-Min($low, 5)+1e-12)",
		"Max($high,5)/$close",
	)
	count := 0
	for _, in := range p.instrs {
		if in.op == opMax {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("Max($high, 5) compiled %d times, want once", count)
	}
	if got, want := p.Fields(), []string{"high", "close", "low"}; !slices.Equal(got, want) {
		t.Fatalf("Fields() = %v, want %v", got, want)
	}
}

func TestProgramOutputs(t *testing.T) {
	s := Series{Len: 4, Fields: map[string][]float64{
		"close": {1, 2, 3, 4},
		"open":  {1, 1, 1, 1},
	}}
	p := mustCompile(t,
		"$close",                // a bare field is copied out
		"Mean($close, 2)",       // written in place
		"Mean($close,2)",        // the same node again
		"$vwap/$close",          // missing field reads as NaN
		"$close-$open",          // plain arithmetic
		"Ref($close, 0)",        // identity
		"Mean($close, 2)*2 + 1", // reads an output that is also an input
	)
	got, err := p.Eval(s)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{1, 2, 3, 4},
		{1, 1.5, 2.5, 3.5},
		{1, 1.5, 2.5, 3.5},
		{nan, nan, nan, nan},
		{0, 1, 2, 3},
		{1, 2, 3, 4},
		{3, 4, 6, 8},
	}
	for k := range want {
		assertSeries(t, p.Exprs()[k], got[k], want[k])
	}
	// The input must not have been written to.
	if !slices.Equal(s.Fields["close"], []float64{1, 2, 3, 4}) {
		t.Fatalf("input close changed to %v", s.Fields["close"])
	}
}

func TestProgramEvalIntoReuse(t *testing.T) {
	p := mustCompile(t, "Std($x, 3)", "Rank($x, 3)", "Corr($x, Log($x+1), 3)")
	dst := [][]float64{make([]float64, 5), make([]float64, 5), make([]float64, 5)}
	first := Series{Len: 5, Fields: map[string][]float64{"x": {5, 4, 3, 2, 1}}}
	second := Series{Len: 5, Fields: map[string][]float64{"x": {1, 2, 3, 4, 5}}}
	if err := p.EvalInto(dst, first); err != nil {
		t.Fatal(err)
	}
	if err := p.EvalInto(dst, second); err != nil {
		t.Fatal(err)
	}
	fresh, err := p.Eval(second)
	if err != nil {
		t.Fatal(err)
	}
	for k := range dst {
		assertSeries(t, p.Exprs()[k], dst[k], fresh[k])
	}
}

func TestProgramEmptySeries(t *testing.T) {
	p := mustCompile(t, "EMA($close, 5)", "Corr($close, $open, 5)", "Ref($close, -2)")
	got, err := p.Eval(Series{Len: 0, Fields: map[string][]float64{}})
	if err != nil {
		t.Fatal(err)
	}
	for k, g := range got {
		if len(g) != 0 {
			t.Fatalf("output %d has %d rows, want 0", k, len(g))
		}
	}
}

func TestProgramErrors(t *testing.T) {
	p := mustCompile(t, "$close/$open")
	tests := []struct {
		name string
		run  func() error
	}{
		{"ErrFieldLength", func() error {
			_, err := p.Eval(Series{Len: 3, Fields: map[string][]float64{"close": {1, 2}}})
			return err
		}},
		{"ErrNegativeLength", func() error {
			_, err := p.Eval(Series{Len: -1})
			return err
		}},
		{"ErrOutputCount", func() error {
			return p.EvalInto(nil, Series{Len: 1, Fields: map[string][]float64{"close": {1}}})
		}},
		{"ErrOutputLength", func() error {
			return p.EvalInto([][]float64{make([]float64, 2)}, Series{Len: 1})
		}},
		{"ErrBadCall", func() error {
			_, err := Compile(&Call{Name: "Mean", Args: []Node{&Field{Name: "close"}}})
			return err
		}},
		{"ErrNilNode", func() error {
			_, err := Compile(nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("got nil error")
			}
			if code := apperr.CodeOf(err); code != apperr.Invalid {
				t.Fatalf("apperr.CodeOf(%v) = %q, want %q", err, code, apperr.Invalid)
			}
		})
	}
}

func TestConstantFolding(t *testing.T) {
	p := mustCompile(t, "$x * (2 + 3) - Log(1)")
	for _, in := range p.instrs {
		if in.op == opLog || (in.op == opAdd && len(in.args) == 2 && p.instrs[in.args[0]].op == opConst && p.instrs[in.args[1]].op == opConst) {
			t.Fatalf("constant subexpression %v was not folded", in.op)
		}
	}
	got, err := p.Eval(Series{Len: 2, Fields: map[string][]float64{"x": {1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	assertSeries(t, "folded", got[0], []float64{5, 10})
	if math.IsNaN(got[0][0]) {
		t.Fatal("folded constant is NaN")
	}
}
