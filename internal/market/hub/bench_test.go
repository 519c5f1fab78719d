package hub

import (
	"fmt"
	"io"
	"runtime"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

// asx200 stands in for the ASX 200: 200 distinct valid codes (AAA, AAB, …).
var asx200 = func() []string {
	codes := make([]string, 200)
	for i := range codes {
		codes[i] = string([]byte{'A' + byte(i/676), 'A' + byte(i/26%26), 'A' + byte(i%26)})
	}
	return codes
}()

func BenchmarkFanout1k(b *testing.B) {
	b.Run("codes=200", func(b *testing.B) { benchFanout(b, 1_000, 200, true) })
	b.Run("codes=20", func(b *testing.B) { benchFanout(b, 1_000, 20, true) })
	b.Run("codes=200/flatout", func(b *testing.B) { benchFanout(b, 1_000, 200, false) })
}

func BenchmarkFanout10k(b *testing.B) {
	b.Run("codes=200", func(b *testing.B) { benchFanout(b, 10_000, 200, true) })
	b.Run("codes=20", func(b *testing.B) { benchFanout(b, 10_000, 20, true) })
	b.Run("codes=200/flatout", func(b *testing.B) { benchFanout(b, 10_000, 200, false) })
}

// benchFanout measures one op = one batch updating all 200 codes, rendered
// once and fanned out to nSubs subscribers, each drained by its own consumer
// goroutine that writes SSE frames to io.Discard (as an SSE handler would).
//
// With sync, each op waits until every subscriber has written the whole
// batch, so ns/op is the time to get one full batch to every client and
// nothing coalesces. Without it ("flatout") the hub publishes as fast as it
// can and slow consumers coalesce: delivered/update is the share of their
// updates they received as separate events.
func benchFanout(b *testing.B, nSubs, codesPerSub int, sync bool) {
	h := New(nil, "bench", testSource.Deployment, &rowRenderer{}, Options{StallTimeout: time.Hour})
	seed := make([]market.Quote, len(asx200))
	for i, c := range asx200 {
		seed[i] = market.Quote{Code: c, Last: 10, PrevClose: 10, Time: t0}
	}
	h.Seed(seed)

	heapBefore, stackBefore := heapInUse(), stackInUse()
	subs := make([]*Subscription, nSubs)
	for i := range subs {
		var codes []string
		if codesPerSub < len(asx200) {
			for j := range codesPerSub {
				codes = append(codes, asx200[(i+j*10)%len(asx200)])
			}
		}
		subs[i] = h.Subscribe(codes, HTML)
	}
	perSub := float64(heapInUse()-heapBefore) / float64(nSubs)

	var delivered atomic.Int64
	var wg gosync.WaitGroup
	for _, s := range subs {
		wg.Go(func() {
			var evs []Event
			for {
				select {
				case <-s.Notify():
					evs = s.DrainN(evs[:0], 64)
					for _, ev := range evs {
						_ = WriteSSE(io.Discard, ev)
					}
					delivered.Add(int64(len(evs)))
				case <-s.Done():
					return
				}
			}
		})
	}

	ticks := make([]market.Tick, len(asx200))
	var seq int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		for i, c := range asx200 {
			seq++
			ticks[i] = market.Tick{Time: time.Now(), Code: c, Price: 10 + float64(seq%100)/100, Size: 100, Seq: seq}
		}
		h.applyBatch(ticks)
		if sync {
			want := int64(h.Stats().Batches) * int64(nSubs*codesPerSub)
			for delivered.Load() < want {
				runtime.Gosched()
			}
		}
	}
	// The op is done when every consumer has caught up.
	for !allDrained(subs) {
		time.Sleep(50 * time.Microsecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()

	batches := h.Stats().Batches
	b.ReportMetric(float64(delivered.Load())/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(delivered.Load())/float64(batches*uint64(nSubs*codesPerSub)), "delivered/update")
	b.ReportMetric(perSub, "hubB/sub")
	b.ReportMetric(float64(heapInUse()+stackInUse()-heapBefore-stackBefore)/float64(nSubs), "withConsumerB/sub")
	for _, s := range subs {
		s.Close()
	}
	wg.Wait()
}

func allDrained(subs []*Subscription) bool {
	for _, s := range subs {
		s.mu.Lock()
		pending := s.since != 0
		s.mu.Unlock()
		if pending {
			return false
		}
	}
	return true
}

func stackInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkDeliver isolates the hub's own fan-out cost per batch (marking
// 10,000 subscriptions) from rendering and from the consumers.
func BenchmarkDeliver(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint("subs=", n), func(b *testing.B) {
			h := New(nil, "bench", testSource.Deployment, &rowRenderer{}, Options{StallTimeout: time.Hour})
			for _, c := range asx200 {
				h.intern(c)
			}
			for range n {
				h.Subscribe(nil, HTML)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			for i := range asx200 {
				h.work.set(i)
			}
			for b.Loop() {
				h.deliver()
				// Drain-equivalent: empty every subscription so the next round marks again.
				for i := range h.shards {
					for _, s := range h.shards[i].load() {
						s.mu.Lock()
						clear(s.pending)
						s.since = 0
						s.mu.Unlock()
						select {
						case <-s.notify:
						default:
						}
					}
				}
			}
		})
	}
}
