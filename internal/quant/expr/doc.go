// Package expr parses and evaluates Qlib's factor expression language over one
// instrument's daily series, reproducing the numbers Microsoft Qlib gives
// (qlib/data/ops.py on pandas rolling windows and qlib/data/_libs/rolling.pyx).
//
// An expression such as
//
//	Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 20)
//
// is parsed once into a Node, compiled (possibly together with many others)
// into a Program that shares identical subexpressions, and evaluated per
// instrument. Missing values are NaN throughout.
//
// Semantics that follow Qlib rather than textbook definitions:
//
//   - Rolling operators use pandas' rolling(N, min_periods=1): the first rows
//     use the rows that exist, NaN values are skipped, and a window without any
//     value gives NaN. Std and Var use ddof=1, so one value gives NaN.
//   - Comparisons give 1 or 0 and a comparison involving NaN gives 0 (numpy
//     booleans), so Mean($close>Ref($close,1),5) is 0 on the first row.
//   - Greater and Less propagate NaN (numpy maximum/minimum).
//   - IdxMax and IdxMin are 1-based positions inside the window and, like
//     numpy's argmax on a raw window, report the first NaN when one is present.
//   - Corr and Rsquare give NaN where the rolling standard deviation of an input
//     is within 2e-5 of zero (Qlib's np.isclose mask).
//   - WMA keeps Qlib's np.nanmean of normalised weights, which divides the
//     weighted mean by the number of values again.
//   - EMA is pandas ewm(span=N, adjust=True) for N >= 1 and ewm(alpha=N) for
//     0 < N < 1.
//   - Ref(x, 0) is x. (Qlib returns the first loaded value, which depends on
//     the load range, so it is not reproduced.) Windows must be integers >= 1:
//     Qlib's expanding windows (N = 0) and fractional windows outside EMA are
//     not supported, nor are Skew, Kurt and Mask.
//
// Operator precedence follows Python, which Qlib evaluates expressions with:
// comparisons bind loosest, then |, then &, then + and -, then * and /, then
// unary minus.
package expr
