package expr

import (
	"fmt"
	"math"
	"strings"
)

// argKind says what a call argument must be.
type argKind int

const (
	argExpr     argKind = iota // any expression
	argWindow                  // integer literal >= 1
	argShift                   // integer literal of any sign
	argNumber                  // any numeric literal
	argQuantile                // literal in [0, 1]
	argSpan                    // integer literal >= 1, or a literal in (0, 1)
)

// maxWindow bounds window and shift literals so that lookback arithmetic and
// per-window buffers stay small.
const maxWindow = 1_000_000

type funcSpec struct {
	op     opcode
	args   []argKind
	params string // argument names for error messages
}

var (
	unaryArgs    = []argKind{argExpr}
	pairArgs     = []argKind{argExpr, argExpr}
	rollingArgs  = []argKind{argExpr, argWindow}
	pairRollArgs = []argKind{argExpr, argExpr, argWindow}
)

// funcs maps Qlib operator names to their specs. Binary operators spelled as
// functions (Add, Gt, …) are in binaryFuncs instead.
var funcs = map[string]funcSpec{
	"Abs":      {opAbs, unaryArgs, "x"},
	"Sign":     {opSign, unaryArgs, "x"},
	"Log":      {opLog, unaryArgs, "x"},
	"Not":      {opNot, unaryArgs, "x"},
	"Power":    {opPower, []argKind{argExpr, argNumber}, "x, exponent"},
	"Greater":  {opGreater, pairArgs, "a, b"},
	"Less":     {opLess, pairArgs, "a, b"},
	"If":       {opIf, []argKind{argExpr, argExpr, argExpr}, "cond, a, b"},
	"Ref":      {opRef, []argKind{argExpr, argShift}, "x, shift"},
	"Delta":    {opDelta, rollingArgs, "x, window"},
	"Mean":     {opMean, rollingArgs, "x, window"},
	"Sum":      {opSum, rollingArgs, "x, window"},
	"Std":      {opStd, rollingArgs, "x, window"},
	"Var":      {opVar, rollingArgs, "x, window"},
	"Max":      {opMax, rollingArgs, "x, window"},
	"Min":      {opMin, rollingArgs, "x, window"},
	"Med":      {opMed, rollingArgs, "x, window"},
	"Mad":      {opMad, rollingArgs, "x, window"},
	"Rank":     {opRank, rollingArgs, "x, window"},
	"Count":    {opCount, rollingArgs, "x, window"},
	"IdxMax":   {opIdxMax, rollingArgs, "x, window"},
	"IdxMin":   {opIdxMin, rollingArgs, "x, window"},
	"Slope":    {opSlope, rollingArgs, "x, window"},
	"Rsquare":  {opRsquare, rollingArgs, "x, window"},
	"Resi":     {opResi, rollingArgs, "x, window"},
	"WMA":      {opWMA, rollingArgs, "x, window"},
	"EMA":      {opEMA, []argKind{argExpr, argSpan}, "x, span"},
	"Quantile": {opQuantile, []argKind{argExpr, argWindow, argQuantile}, "x, window, q"},
	"Corr":     {opCorr, pairRollArgs, "a, b, window"},
	"Cov":      {opCov, pairRollArgs, "a, b, window"},
}

var binaryFuncs = map[string]BinaryOp{
	"Add": OpAdd, "Sub": OpSub, "Mul": OpMul, "Div": OpDiv,
	"Gt": OpGt, "Ge": OpGe, "Lt": OpLt, "Le": OpLe, "Eq": OpEq, "Ne": OpNe,
	"And": OpAnd, "Or": OpOr,
}

// checkCall reports why c is not a valid call, or returns nil.
func checkCall(c *Call) error {
	spec, ok := funcs[c.Name]
	if !ok {
		return fmt.Errorf("unknown function %q", c.Name)
	}
	if len(c.Args) != len(spec.args) {
		return fmt.Errorf("%s takes %d arguments (%s), got %d", c.Name, len(spec.args), spec.params, len(c.Args))
	}
	names := strings.Split(spec.params, ", ")
	for i, kind := range spec.args {
		if msg := checkArg(kind, c.Args[i]); msg != "" {
			return fmt.Errorf("%s %s must be %s, got %s", c.Name, names[i], msg, c.Args[i])
		}
	}
	return nil
}

// checkArg returns what the argument must be when it is not, or "".
func checkArg(kind argKind, n Node) string {
	if kind == argExpr {
		if n == nil {
			return "an expression"
		}
		return ""
	}
	num, ok := n.(*Number)
	v := math.NaN()
	if ok {
		v = num.Value
	}
	isInt := v == math.Trunc(v) && math.Abs(v) <= maxWindow
	switch kind {
	case argWindow:
		if !isInt || v < 1 {
			return fmt.Sprintf("an integer literal from 1 to %d", maxWindow)
		}
	case argShift:
		if !isInt {
			return fmt.Sprintf("an integer literal from -%d to %d", maxWindow, maxWindow)
		}
	case argNumber:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "a numeric literal"
		}
	case argQuantile:
		if !(v >= 0 && v <= 1) {
			return "a numeric literal from 0 to 1"
		}
	case argSpan:
		if !(v > 0 && v < 1) && (!isInt || v < 1) {
			return "an integer literal >= 1 or a literal between 0 and 1"
		}
	}
	return ""
}

// intArg returns the integer value of a validated window or shift argument.
func intArg(n Node) int { return int(n.(*Number).Value) }

// numArg returns the value of a validated numeric argument.
func numArg(n Node) float64 { return n.(*Number).Value }
