package eodhd

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

func TestNANumber(t *testing.T) {
	tests := []struct {
		in     string
		want   float64
		wantOK bool
	}{
		{`45.2`, 45.2, true},
		{`"45.20"`, 45.2, true},
		{`"NA"`, 0, false},
		{`"n/a"`, 0, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`0`, 0, true},
	}
	for _, tt := range tests {
		var n naNumber
		if err := json.Unmarshal([]byte(tt.in), &n); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if n.v != tt.want || n.ok != tt.wantOK {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v, %v", tt.in, n.v, n.ok, tt.want, tt.wantOK)
		}
	}
	for _, bad := range []string{`"abc"`, `"NaN"`, `"Inf"`, `"-Infinity"`, `"1e400"`} {
		var n naNumber
		if err := json.Unmarshal([]byte(bad), &n); err == nil {
			t.Errorf("Unmarshal(%s) succeeded: %v", bad, n.v)
		}
	}
}

func TestChange(t *testing.T) {
	t0 := time.Date(2026, 6, 2, 0, 40, 0, 0, time.UTC) // 10:40 in Sydney
	q := func(close, volume float64, at time.Time) quote {
		return quote{Code: "BHP.AU", Close: naNumber{close, close != 0}, Volume: naNumber{volume, volume >= 0},
			Timestamp: naNumber{float64(at.Unix()), !at.IsZero()}}
	}
	prev := last{close: 45, volume: 1000, at: t0}
	tests := []struct {
		name   string
		q      quote
		had    bool
		want   market.Tick
		wantOK bool
	}{
		{"FirstSight", q(45, 1000, t0), false, market.Tick{Time: t0, Code: "BHP", Price: 45, Size: 1000}, true},
		{"Unchanged", q(45, 1000, t0.Add(time.Minute)), true, market.Tick{}, false},
		{"Traded", q(45.1, 1500, t0.Add(time.Minute)), true, market.Tick{Time: t0.Add(time.Minute), Code: "BHP", Price: 45.1, Size: 500}, true},
		{"PriceOnly", q(45.1, 1000, t0.Add(time.Minute)), true, market.Tick{Time: t0.Add(time.Minute), Code: "BHP", Price: 45.1, Kind: market.QuoteOnly}, true},
		{"VolumeOnly", q(45, 1200, t0.Add(time.Minute)), true, market.Tick{Time: t0.Add(time.Minute), Code: "BHP", Price: 45, Size: 200}, true},
		{"NextDay", q(45.5, 3000, t0.Add(24*time.Hour)), true, market.Tick{Time: t0.Add(24 * time.Hour), Code: "BHP", Price: 45.5, Size: 3000}, true},
		{"VolumeRestarted", q(45.5, 300, t0.Add(time.Minute)), true, market.Tick{Time: t0.Add(time.Minute), Code: "BHP", Price: 45.5, Size: 300}, true},
		{"Older", q(44, 900, t0.Add(-time.Minute)), true, market.Tick{}, false},
		{"NoClose", q(0, 1200, t0.Add(time.Minute)), true, market.Tick{}, false},
		{"NoVolume", q(45.2, -1, t0.Add(time.Minute)), true, market.Tick{Time: t0.Add(time.Minute), Code: "BHP", Price: 45.2, Kind: market.QuoteOnly}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := change(tt.q, prev, tt.had, t0.Add(time.Hour))
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("change() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	// A quote without a timestamp takes the poll's time.
	polled := t0.Add(time.Hour)
	got, _, _ := change(q(45, 10, time.Time{}), last{}, false, polled)
	if !got.Time.Equal(polled) {
		t.Errorf("untimed quote at %v, want the poll time %v", got.Time, polled)
	}
}
