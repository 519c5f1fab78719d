package expr

import (
	"context"
	"math"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// Series is one instrument's daily data, oldest row first: Len rows and one
// slice of Len values per field (close, open, high, low, volume, vwap, …).
// A field the data lacks reads as all NaN.
type Series struct {
	Len    int
	Fields map[string][]float64
}

// workspace holds the scratch memory of one evaluation.
type workspace struct {
	temps  [][]float64
	shared [][]float64 // see instr.shared
	outs   []sortedOut
	nan    []float64
	vals   [][]float64
	ints   [2][]int
	sorted []float64
}

func (ws *workspace) reset(p *Program, n int) {
	for len(ws.temps) < p.temps {
		ws.temps = append(ws.temps, nil)
	}
	for i := range ws.temps[:p.temps] {
		ws.temps[i] = grow(ws.temps[i], n)
	}
	for len(ws.shared) < p.shared {
		ws.shared = append(ws.shared, nil)
	}
	for i := range ws.shared[:p.shared] {
		ws.shared[i] = grow(ws.shared[i], n)
	}
	if cap(ws.nan) < n {
		ws.nan = make([]float64, n)
		for i := range ws.nan {
			ws.nan[i] = math.NaN()
		}
	}
	ws.nan = ws.nan[:n]
	if cap(ws.vals) < len(p.instrs) {
		ws.vals = make([][]float64, len(p.instrs))
	}
	ws.vals = ws.vals[:len(p.instrs)]
	for i := range ws.ints {
		if cap(ws.ints[i]) < n {
			ws.ints[i] = make([]int, n)
		}
		ws.ints[i] = ws.ints[i][:n]
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// Eval evaluates a single expression over s.
func Eval(n Node, s Series) ([]float64, error) {
	p, err := Compile(n)
	if err != nil {
		return nil, err
	}
	out, err := p.Eval(s)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Eval evaluates every output over s and returns one new slice of s.Len values
// per output.
func (p *Program) Eval(s Series) ([][]float64, error) {
	return p.EvalContext(context.Background(), s)
}

// EvalContext is Eval that stops with ctx's error once ctx is done, checked
// before each instruction, so that a request's deadline cuts an expensive
// expression short within one operator's run over one series.
func (p *Program) EvalContext(ctx context.Context, s Series) ([][]float64, error) {
	if s.Len < 0 {
		return nil, apperr.New(apperr.Invalid, "expr: series length %d is negative", s.Len)
	}
	flat := make([]float64, len(p.roots)*s.Len)
	dst := make([][]float64, len(p.roots))
	for k := range dst {
		dst[k] = flat[k*s.Len : (k+1)*s.Len : (k+1)*s.Len]
	}
	if err := p.EvalIntoContext(ctx, dst, s); err != nil {
		return nil, err
	}
	return dst, nil
}

// EvalInto evaluates every output over s into dst, which must hold one slice
// of s.Len values per output. Reusing dst across instruments avoids
// allocation.
func (p *Program) EvalInto(dst [][]float64, s Series) error {
	return p.EvalIntoContext(context.Background(), dst, s)
}

// EvalIntoContext is EvalInto that stops with ctx's error once ctx is done,
// checked before each instruction; dst is then partly written.
func (p *Program) EvalIntoContext(ctx context.Context, dst [][]float64, s Series) error {
	n := s.Len
	if n < 0 {
		return apperr.New(apperr.Invalid, "expr: series length %d is negative", n)
	}
	if len(dst) != len(p.roots) {
		return apperr.New(apperr.Invalid, "expr: %d output slices for %d expressions", len(dst), len(p.roots))
	}
	for k, d := range dst {
		if len(d) != n {
			return apperr.New(apperr.Invalid, "expr: output %d has %d rows, want %d", k, len(d), n)
		}
	}
	for _, f := range p.fields {
		if col, ok := s.Fields[f]; ok && len(col) != n {
			return apperr.New(apperr.Invalid, "expr: field %q has %d rows, series has %d", f, len(col), n)
		}
	}
	ws := p.pool.Get().(*workspace)
	defer p.pool.Put(ws)
	ws.reset(p, n)
	for i := range p.instrs {
		if err := ctx.Err(); err != nil {
			clear(ws.vals)
			return err
		}
		in := &p.instrs[i]
		var out []float64
		switch in.loc {
		case locField:
			out = ws.nan
			if col, ok := s.Fields[in.field]; ok {
				out = col
			}
		case locConst:
			out = ws.temps[in.slot]
			for j := range out {
				out[j] = in.p
			}
		case locTemp:
			out = ws.temps[in.slot]
		case locOut:
			out = dst[in.slot]
		}
		ws.vals[i] = out
		if in.op == opField || in.op == opConst {
			continue
		}
		var args [3][]float64
		for j, a := range in.args {
			args[j] = ws.vals[a]
		}
		switch {
		case in.shared > 0:
			copy(out, ws.shared[in.shared-1])
		case len(in.siblings) > 0:
			ws.outs = append(ws.outs[:0], sortedOut{in.op, in.p, out})
			for _, j := range in.siblings {
				sib := &p.instrs[j]
				ws.outs = append(ws.outs, sortedOut{sib.op, sib.p, ws.shared[sib.shared-1]})
			}
			ws.sorted = rollSortedGroup(args[0], in.n, ws.outs, ws.sorted)
			clear(ws.outs)
		default:
			run(ws, in, args[:len(in.args)], out)
		}
	}
	for k, r := range p.roots {
		if p.instrs[r].loc != locOut || p.instrs[r].slot != k {
			copy(dst[k], ws.vals[r])
		}
	}
	clear(ws.vals)
	return nil
}

// run computes one instruction into out.
func run(ws *workspace, in *instr, args [][]float64, out []float64) {
	if in.op.elementwise() {
		runElementwise(*in, args, out)
		return
	}
	x := args[0]
	switch in.op {
	case opRef:
		ref(x, out, in.n)
	case opDelta:
		delta(x, out, in.n)
	case opMean:
		rollSum(x, out, in.n, true)
	case opSum:
		rollSum(x, out, in.n, false)
	case opStd:
		rollVar(x, out, in.n, true)
	case opVar:
		rollVar(x, out, in.n, false)
	case opCount:
		rollCount(x, out, in.n)
	case opMax:
		rollExtreme(x, out, in.n, ws.ints[0], true)
	case opMin:
		rollExtreme(x, out, in.n, ws.ints[0], false)
	case opIdxMax:
		rollIdxExtreme(x, out, in.n, ws.ints, true)
	case opIdxMin:
		rollIdxExtreme(x, out, in.n, ws.ints, false)
	case opMed:
		ws.sorted = rollMedian(x, out, in.n, ws.sorted)
	case opQuantile:
		ws.sorted = rollQuantile(x, out, in.n, in.p, ws.sorted)
	case opRank:
		ws.sorted = rollRank(x, out, in.n, ws.sorted)
	case opMad:
		rollMad(x, out, in.n)
	case opWMA:
		rollWMA(x, out, in.n)
	case opEMA:
		ewmMean(x, out, in.p)
	case opSlope, opRsquare, opResi:
		rollRegression(x, out, in.n, in.op)
	case opCorr:
		rollCorr(x, args[1], out, in.n, true)
	case opCov:
		rollCorr(x, args[1], out, in.n, false)
	default:
		panic("expr: no kernel for opcode")
	}
}
