package eodhd

import (
	"testing"
	"time"
)

// TestResumeEmitsOnlyNewVolume: a provider started with today's stored state
// (a restart, a new leader) turns the next poll into the volume added since,
// not the whole day's volume again.
func TestResumeEmitsOnlyNewVolume(t *testing.T) {
	at := time.Date(2026, 6, 4, 1, 0, 0, 0, time.UTC) // 11:00 AEST
	p, err := New(Config{APIKey: "k", Symbols: []string{"BHP"}, Resume: map[string]Resume{"BHP": {Close: 62.5, Volume: 1_000_000, At: at}}})
	if err != nil {
		t.Fatal(err)
	}
	q := quote{Code: "BHP.AU"}
	q.Close.v, q.Close.ok = 62.6, true
	q.Volume.v, q.Volume.ok = 1_000_500, true
	q.Timestamp.v, q.Timestamp.ok = float64(at.Add(time.Minute).Unix()), true
	tk, _, ok := change(q, p.seen["BHP"], true, at.Add(time.Minute))
	if !ok || tk.Size != 500 || tk.Price != 62.6 {
		t.Errorf("tick after resume = %+v (%v), want a 500-share trade at 62.6", tk, ok)
	}
}
