package expr

import "math"

// runElementwise computes an operator that maps each row of its inputs to the
// same row of out, with numpy's semantics.
func runElementwise(in instr, args [][]float64, out []float64) {
	a := args[0]
	var b []float64
	if len(args) > 1 {
		b = args[1][:len(a)]
	}
	out = out[:len(a)]
	switch in.op {
	case opNeg:
		for i, v := range a {
			out[i] = -v
		}
	case opAdd:
		for i, v := range a {
			out[i] = v + b[i]
		}
	case opSub:
		for i, v := range a {
			out[i] = v - b[i]
		}
	case opMul:
		for i, v := range a {
			out[i] = v * b[i]
		}
	case opDiv:
		for i, v := range a {
			out[i] = v / b[i]
		}
	case opGt:
		for i, v := range a {
			out[i] = boolFloat(v > b[i])
		}
	case opGe:
		for i, v := range a {
			out[i] = boolFloat(v >= b[i])
		}
	case opLt:
		for i, v := range a {
			out[i] = boolFloat(v < b[i])
		}
	case opLe:
		for i, v := range a {
			out[i] = boolFloat(v <= b[i])
		}
	case opEq:
		for i, v := range a {
			out[i] = boolFloat(v == b[i])
		}
	case opNe:
		for i, v := range a {
			out[i] = boolFloat(v != b[i])
		}
	case opAnd:
		for i, v := range a {
			out[i] = boolFloat(v != 0 && b[i] != 0)
		}
	case opOr:
		for i, v := range a {
			out[i] = boolFloat(v != 0 || b[i] != 0)
		}
	case opNot:
		for i, v := range a {
			out[i] = boolFloat(v == 0)
		}
	case opAbs:
		for i, v := range a {
			out[i] = math.Abs(v)
		}
	case opSign:
		for i, v := range a {
			out[i] = sign32(v)
		}
	case opLog:
		for i, v := range a {
			out[i] = math.Log(v)
		}
	case opPower:
		for i, v := range a {
			out[i] = math.Pow(v, in.p)
		}
	case opGreater:
		for i, v := range a {
			out[i] = npMaximum(v, b[i])
		}
	case opLess:
		for i, v := range a {
			out[i] = npMinimum(v, b[i])
		}
	case opIf:
		c := args[2][:len(a)]
		for i, v := range a {
			if v != 0 {
				out[i] = b[i]
			} else {
				out[i] = c[i]
			}
		}
	default:
		panic("expr: not an elementwise opcode")
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// sign32 is Qlib's Sign: numpy's sign of the value cast to float32, so values
// too small for float32 have sign 0.
func sign32(v float64) float64 {
	f := float32(v)
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	case f == 0:
		return 0
	}
	return math.NaN()
}

// npMaximum is numpy's maximum: NaN if either side is NaN.
func npMaximum(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	if a >= b {
		return a
	}
	return b
}

// npMinimum is numpy's minimum: NaN if either side is NaN.
func npMinimum(a, b float64) float64 {
	if a != a || b != b {
		return math.NaN()
	}
	if a <= b {
		return a
	}
	return b
}
