// Package provider declares the market-data provider interface the feed runs
// (the ASX simulator, history replay, HTTP quote services) and the clocks that
// decide which ASX session phase a provider is in.
//
// Tick timestamps are always real instants. The session phase is read from a
// possibly different instant, Clock.Session(now): real time for real
// providers, a simulated trading-day time for the demo clock, so that the
// simulator shows a moving market at any hour.
package provider

import (
	"context"
	"sync"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

// Provider produces market events. Run blocks until ctx ends or a fatal
// error, calling emit with batches of ticks in time order (the caller batches
// further, writes them to PostgreSQL and publishes them). An error from emit
// is fatal: Run returns it.
type Provider interface {
	Name() string // "simulator", "replay", "eodhd"
	Clock() Clock // the clock that decides the session phase for this provider
	Run(ctx context.Context, emit func([]market.Tick) error) error
}

// Clock tells a provider the real time and the instant whose Sydney
// wall-clock time decides the ASX phase.
type Clock interface {
	Now() time.Time                  // the real instant (tick timestamps use real time)
	Session(now time.Time) time.Time // the instant that decides the ASX phase at real instant now
	Simulated() bool                 // whether Session differs from real time, for the UI's label
}

// RealClock is the wall clock: the session is the real instant.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Session returns now unchanged.
func (RealClock) Session(now time.Time) time.Time { return now }

// Simulated reports false.
func (RealClock) Simulated() bool { return false }

// ManualClock is a clock for tests: Now returns the instant last set, and the
// session is that instant. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the instant last set.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new instant.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Session returns now unchanged.
func (c *ManualClock) Session(now time.Time) time.Time { return now }

// Simulated reports false: a ManualClock stands in for the real clock.
func (c *ManualClock) Simulated() bool { return false }
