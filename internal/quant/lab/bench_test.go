package lab_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/quant/lab"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// cpuTime is this process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEvaluateRankTerms is the audit's 111-Rank expression over three
// years (docs/benchmarks.md), without limits as before and with the default
// ones, which refuse it after loading the bars. cpu-s/op is this process's
// CPU time (not PostgreSQL's). Run with -benchtime 1x: unbounded takes tens
// of seconds.
func BenchmarkEvaluateRankTerms(b *testing.B) {
	pool := testdb.New(b)
	q := lab.Query{Expr: rankTerms(111), Code: "BHP", From: day("2023-06-05"), To: day("2026-06-04")}
	for _, c := range []struct {
		name string
		lim  lab.Limits
	}{
		{"unbounded", lab.Limits{Budget: 1 << 62, Timeout: time.Hour}},
		{"default", lab.Limits{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			start := cpuTime(b)
			for b.Loop() {
				_, _ = lab.Evaluate(context.Background(), pool, q, c.lim)
			}
			b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
