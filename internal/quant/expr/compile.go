package expr

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

type opcode uint8

const (
	opField opcode = iota
	opConst
	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opGt
	opGe
	opLt
	opLe
	opEq
	opNe
	opAnd
	opOr
	opAbs
	opSign
	opLog
	opNot
	opPower
	opGreater
	opLess
	opIf
	opRef
	opDelta
	opMean
	opSum
	opStd
	opVar
	opMax
	opMin
	opMed
	opMad
	opRank
	opCount
	opIdxMax
	opIdxMin
	opSlope
	opRsquare
	opResi
	opWMA
	opEMA
	opQuantile
	opCorr
	opCov
)

var binaryOpcodes = map[BinaryOp]opcode{
	OpAdd: opAdd, OpSub: opSub, OpMul: opMul, OpDiv: opDiv,
	OpGt: opGt, OpGe: opGe, OpLt: opLt, OpLe: opLe, OpEq: opEq, OpNe: opNe,
	OpAnd: opAnd, OpOr: opOr,
}

// elementwise reports whether op computes each row from the same row of its
// inputs only, which makes it safe to fold over constants.
func (op opcode) elementwise() bool { return op >= opNeg && op <= opIf }

// location kinds of a node's values during evaluation.
const (
	locField = iota // an input column
	locConst        // a buffer filled with the constant before the run
	locTemp         // a scratch buffer reused once its last reader has run
	locOut          // the caller's output column
)

// instr computes one distinct subexpression.
type instr struct {
	op    opcode
	args  []int   // instruction indexes of the inputs
	n     int     // window or shift
	p     float64 // constant value, exponent, quantile or EMA alpha
	field string  // opField only

	loc  int // locField, locConst, locTemp or locOut
	slot int // field index, temp slot or output index

	// Sorted-window operators over the same input and window share one
	// pass: the first (the leader) also computes its later siblings into
	// shared buffers, and each sibling copies its buffer when its turn
	// comes (its own slot may still hold a live value until then).
	siblings []int // on a leader: the siblings' instruction indexes
	shared   int   // on a sibling: 1 + its shared buffer's index
}

// Program is a compiled set of expressions that share their common
// subexpressions. A Program is safe for concurrent use.
type Program struct {
	exprs  []string
	instrs []instr
	roots  []int // instruction index per output
	fields []string
	temps  int
	shared int // buffers of sorted-window siblings
	pool   sync.Pool
}

// Compile compiles the expressions into one Program whose outputs are in the
// order given.
func Compile(nodes ...Node) (*Program, error) {
	b := &builder{memo: map[string]int{}, fieldIdx: map[string]int{}}
	p := &Program{}
	for _, n := range nodes {
		if n == nil {
			return nil, apperr.New(apperr.Invalid, "expr: nil expression")
		}
		id, err := b.add(n)
		if err != nil {
			return nil, err
		}
		p.exprs = append(p.exprs, n.String())
		p.roots = append(p.roots, id)
	}
	p.instrs = b.instrs
	p.fields = b.fields
	p.allocate()
	p.groupSorted()
	p.pool.New = func() any { return &workspace{} }
	return p, nil
}

// Outputs returns the number of output expressions.
func (p *Program) Outputs() int { return len(p.roots) }

// Exprs returns the canonical form of each output expression.
func (p *Program) Exprs() []string { return append([]string(nil), p.exprs...) }

// Fields returns the input fields the program reads, in first-use order.
func (p *Program) Fields() []string { return append([]string(nil), p.fields...) }

type builder struct {
	instrs   []instr
	memo     map[string]int
	fields   []string
	fieldIdx map[string]int
}

// emit adds in unless an identical instruction exists, and returns its index.
func (b *builder) emit(in instr) int {
	var key strings.Builder
	key.WriteString(strconv.Itoa(int(in.op)))
	key.WriteByte(':')
	key.WriteString(in.field)
	key.WriteByte(':')
	key.WriteString(strconv.Itoa(in.n))
	key.WriteByte(':')
	key.WriteString(strconv.FormatUint(math.Float64bits(in.p), 16))
	for _, a := range in.args {
		key.WriteByte(',')
		key.WriteString(strconv.Itoa(a))
	}
	k := key.String()
	if id, ok := b.memo[k]; ok {
		return id
	}
	if in.op.elementwise() && b.allConst(in.args) {
		in = instr{op: opConst, p: b.fold(in)}
		return b.emit(in)
	}
	b.instrs = append(b.instrs, in)
	id := len(b.instrs) - 1
	b.memo[k] = id
	return id
}

func (b *builder) allConst(args []int) bool {
	for _, a := range args {
		if b.instrs[a].op != opConst {
			return false
		}
	}
	return true
}

// fold evaluates an elementwise instruction over constants on one row.
func (b *builder) fold(in instr) float64 {
	args := make([][]float64, len(in.args))
	for i, a := range in.args {
		args[i] = []float64{b.instrs[a].p}
	}
	out := []float64{0}
	runElementwise(in, args, out)
	return out[0]
}

func (b *builder) add(n Node) (int, error) {
	switch n := n.(type) {
	case *Field:
		if n.Name == "" {
			return 0, apperr.New(apperr.Invalid, "expr: empty field name")
		}
		if _, ok := b.fieldIdx[n.Name]; !ok {
			b.fieldIdx[n.Name] = len(b.fields)
			b.fields = append(b.fields, n.Name)
		}
		return b.emit(instr{op: opField, field: n.Name}), nil
	case *Number:
		return b.emit(instr{op: opConst, p: n.Value}), nil
	case *Neg:
		x, err := b.add(n.X)
		if err != nil {
			return 0, err
		}
		return b.emit(instr{op: opNeg, args: []int{x}}), nil
	case *Binary:
		op, ok := binaryOpcodes[n.Op]
		if !ok {
			return 0, apperr.New(apperr.Invalid, "expr: unknown operator %q", n.Op)
		}
		return b.addArgs(instr{op: op}, n.L, n.R)
	case *Call:
		if err := checkCall(n); err != nil {
			return 0, apperr.New(apperr.Invalid, "expr: %v", err)
		}
		return b.addCall(n)
	}
	return 0, apperr.New(apperr.Invalid, "expr: unsupported node %T", n)
}

func (b *builder) addArgs(in instr, args ...Node) (int, error) {
	for _, a := range args {
		id, err := b.add(a)
		if err != nil {
			return 0, err
		}
		in.args = append(in.args, id)
	}
	return b.emit(in), nil
}

func (b *builder) addCall(c *Call) (int, error) {
	spec := funcs[c.Name]
	in := instr{op: spec.op}
	var exprs []Node
	for i, kind := range spec.args {
		a := c.Args[i]
		switch kind {
		case argExpr:
			exprs = append(exprs, a)
		case argWindow, argShift:
			in.n = intArg(a)
		case argNumber, argQuantile:
			in.p = numArg(a)
		case argSpan:
			in.p = emaAlpha(numArg(a))
		}
	}
	if in.op == opRef && in.n == 0 {
		return b.add(exprs[0])
	}
	return b.addArgs(in, exprs...)
}

// emaAlpha converts Qlib's EMA argument to pandas' smoothing factor the way
// pandas does: through the centre of mass.
func emaAlpha(n float64) float64 {
	com := (n - 1) / 2 // span
	if n < 1 {
		com = 1/n - 1 // alpha
	}
	return 1 / (1 + com)
}

// allocate assigns every instruction a place for its values, reusing temp
// buffers once their last reader has run.
func (p *Program) allocate() {
	last := make([]int, len(p.instrs))
	for i, in := range p.instrs {
		for _, a := range in.args {
			last[a] = i
		}
	}
	isRoot := make(map[int]int, len(p.roots))
	for k, r := range p.roots {
		if _, ok := isRoot[r]; !ok {
			isRoot[r] = k
		}
	}
	fieldIdx := map[string]int{}
	for i, f := range p.fields {
		fieldIdx[f] = i
	}
	var freeSlots []int
	for i := range p.instrs {
		in := &p.instrs[i]
		switch k, root := isRoot[i]; {
		case in.op == opField:
			in.loc, in.slot = locField, fieldIdx[in.field]
		case in.op == opConst:
			in.loc, in.slot = locConst, p.temps
			p.temps++
		case root:
			in.loc, in.slot = locOut, k
		case len(freeSlots) > 0:
			in.loc, in.slot = locTemp, freeSlots[len(freeSlots)-1]
			freeSlots = freeSlots[:len(freeSlots)-1]
		default:
			in.loc, in.slot = locTemp, p.temps
			p.temps++
		}
		var freed []int
		for _, a := range in.args {
			arg := &p.instrs[a]
			if last[a] == i && arg.loc == locTemp && !slices.Contains(freed, arg.slot) {
				freed = append(freed, arg.slot)
			}
		}
		freeSlots = append(freeSlots, freed...)
	}
}

// groupSorted finds the sorted-window operators that read the same input
// over the same window (Alpha158's QTLU and QTLD, for instance) so that one
// pass computes them all.
func (p *Program) groupSorted() {
	type key struct{ arg, n int }
	leader := map[key]int{}
	for i := range p.instrs {
		in := &p.instrs[i]
		if !sortedOp(in.op, in.n) {
			continue
		}
		k := key{in.args[0], in.n}
		l, ok := leader[k]
		if !ok {
			leader[k] = i
			continue
		}
		p.instrs[l].siblings = append(p.instrs[l].siblings, i)
		p.shared++
		in.shared = p.shared
	}
}
