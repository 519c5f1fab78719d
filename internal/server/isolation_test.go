package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"github.com/qlibpro/qlibpro/internal/auth"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
	"github.com/qlibpro/qlibpro/internal/market/hub"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/server"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestTwoDeploymentsOnOneRedis runs two whole servers, each with its own
// database and running feed, on one Redis with the same REDIS_PREFIX and
// different database numbers — the set-up in which they once corrupted
// each other's prices. A and B feed different codes, so any tick of the
// other's codes in a hub, or a fill of the other's code, came across.
func TestTwoDeploymentsOnOneRedis(t *testing.T) {
	_, prefix := testenv.Redis(t)
	clock := midSession()
	live := func(db int, symbols []string) *testapp.App {
		return testapp.NewWithClock(t, map[string]string{
			"REDIS_URL": mustRedisDB(t, db, prefix), "REDIS_PREFIX": prefix,
			"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator", "FEED_SYMBOLS": strings.Join(symbols, ","),
		}, clock)
	}
	symbolsA, symbolsB := []string{"BHP", "CSL", "WES"}, []string{"CBA", "NAB", "WBC"}
	a, b := live(3, symbolsA), live(4, symbolsB)
	if ca, cb := server.QuotesChannel(a.Config), server.QuotesChannel(b.Config); ca == cb {
		t.Fatalf("both deployments publish on %s", ca)
	}
	seededA, seededB := quotesOf(a, symbolsB), quotesOf(b, symbolsA)

	// Each trader buys at market a code of each feed: only the code of
	// their own deployment's feed can fill.
	buyerA, buyerB := mustTrader(t, a), mustTrader(t, b)
	ownA, otherA := mustBuy(t, a, buyerA, "BHP"), mustBuy(t, a, buyerA, "CBA")
	ownB, otherB := mustBuy(t, b, buyerB, "CBA"), mustBuy(t, b, buyerB, "BHP")
	fillA := mustFilled(t, a, buyerA, ownA)
	fillB := mustFilled(t, b, buyerB, ownB)
	// Both feeds keep publishing a while longer.
	mustBatches(t, a, a.Hub.Stats().Batches+10)
	mustBatches(t, b, b.Hub.Stats().Batches+10)

	for _, c := range []struct {
		name   string
		app    *testapp.App
		others []string
		seeded []market.Quote
		other  int64
		fill   *portfolio.Fill
		buyer  int64
		filled string
	}{
		{"A", a, symbolsB, seededA, otherA, fillA, buyerA, "BHP"},
		{"B", b, symbolsA, seededB, otherB, fillB, buyerB, "CBA"},
	} {
		for i, q := range quotesOf(c.app, c.others) {
			if q != c.seeded[i] {
				t.Errorf("%s's hub took the other deployment's %s: %+v, seeded %+v", c.name, q.Code, q, c.seeded[i])
			}
		}
		if o := mustOrder(t, c.app, c.buyer, c.other); o.State == portfolio.Filled {
			t.Errorf("%s's %s order filled at %s from the other deployment's feed", c.name, o.Code, o.Fill.Price)
		}
		// The fill is at a price this deployment's own feed quoted.
		var ours bool
		err := c.app.Pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM ticks
			WHERE code = $1 AND (abs(ask - $2) < 0.0005 OR abs(price - $2) < 0.0005))`, c.filled, c.fill.Price.InexactFloat64()).Scan(&ours)
		if err != nil || !ours {
			t.Errorf("%s's %s filled at %s, a price its own feed never quoted (%v)", c.name, c.filled, c.fill.Price, err)
		}
		if got := c.app.Hub.Stats(); got.IgnoredDeployment != 0 || got.IgnoredStale != 0 || got.DecodeErrors != 0 {
			t.Errorf("%s's hub saw foreign messages on its own channel: %+v", c.name, got)
		}
	}
}

// TestStaleFeedLeaderIgnored plays a failover on a running server: batches
// from another deployment or an older epoch than the running feed's change
// no quote and fill no order; a batch from a newer epoch (a new leader) is
// applied at once, after which the running feed is the stale leader.
func TestStaleFeedLeaderIgnored(t *testing.T) {
	app := testapp.NewWithClock(t, map[string]string{
		"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator", "FEED_SYMBOLS": "BHP",
	}, midSession())
	buyer := mustTrader(t, app)
	order := mustPlace(t, app, buyer, portfolio.OrderInput{Code: "BHP", Side: "buy", Type: "limit", Quantity: "10", LimitPrice: "1.00"})
	mustBatches(t, app, 1)
	var epoch int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT epoch FROM feed_epoch`).Scan(&epoch); err != nil {
		t.Fatal(err)
	}
	if got := app.Hub.Stats().Epoch; got != epoch {
		t.Fatalf("hub follows epoch %d, the feed leads with %d", got, epoch)
	}
	publish := func(src hub.Source) {
		t.Helper()
		b, err := hub.EncodeBatch(src, []market.Tick{{Time: time.Now(), Code: "BHP", Price: 0.5, Size: 100,
			Bid: 0.5, Ask: 0.5, Seq: 1 << 62, Kind: market.Trade}})
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Redis.Publish(context.Background(), server.QuotesChannel(app.Config), b).Err(); err != nil {
			t.Fatal(err)
		}
	}
	ignored := func(reason string) float64 {
		return counterValue(t, app.Metrics.HubBatchesIgnored.WithLabelValues(reason))
	}

	publish(hub.Source{Deployment: app.Config.DeploymentID, Epoch: epoch - 1})
	publish(hub.Source{Deployment: app.Config.DeploymentID + "x", Epoch: epoch + 1})
	waitFor(t, "both batches ignored", func() bool { return ignored("stale_epoch") == 1 && ignored("deployment") == 1 })
	if q, _ := app.Hub.Quote("BHP"); q.Last == 0.5 {
		t.Errorf("hub took an ignored batch: %+v", q)
	}
	// The matcher sees only what the hub applies; give it a moment anyway.
	time.Sleep(200 * time.Millisecond)
	if o := mustOrder(t, app, buyer, order.ID); o.State == portfolio.Filled {
		t.Fatalf("order filled at %s from an ignored batch", o.Fill.Price)
	}

	publish(hub.Source{Deployment: app.Config.DeploymentID, Epoch: epoch + 1})
	waitFor(t, "the new leader's first batch", func() bool { q, _ := app.Hub.Quote("BHP"); return q.Last == 0.5 })
	if got := app.Hub.Stats().Epoch; got != epoch+1 {
		t.Errorf("hub follows epoch %d, want the new leader's %d", got, epoch+1)
	}
	if fill := mustFilled(t, app, buyer, order.ID); fill.Price.String() != "0.5" {
		t.Errorf("filled at %s, want 0.5 from the new leader's batch", fill.Price)
	}
	// The running feed is now the stale leader: it keeps publishing, ignored.
	waitFor(t, "the former leader's batches ignored", func() bool { return ignored("stale_epoch") >= 3 })
	if q, _ := app.Hub.Quote("BHP"); q.Last != 0.5 {
		t.Errorf("a stale leader's batch moved BHP to %v", q.Last)
	}
}

// quotesOf returns app's hub quotes of codes, in order.
func quotesOf(app *testapp.App, codes []string) []market.Quote {
	out := make([]market.Quote, len(codes))
	for i, c := range codes {
		out[i], _ = app.Hub.Quote(c)
	}
	return out
}

// midSession is a demo clock two hours into a simulated session (continuous trading).
func midSession() provider.Clock { return provider.NewDemoClock(time.Now().Add(-2*time.Hour), 1, nil) }

// mustRedisDB returns the test Redis URL on database n; keys under prefix
// there are deleted when the test ends.
func mustRedisDB(t *testing.T, n int, prefix string) string {
	t.Helper()
	u, err := url.Parse(testenv.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path, u.RawQuery = fmt.Sprintf("/%d", n), ""
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return u.String()
}

var traders int

func mustTrader(t *testing.T, app *testapp.App) int64 {
	t.Helper()
	traders++
	u, err := app.Users.Register(context.Background(), auth.Registration{
		Email: fmt.Sprintf("trader%d@example.com", traders), Name: "Trader", Password: "isolated deployments 2026",
	}, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func mustBuy(t *testing.T, app *testapp.App, user int64, code string) int64 {
	t.Helper()
	return mustPlace(t, app, user, portfolio.OrderInput{Code: code, Side: "buy", Quantity: "10"}).ID
}

func mustPlace(t *testing.T, app *testapp.App, user int64, in portfolio.OrderInput) portfolio.Order {
	t.Helper()
	o, _, err := app.Portfolio.PlaceOrder(context.Background(), user, in, "")
	if err != nil {
		t.Fatalf("place %+v: %v", in, err)
	}
	return o
}

func mustOrder(t *testing.T, app *testapp.App, user, id int64) portfolio.Order {
	t.Helper()
	o, err := app.Portfolio.Order(context.Background(), user, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// mustFilled waits for an order to fill and returns its fill.
func mustFilled(t *testing.T, app *testapp.App, user, id int64) *portfolio.Fill {
	t.Helper()
	var o portfolio.Order
	waitFor(t, fmt.Sprintf("order %d filled", id), func() bool {
		o = mustOrder(t, app, user, id)
		return o.State == portfolio.Filled && o.Fill != nil
	})
	return o.Fill
}

// mustBatches waits until app's hub has applied n batches in all.
func mustBatches(t *testing.T, app *testapp.App, n uint64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d batches applied", n), func() bool { return app.Hub.Stats().Batches >= n })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
