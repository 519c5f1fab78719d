package replay

import (
	"sync"
	"time"
)

// replayClock maps real time onto replayed history: Session(now) is
// origin + (now-start)*speed, where start is the real instant the current
// pass began. Before Run begins it reads origin. It is safe for concurrent use.
type replayClock struct {
	origin time.Time
	speed  float64

	mu    sync.Mutex
	start time.Time
}

func newReplayClock(origin time.Time, speed float64) *replayClock {
	return &replayClock{origin: origin, speed: speed}
}

// begin starts a pass at real instant start and returns it.
func (c *replayClock) begin(start time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.start = start
	return start
}

// Now returns the real time.
func (c *replayClock) Now() time.Time { return time.Now() }

// Session returns the recorded instant being replayed at real instant now.
func (c *replayClock) Session(now time.Time) time.Time {
	c.mu.Lock()
	start := c.start
	c.mu.Unlock()
	if start.IsZero() || now.Before(start) {
		return c.origin
	}
	return c.origin.Add(time.Duration(float64(now.Sub(start)) * c.speed))
}

// Simulated reports true: the session time is history, not now.
func (c *replayClock) Simulated() bool { return true }
