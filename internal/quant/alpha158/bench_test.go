package alpha158

import (
	"runtime"
	"sync"
	"testing"
)

// BenchmarkAlpha158 computes all 158 features and the label for every
// instrument in data/asx/equities (194 instruments, about 2,880 days each)
// once per iteration, one instrument after another.
func BenchmarkAlpha158(b *testing.B) {
	universe := mustLoadUniverse(b)
	for b.Loop() {
		for _, u := range universe {
			if _, _, err := Compute(u.series()); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportUniverse(b, universe)
}

// reportUniverse adds the universe size and the time per instrument.
func reportUniverse(b *testing.B, universe []bars) {
	rows := 0
	for _, u := range universe {
		rows += len(u.dates)
	}
	b.ReportMetric(float64(len(universe)), "instruments")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(universe)), "ns/instrument")
}

// BenchmarkAlpha158Parallel is BenchmarkAlpha158 with one worker per CPU, each
// reusing its output buffers through Program().EvalInto.
func BenchmarkAlpha158Parallel(b *testing.B) {
	universe := mustLoadUniverse(b)
	p := Program()
	workers := runtime.GOMAXPROCS(0)
	for b.Loop() {
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				var dst [][]float64
				for i := range next {
					u := universe[i]
					n := len(u.dates)
					if len(dst) == 0 || cap(dst[0]) < n {
						dst = make([][]float64, len(p.Exprs()))
						for k := range dst {
							dst[k] = make([]float64, n)
						}
					}
					for k := range dst {
						dst[k] = dst[k][:n]
					}
					if err := p.EvalInto(dst, u.series()); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for i := range universe {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	reportUniverse(b, universe)
}
