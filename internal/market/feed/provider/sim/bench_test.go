package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// BenchmarkStep measures one Run step (100ms of real time) for 200
// instruments at demo speeds; ns/op divided by 1e8 is the CPU share.
func BenchmarkStep(b *testing.B) {
	var ins []Instrument
	for i := range 200 {
		ins = append(ins, Instrument{Code: fmt.Sprintf("%c%02d", 'A'+i%26, i), LastClose: 1 + float64(i), DailyVol: 0.02, AvgVolume: 1_000_000})
	}
	for _, speed := range []float64{1, 60} {
		b.Run(fmt.Sprintf("speed%v", speed), func(b *testing.B) {
			s := mustNew(b, ins, Config{Seed: 1, Speed: speed})
			step := time.Duration(speed * float64(DefaultStepEvery))
			session := testenv.TimeIn(b, "2026-06-02 10:15:00", asx.Sydney())
			var n int
			for b.Loop() {
				session = session.Add(step)
				n += len(s.Step(session, session))
			}
			b.ReportMetric(float64(n)/float64(b.N), "ticks/op")
		})
	}
}
