package lab_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/lab"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// rankTerms is the audit's expensive expression: n Rank terms with windows
// 2000, 2001, …
func rankTerms(n int) string {
	terms := make([]string, n)
	for i := range terms {
		terms[i] = fmt.Sprintf("Rank($close,%d)", 2000+i)
	}
	return strings.Join(terms, "+")
}

func assertUnprocessable(t *testing.T, err error, want string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.Unprocessable || ae.Field != "expr" {
		t.Fatalf("error = %v, want Unprocessable on expr", err)
	}
	if !strings.Contains(ae.Message, want) {
		t.Errorf("message %q lacks %q", ae.Message, want)
	}
}

func TestEvaluateLongWindows(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	q := lab.Query{Code: "BHP", From: day("2025-01-02"), To: day("2025-03-31")}

	// Audit #67: windows past ~71,150 days overflowed the lookback Duration
	// and silently evaluated nothing. Every window longer than the data
	// must see all of it, so all of these agree.
	t.Run("long windows", func(t *testing.T) {
		var first lab.Result
		for i, w := range []int{71000, 71200, 99990} {
			q := q
			q.Expr = fmt.Sprintf("Rank($close,%d)", w)
			res, err := lab.Evaluate(ctx, pool, q, lab.Limits{Timeout: 2 * time.Minute}) // the race detector is slow
			if err != nil {
				t.Fatalf("%s: %v", q.Expr, err)
			}
			if res.Codes == 0 || res.Summary.Days == 0 || len(res.Series) == 0 {
				t.Fatalf("%s: %d instruments, %d days, %d points", q.Expr, res.Codes, res.Summary.Days, len(res.Series))
			}
			if i == 0 {
				first = res
				continue
			}
			if res.Codes != first.Codes || res.Summary.Days != first.Summary.Days || len(res.Series) != len(first.Series) {
				t.Errorf("%s: %d instruments, %d days, %d points; window 71000 gave %d, %d, %d", q.Expr,
					res.Codes, res.Summary.Days, len(res.Series), first.Codes, first.Summary.Days, len(first.Series))
			}
		}
	})

}

func TestEvaluateLimits(t *testing.T) {
	pool := testdb.New(t)
	ctx := context.Background()
	q := lab.Query{Code: "BHP", From: day("2025-01-02"), To: day("2025-03-31")}

	t.Run("over the budget", func(t *testing.T) {
		q := lab.Query{Expr: rankTerms(111), Code: "BHP", From: day("2023-06-05"), To: day("2026-06-04")}
		if len(q.Expr) > 2000 {
			t.Fatalf("expression is %d characters", len(q.Expr))
		}
		_, err := lab.Evaluate(ctx, pool, q, lab.Limits{Timeout: 2 * time.Minute})
		assertUnprocessable(t, err, "estimated cost is")
		assertUnprocessable(t, err, "111 Rank, Med, Quantile, Mad or WMA windows of up to 2110 days")
		assertUnprocessable(t, err, "the limit is 4.0 billion")
	})

	t.Run("under a smaller budget", func(t *testing.T) {
		q := q
		q.Expr = "Rank($close, 20)"
		if _, err := lab.Evaluate(ctx, pool, q, lab.Limits{Timeout: 2 * time.Minute}); err != nil {
			t.Fatalf("default budget: %v", err)
		}
		_, err := lab.Evaluate(ctx, pool, q, lab.Limits{Budget: 1_000_000, Timeout: 2 * time.Minute})
		assertUnprocessable(t, err, "the limit is 1.0 million")
	})

	// Past the budget check, the deadline stops the evaluation itself: the
	// evaluator checks it before every operator on every instrument.
	t.Run("timeout", func(t *testing.T) {
		q := lab.Query{Expr: rankTerms(111), Code: "BHP", From: day("2023-06-05"), To: day("2026-06-04")}
		_, err := lab.Evaluate(ctx, pool, q, lab.Limits{Budget: 1 << 62, Timeout: 2 * time.Second})
		assertUnprocessable(t, err, "took longer than 2s to evaluate and was stopped")
	})
}

// TestEvaluateOnMarketCalendar checks that the lab evaluates as Qlib does:
// YAL was halted 2018-09-28..10-08 while the market traded, so those days
// are NaN slots (no point on the chart) and MA5 on 10-09 is 1, real Qlib's
// figure (issue 11).
func TestEvaluateOnMarketCalendar(t *testing.T) {
	pool := testdb.New(t)
	q := lab.Query{Expr: "Mean($close, 5)/$close", Code: "YAL", From: day("2018-09-20"), To: day("2018-10-31")}
	res, err := lab.Evaluate(context.Background(), pool, q, lab.Limits{Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, p := range res.Series {
		got[p.Date.Format(time.DateOnly)] = p.Value
	}
	if _, ok := got["2018-10-01"]; ok {
		t.Error("a point on 2018-10-01, a day YAL did not trade")
	}
	if v, ok := got["2018-10-09"]; !ok || v != 1 {
		t.Errorf("MA5 on 2018-10-09 = %v (%v), want 1", v, ok)
	}
	if v := got["2018-10-10"]; math.Abs(v-(4.25+4.30)/2/4.30) > 1e-15 {
		t.Errorf("MA5 on 2018-10-10 = %v, want (4.25+4.30)/2/4.30", v)
	}
}
