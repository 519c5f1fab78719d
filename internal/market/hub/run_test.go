package hub

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestRunExitsAndEndsEverything(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()

	gauge := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sse_connections_active"})
	h := New(rdb, prefix+"quotes", testSource.Deployment, &rowRenderer{}, Options{SSEConnections: gauge, SweepInterval: time.Millisecond})
	subs := []*Subscription{h.Subscribe(nil, HTML), h.Subscribe([]string{"BHP"}, JSON)}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.Run(ctx) }()
	mustWaitSubscribed(t, rdb, prefix+"quotes")
	if err := h.Run(ctx); err == nil {
		t.Error("second Run returned nil, want an error")
	}

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return within 2s of cancel")
	}
	for i, s := range subs {
		select {
		case <-s.Done():
		default:
			t.Errorf("subscription %d still open after Run returned", i)
		}
	}
	late := h.Subscribe(nil, HTML)
	select {
	case <-late.Done():
	default:
		t.Error("Subscribe after Run returned an open subscription")
	}
	late.Close()
	if got := gaugeValue(t, gauge); got != 0 {
		t.Errorf("gauge = %v, want 0", got)
	}

	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > baseline {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines = %d, want at most the baseline %d\n%s", got, baseline, buf[:runtime.Stack(buf, true)])
	}
}

func TestReconnectAfterConnectionKilled(t *testing.T) {
	// A client of its own, named so that the test kills only the hub's connection.
	opt, err := redis.ParseURL(testenv.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	_, prefix := testenv.Redis(t)
	name := strings.ReplaceAll(prefix, ":", "-") + "hub"
	opt.ClientName = name
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	channel := prefix + "quotes"

	th := &testHub{rdb: rdb, channel: channel, render: &rowRenderer{}, runErr: make(chan error, 1)}
	th.Hub = New(rdb, channel, testSource.Deployment, th.render, Options{ReconnectMin: 20 * time.Millisecond, ReconnectMax: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	th.cancel = cancel
	go func() { th.runErr <- th.Run(ctx) }()
	defer th.stop()
	mustWaitSubscribed(t, rdb, channel)
	th.Seed([]market.Quote{{Code: "BHP", Last: 45, Time: time.Now()}})
	sub := th.Subscribe([]string{"BHP"}, JSON)
	defer sub.Close()

	mustKillSubscriber(t, rdb, name)

	// Publish until the resubscribed hub delivers (messages sent while it was away are lost).
	deadline := time.Now().Add(5 * time.Second)
	for th.Stats().Batches == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no batch delivered after the connection was killed; stats %+v", th.Stats())
		}
		th.mustPublish(t, th.tick("BHP", 45))
		time.Sleep(20 * time.Millisecond)
	}
	mustNext(t, sub, time.Second)
	if got := th.Stats().Reconnects; got < 1 {
		t.Errorf("Reconnects = %d, want at least 1", got)
	}
}

// mustKillSubscriber kills the one subscribed connection named name (CLIENT
// KILL cannot select by name, so it finds the id in CLIENT LIST).
func mustKillSubscriber(t *testing.T, rdb *redis.Client, name string) {
	t.Helper()
	ctx := context.Background()
	list, err := rdb.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(list, "\n") {
		fields := strings.Fields(line)
		if !slices.Contains(fields, "name="+name) || slices.Contains(fields, "sub=0") {
			continue
		}
		for _, f := range fields {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
					t.Fatalf("CLIENT KILL ID %s: %v", id, err)
				}
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("killed %d subscribed connections named %s, want 1", n, name)
	}
}

func TestHealthCheckKeepsAQuietChannel(t *testing.T) {
	th := mustStartHub(t, Options{HealthCheck: 20 * time.Millisecond})
	sub := th.Subscribe(nil, JSON)
	defer sub.Close()
	time.Sleep(300 * time.Millisecond) // many pings, each answered
	if got := th.Stats().Reconnects; got != 0 {
		t.Errorf("Reconnects = %d on a healthy but quiet channel, want 0", got)
	}
	th.mustPublish(t, th.tick("BHP", 45))
	mustNext(t, sub, time.Second)
}
