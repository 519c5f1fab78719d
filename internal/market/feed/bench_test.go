package feed_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// BenchmarkIngest measures ticks per second through Ingest.Write: COPY into
// ticks plus one Redis PUBLISH per batch.
func BenchmarkIngest(b *testing.B) {
	for _, size := range []int{200, 1000, 5000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			pool := testdb.New(b)
			rdb, prefix := testenv.Redis(b)
			in := feed.NewIngest(pool, rdb, prefix+"quotes", hub.Source{Deployment: prefix + "db0", Epoch: 1}, time.Second, size, nil)
			batch := make([]market.Tick, size)
			codes := []string{"BHP", "CBA", "CSL", "NAB", "WBC", "ANZ", "WES", "MQG", "GMG", "TLS"}
			now := time.Now()
			for i := range batch {
				batch[i] = market.Tick{Time: now, Code: codes[i%len(codes)], Price: 50 + float64(i%100)/100, Size: 100, Bid: 49.99, Ask: 50.01, Seq: int64(i + 1)}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range batch {
					batch[j].Seq += int64(size)
				}
				if err := in.Write(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "ticks/s")
		})
	}
}

// BenchmarkCandles measures candle queries over one year of one-minute bars
// (252 sessions × 372 minutes ≈ 94k bars for one code).
func BenchmarkCandles(b *testing.B) {
	pool := testdb.New(b)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
		INSERT INTO bars_1m (code, time, open, high, low, close, volume, trades)
		SELECT 'BHP', d + m * interval '1 minute', 50, 50.5, 49.5, 50.2, 1000, 10
		FROM generate_series(timestamptz '2025-06-02 00:00+00', timestamptz '2026-06-01 00:00+00', interval '1 day') d,
		     generate_series(0, 371) m
		WHERE extract(isodow FROM d) < 6`)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE bars_1m`); err != nil {
		b.Fatal(err)
	}
	svc := market.NewService(pool, asx.DefaultCalendar())
	end := time.Date(2026, 5, 29, 7, 0, 0, 0, time.UTC) // Friday 29 May 2026, after the close
	for _, c := range []struct {
		iv   string
		span time.Duration
	}{{"1m", 24 * time.Hour}, {"5m", 31 * 24 * time.Hour}, {"15m", 92 * 24 * time.Hour}, {"1h", 365 * 24 * time.Hour}} {
		b.Run(c.iv+"/"+fmt.Sprint(int(c.span.Hours()/24))+"d", func(b *testing.B) {
			iv, _ := market.ParseInterval(c.iv)
			n := 0
			for i := 0; i < b.N; i++ {
				bars, err := svc.Candles(ctx, "BHP", iv, end.Add(-c.span), end)
				if err != nil {
					b.Fatal(err)
				}
				n = len(bars)
			}
			b.ReportMetric(float64(n), "candles")
		})
	}
}

// BenchmarkFillSimulated measures `seed --simulate-to` on the shipped data:
// every active instrument (167 equities and 6 indices) filled with
// simulated bars from the day after the real history (4 Jun 2026) to
// 4 Dec 2026, about six months of ASX trading days. Each iteration deletes
// the simulated bars first.
func BenchmarkFillSimulated(b *testing.B) {
	pool := testdb.New(b)
	ctx := context.Background()
	cal := asx.DefaultCalendar()
	to := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	var bars int64
	for b.Loop() {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `DELETE FROM daily_bars WHERE source = 'sim'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := feed.FillSimulated(ctx, pool, cal, 1, to)
		if err != nil {
			b.Fatal(err)
		}
		bars = res.Bars
	}
	b.ReportMetric(float64(bars), "bars/op")
}
