package expr

import "math"

// MaxLookback is how many rows before a row the expression reads to compute
// that row: evaluating the last rows of a series with this many extra rows of
// history gives the same values as evaluating the whole series. EMA is
// recursive and reads all history; it counts the rows after which older values
// weigh less than 1e-6 (Qlib's rule for its fractional-window EMA), so that
// far enough back its values agree to about that precision.
func MaxLookback(n Node) int {
	lo, _ := reach(n)
	return max(0, -lo)
}

// MaxLookahead is how many rows after a row the expression reads, through Ref
// with a negative shift; the Alpha158 label reads 2.
func MaxLookahead(n Node) int {
	_, hi := reach(n)
	return max(0, hi)
}

// reach returns the lowest and highest row offsets, relative to the row being
// computed, that n reads.
func reach(n Node) (lo, hi int) {
	switch n := n.(type) {
	case *Neg:
		return reach(n.X)
	case *Binary:
		return span(n.L, n.R)
	case *Call:
		spec, ok := funcs[n.Name]
		if !ok || len(n.Args) != len(spec.args) {
			return 0, 0
		}
		var exprs []Node
		for i, kind := range spec.args {
			if kind == argExpr {
				exprs = append(exprs, n.Args[i])
			}
		}
		lo, hi = span(exprs...)
		switch spec.op {
		case opRef:
			if num, ok := n.Args[1].(*Number); ok {
				s := int(num.Value)
				return lo - s, hi - s
			}
		case opDelta:
			if num, ok := n.Args[1].(*Number); ok {
				return lo - int(num.Value), hi
			}
		case opEMA:
			if num, ok := n.Args[1].(*Number); ok {
				return lo - emaLookback(emaAlpha(num.Value)), hi
			}
		default:
			if len(exprs) < len(spec.args) && spec.args[len(exprs)] == argWindow {
				if num, ok := n.Args[len(exprs)].(*Number); ok {
					return lo - (int(num.Value) - 1), hi
				}
			}
		}
		return lo, hi
	}
	return 0, 0
}

func span(nodes ...Node) (lo, hi int) {
	for i, n := range nodes {
		l, h := reach(n)
		if i == 0 || l < lo {
			lo = l
		}
		if i == 0 || h > hi {
			hi = h
		}
	}
	return lo, hi
}

// emaLookback is the number of rows after which a weight decays below 1e-6.
func emaLookback(alpha float64) int {
	if alpha >= 1 {
		return 0
	}
	return int(math.Log(1e-6) / math.Log(1-alpha))
}
