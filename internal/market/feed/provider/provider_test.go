package provider

import (
	"sync"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/shopspring/decimal"
)

func TestManualClock(t *testing.T) {
	t0 := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
	c := NewManualClock(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now() = %v, want %v", got, t0)
	}
	if got := c.Advance(90 * time.Second); !got.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("Advance = %v, want %v", got, t0.Add(90*time.Second))
	}
	t1 := t0.Add(time.Hour)
	c.Set(t1)
	if got := c.Now(); !got.Equal(t1) {
		t.Errorf("Now() after Set = %v, want %v", got, t1)
	}
	if got := c.Session(t1); !got.Equal(t1) {
		t.Errorf("Session(%v) = %v, want the same instant", t1, got)
	}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now(), t1.Add(800*time.Millisecond); !got.Equal(want) {
		t.Errorf("Now() after concurrent advances = %v, want %v", got, want)
	}
}

func TestRealClock(t *testing.T) {
	var c RealClock
	before := time.Now()
	now := c.Now()
	if now.Before(before) {
		t.Errorf("Now() = %v, before %v", now, before)
	}
	if got := c.Session(now); !got.Equal(now) {
		t.Errorf("Session(now) = %v, want %v", got, now)
	}
}

func TestTickUpDown(t *testing.T) {
	tests := []struct {
		p, up, down float64
	}{
		{0.001, 0.002, 0},
		{0.05, 0.051, 0.049},
		{0.099, 0.1, 0.098},
		{0.1, 0.105, 0.099},
		{0.105, 0.11, 0.1},
		{1.995, 2, 1.99},
		{2, 2.01, 1.995},
		{2.01, 2.02, 2},
		{45.67, 45.68, 45.66},
	}
	for _, tt := range tests {
		if got := TickUp(tt.p); got != tt.up {
			t.Errorf("TickUp(%v) = %v, want %v", tt.p, got, tt.up)
		}
		if got := TickDown(tt.p); got != tt.down {
			t.Errorf("TickDown(%v) = %v, want %v", tt.p, got, tt.down)
		}
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		p            float64
		ticks, below int
		bid, ask     float64
	}{
		{10, 1, 0, 10, 10.01},
		{10, 1, 1, 9.99, 10},
		{10, 2, 1, 9.99, 10.01},
		{2, 2, 1, 1.995, 2.01},
		{0.1, 2, 1, 0.099, 0.105},
		{0.001, 2, 2, 0.001, 0.003}, // no room below the smallest price
		{10, 0, 5, 9.99, 10},        // at least one step, below clamped
	}
	for _, tt := range tests {
		bid, ask := Spread(tt.p, tt.ticks, tt.below)
		if bid != tt.bid || ask != tt.ask {
			t.Errorf("Spread(%v, %d, %d) = %v, %v, want %v, %v", tt.p, tt.ticks, tt.below, bid, ask, tt.bid, tt.ask)
		}
		for _, v := range []float64{bid, ask} {
			if err := asx.ValidatePrice(decimal.NewFromFloat(v)); err != nil {
				t.Errorf("Spread(%v, %d, %d): %v", tt.p, tt.ticks, tt.below, err)
			}
		}
	}
}
