package feed_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

func TestNextFeedEpochGrows(t *testing.T) {
	q := db.New(testdb.New(t))
	ctx := context.Background()
	before := time.Now().UnixMilli()
	var last int64
	for i := range 5 {
		e, err := q.NextFeedEpoch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if e <= last || e < before-1000 {
			t.Fatalf("epoch %d = %d after %d (clock %d ms)", i, e, last, before)
		}
		last = e
	}
	// A database restored from an old backup holds an older epoch: the next
	// is still above every epoch taken before, from the clock.
	pool := testdb.New(t)
	if _, err := pool.Exec(ctx, `INSERT INTO feed_epoch (epoch) VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	e, err := db.New(pool).NextFeedEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e <= last {
		t.Errorf("epoch after a restore = %d, want above %d", e, last)
	}
}

// TestFailoverToANewEpoch: two feed runners share a database and Redis;
// a hub follows the first, then — once it stops — the second from its
// first batch, and then ignores the first's epoch if it publishes again.
func TestFailoverToANewEpoch(t *testing.T) {
	pool := testdb.New(t)
	rdb, prefix := testenv.Redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	channel, deployment := prefix+"quotes:"+prefix+"db0", prefix+"db0"
	h := hub.New(rdb, channel, deployment, plainRenderer{}, hub.Options{})
	go func() { _ = h.Run(ctx) }()
	runner := func() *feed.Runner {
		return feed.NewRunner(feed.Config{
			Provider: feed.Simulator, Speed: 1, Seed: 1, Symbols: []string{"BHP", "CBA", "CSL", "NAB", "WBC"},
			BatchEvery: 100 * time.Millisecond, MaxBatch: 1000, Channel: channel, Deployment: deployment,
		}, pool, rdb, asx.DefaultCalendar(), provider.NewDemoClock(time.Now().Add(-2*time.Hour), 1, nil),
			slog.New(slog.DiscardHandler), nil)
	}
	epochInDB := func() int64 {
		var e int64
		if err := pool.QueryRow(ctx, `SELECT epoch FROM feed_epoch`).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}

	ctxA, stopA := context.WithCancel(ctx)
	doneA := make(chan struct{})
	go func() { _ = runner().Run(ctxA); close(doneA) }()
	waitFor(t, func() bool { return h.Stats().Epoch > 0 }, 10*time.Second, "the hub follows A")
	epochA := h.Stats().Epoch
	if got := epochInDB(); got != epochA {
		t.Fatalf("hub follows epoch %d, A took %d", epochA, got)
	}
	go func() { _ = runner().Run(ctx) }()

	// A's machine stops; B takes over with a newer epoch, and the hub
	// follows it from its first batch.
	stopA()
	<-doneA
	stopped, batches := time.Now(), h.Stats().Batches
	waitFor(t, func() bool { return h.Stats().Epoch > epochA }, 15*time.Second, "the hub follows B")
	t.Logf("hub following the new leader %s after the old one stopped", time.Since(stopped).Round(time.Millisecond))
	epochB := h.Stats().Epoch
	if got := epochInDB(); got != epochB {
		t.Errorf("hub follows epoch %d, B took %d", epochB, got)
	}
	waitFor(t, func() bool { return h.Stats().Batches > batches+3 }, 10*time.Second, "B's batches applied")
	if s := h.Stats(); s.IgnoredStale != 0 || s.IgnoredDeployment != 0 {
		t.Errorf("batches ignored during the failover: %+v", s)
	}

	// A, unaware it lost the lock, publishes once more: ignored.
	stale := feed.NewIngest(pool, rdb, channel, hub.Source{Deployment: deployment, Epoch: epochA}, time.Second, 1000, nil)
	if err := stale.Write(ctx, []market.Tick{{Time: time.Now(), Code: "BHP", Price: 0.5, Size: 100, Seq: 1 << 62}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return h.Stats().IgnoredStale == 1 }, 5*time.Second, "the stale batch ignored")
	if q, _ := h.Quote("BHP"); q.Last == 0.5 {
		t.Errorf("hub applied the stale leader's batch: %+v", q)
	}
}
