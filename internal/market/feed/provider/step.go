package provider

import (
	"context"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

// Stepper is a provider that computes its ticks in steps: each step advances
// it to the clock's session instant and returns the ticks due by then.
type Stepper interface {
	Step(now, session time.Time) []market.Tick
	// Done reports that the stepper has nothing more to emit (a replay at its
	// end); a simulation never is.
	Done() bool
}

// RunSteps drives s every interval of real time on clock and hands its ticks
// to emit in batches of at most maxBatch. It returns nil when ctx ends or s
// is done, and the error of emit if emit fails.
func RunSteps(ctx context.Context, s Stepper, clock Clock, every time.Duration, maxBatch int, emit func([]market.Tick) error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := clock.Now()
		ticks := s.Step(now, clock.Session(now))
		for len(ticks) > 0 {
			n := min(len(ticks), maxBatch)
			if err := emit(ticks[:n]); err != nil {
				return err
			}
			ticks = ticks[n:]
		}
		if s.Done() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
