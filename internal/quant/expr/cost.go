package expr

import "math"

// Cost estimates the work of evaluating p over one series of rows rows, in
// units of roughly a nanosecond of one core on the development machine
// (BenchmarkWindowKernels). Most operators cost a fixed amount per row —
// elementwise ones, and rolling ones that keep running sums or a monotonic
// queue, whatever their window. Rank, Med and Quantile also move part of
// their sorted window each row, and Mad and WMA walk all of it, so they also
// cost per value in the window (a window step): min(window, i+1) values for
// row i. A window longer than the series thus costs what the series does.
// The estimate saturates at math.MaxInt64 instead of overflowing.
func (p *Program) Cost(rows int) int64 {
	if rows <= 0 {
		return 0
	}
	var total int64
	for i := range p.instrs {
		total = addSat(total, instrCost(&p.instrs[i], rows))
	}
	return total
}

// Windows returns how many operators Cost charges by their window, and the
// longest of those windows: what to name when an expression costs too much.
func (p *Program) Windows() (n, longest int) {
	for _, in := range p.instrs {
		if perStep(in.op) > 0 {
			n++
			longest = max(longest, in.n)
		}
	}
	return n, longest
}

// perRow is an operator's measured cost per row.
func perRow(op opcode) int64 {
	switch op {
	case opField:
		return 0
	case opMean, opSum, opMax, opMin, opIdxMax, opIdxMin:
		return 25
	case opStd, opVar, opSlope, opRsquare, opResi, opPower:
		return 50
	case opCorr, opCov:
		return 120
	case opRank, opMed, opQuantile:
		return 100
	}
	return 10
}

// perStep is an operator's measured cost per two window steps: re-sorting
// moves values with memmove, about half a nanosecond each, while Mad and
// WMA do arithmetic on each.
func perStep(op opcode) int64 {
	switch op {
	case opRank, opMed, opQuantile:
		return 1
	case opMad, opWMA:
		return 8
	}
	return 0
}

// instrCost is the work of one instruction over rows rows.
func instrCost(in *instr, rows int) int64 {
	c := perRow(in.op) * int64(rows)
	if s := perStep(in.op); s > 0 {
		c = addSat(c, windowSteps(rows, in.n)/2*s)
	}
	return c
}

// windowSteps is the sum over rows of how many values the window ending at
// each row holds: min(w, i+1) for row i.
func windowSteps(rows, w int) int64 {
	n, k := int64(rows), int64(max(w, 1))
	if k >= n {
		return n * (n + 1) / 2 // n is a series length, far from overflowing
	}
	return k*n - k*(k-1)/2
}

func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
