package expr

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Node is a parsed expression. Its String method gives the canonical form:
// parsing that form again gives a node with the same String.
type Node interface {
	String() string
	node()
}

// Field references a column of the input series, such as $close.
type Field struct {
	Name string // lower case, without the $
}

// Number is a numeric literal.
type Number struct {
	Value float64
}

// Neg is unary minus applied to an expression that is not a literal.
type Neg struct {
	X Node
}

// BinaryOp is an infix operator.
type BinaryOp string

// Infix operators. Comparisons give 1 or 0; & and | treat any non-zero value
// (NaN included, as numpy's bool cast does) as true.
const (
	OpAdd BinaryOp = "+"
	OpSub BinaryOp = "-"
	OpMul BinaryOp = "*"
	OpDiv BinaryOp = "/"
	OpGt  BinaryOp = ">"
	OpGe  BinaryOp = ">="
	OpLt  BinaryOp = "<"
	OpLe  BinaryOp = "<="
	OpEq  BinaryOp = "=="
	OpNe  BinaryOp = "!="
	OpAnd BinaryOp = "&"
	OpOr  BinaryOp = "|"
)

// Binary is an infix operation. Qlib's function spellings (Add, Gt, And, …)
// parse to Binary as well.
type Binary struct {
	Op   BinaryOp
	L, R Node
}

// Call is an operator call such as Mean($close, 5). Window, shift, quantile and
// exponent arguments are *Number.
type Call struct {
	Name string
	Args []Node
}

func (*Field) node()  {}
func (*Number) node() {}
func (*Neg) node()    {}
func (*Binary) node() {}
func (*Call) node()   {}

// Binding strength, loosest first, as in Python.
const (
	precCompare = iota + 1
	precOr
	precAnd
	precAdd
	precMul
	precUnary
	precAtom
)

func (op BinaryOp) prec() int {
	switch op {
	case OpOr:
		return precOr
	case OpAnd:
		return precAnd
	case OpAdd, OpSub:
		return precAdd
	case OpMul, OpDiv:
		return precMul
	default:
		return precCompare
	}
}

func precOf(n Node) int {
	switch n := n.(type) {
	case *Binary:
		return n.Op.prec()
	case *Neg:
		return precUnary
	case *Number:
		if math.Signbit(n.Value) {
			return precUnary
		}
	}
	return precAtom
}

// String returns the field as written in expressions, such as $close.
func (f *Field) String() string { return "$" + f.Name }

// String returns the shortest decimal form that parses back to the value.
func (n *Number) String() string { return formatNumber(n.Value) }

// String returns the negation, parenthesising an operand that binds looser.
func (n *Neg) String() string {
	if precOf(n.X) < precUnary {
		return "-(" + n.X.String() + ")"
	}
	return "-" + n.X.String()
}

// String returns the operation with the parentheses precedence requires.
func (b *Binary) String() string {
	p := b.Op.prec()
	var sb strings.Builder
	writeOperand(&sb, b.L, precOf(b.L) < p || (p == precCompare && precOf(b.L) == p))
	sb.WriteString(string(b.Op))
	writeOperand(&sb, b.R, precOf(b.R) <= p)
	return sb.String()
}

func writeOperand(sb *strings.Builder, n Node, paren bool) {
	if paren {
		sb.WriteByte('(')
	}
	sb.WriteString(n.String())
	if paren {
		sb.WriteByte(')')
	}
}

// String returns the call in Qlib's spelling without spaces.
func (c *Call) String() string {
	var sb strings.Builder
	sb.WriteString(c.Name)
	sb.WriteByte('(')
	for i, a := range c.Args {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(a.String())
	}
	sb.WriteByte(')')
	return sb.String()
}

func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Fields lists the names of the fields n reads, sorted and without duplicates.
func Fields(n Node) []string {
	var out []string
	walk(n, func(n Node) {
		if f, ok := n.(*Field); ok {
			out = append(out, f.Name)
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

func walk(n Node, visit func(Node)) {
	visit(n)
	switch n := n.(type) {
	case *Neg:
		walk(n.X, visit)
	case *Binary:
		walk(n.L, visit)
		walk(n.R, visit)
	case *Call:
		for _, a := range n.Args {
			walk(a, visit)
		}
	}
}
