package hub

import (
	"slices"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

// mustApply applies one batch of trades at the given prices straight to h.
func mustApply(t *testing.T, h *Hub, seq *int64, prices map[string]float64, codes ...string) {
	t.Helper()
	var ticks []market.Tick
	for _, c := range codes {
		*seq++
		ticks = append(ticks, market.Tick{Time: t0, Code: c, Price: prices[c], Size: 1, Seq: *seq})
	}
	h.applyBatch(ticks)
}

func notified(s *Subscription) bool {
	select {
	case <-s.Notify():
		return true
	default:
		return false
	}
}

func TestDrainNGoesRoundTheCodes(t *testing.T) {
	h := New(nil, "", testSource.Deployment, &rowRenderer{}, Options{})
	codes := []string{"AAA", "BBB", "CCC", "DDD", "EEE"}
	var seq int64
	prices := map[string]float64{"AAA": 1, "BBB": 2, "CCC": 3, "DDD": 4, "EEE": 5}
	mustApply(t, h, &seq, prices, codes...)
	sub := h.Subscribe(codes, JSON) // the hub knows the codes now
	mustApply(t, h, &seq, prices, codes...)

	steps := []struct {
		name   string
		update []string // applied before the drain
		want   []string // codes drained, in order
		more   bool     // Notify signalled for what is left
	}{
		{"First two", nil, []string{"AAA", "BBB"}, true},
		{"Next two", nil, []string{"CCC", "DDD"}, true},
		{"Wraps past the cursor", []string{"AAA"}, []string{"EEE", "AAA"}, false},
		{"Nothing left", nil, nil, false},
	}
	if !notified(sub) {
		t.Fatal("no notification after the first batch")
	}
	for _, st := range steps {
		if len(st.update) > 0 {
			prices["AAA"] = 1.5
			mustApply(t, h, &seq, prices, st.update...)
			notified(sub)
		}
		var got []string
		for _, ev := range sub.DrainN(nil, 2) {
			got = append(got, string(ev.Data[6:9]))
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("%s: drained %q, want %q", st.name, got, st.want)
		}
		if got := notified(sub); got != st.more {
			t.Errorf("%s: notified = %v, want %v", st.name, got, st.more)
		}
	}
}

func TestPartialDrainsAreNotAStall(t *testing.T) {
	const stall = 50 * time.Millisecond
	h := New(nil, "", testSource.Deployment, &rowRenderer{}, Options{StallTimeout: stall})
	sub := h.Subscribe(nil, HTML)
	var seq int64
	prices := map[string]float64{"AAA": 1, "BBB": 2, "CCC": 3}
	for range 6 {
		mustApply(t, h, &seq, prices, "AAA", "BBB", "CCC")
		sub.DrainN(nil, 1) // always behind, but draining
		time.Sleep(stall / 2)
		h.sweep()
	}
	select {
	case <-sub.Done():
		t.Fatal("a subscriber that keeps draining was dropped")
	default:
	}
	time.Sleep(stall * 2)
	h.sweep()
	select {
	case <-sub.Done():
	default:
		t.Fatal("a subscriber that stopped draining was not dropped")
	}
}

func TestMaxCodes(t *testing.T) {
	h := New(nil, "", testSource.Deployment, &rowRenderer{}, Options{MaxCodes: 2})
	var seq int64
	mustApply(t, h, &seq, map[string]float64{"AAA": 1, "BBB": 2, "CCC": 3}, "AAA", "BBB", "CCC")
	st := h.Stats()
	if st.Codes != 2 || st.Overflow != 1 {
		t.Errorf("Codes = %d, Overflow = %d; want 2 and 1", st.Codes, st.Overflow)
	}
	if _, ok := h.Quote("CCC"); ok {
		t.Error("a code beyond MaxCodes has a quote")
	}
	if got := len(h.Snapshot(nil, HTML)); got != 2 {
		t.Errorf("snapshot has %d events, want 2", got)
	}
}
