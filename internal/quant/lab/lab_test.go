package lab_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/lab"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEvaluateLongWindows(t *testing.T) {
	pool := testenv.DB(t)
	ctx := context.Background()
	q := lab.Query{Code: "BHP", From: day("2025-01-02"), To: day("2025-03-31")}

	// Audit #67: windows past ~71,150 days overflowed the lookback Duration
	// and silently evaluated nothing. Every window longer than the data
	// must see all of it, so all of these agree.
	t.Run("long windows", func(t *testing.T) {
		var first lab.Result
		for i, w := range []int{71000, 71200, 99990, 999999} {
			q := q
			q.Expr = fmt.Sprintf("Rank($close,%d)", w)
			res, err := lab.Evaluate(ctx, pool, q)
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
