package hub

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/internal/market"
)

// testSource is the deployment every test hub belongs to, at a first epoch.
var testSource = Source{Deployment: "qlibpro_test:db0", Epoch: 1}

// TestHubFollowsItsDeploymentsNewestLeader drives one hub through a feed
// failover on real Redis: batches of another deployment are ignored; a new
// leader (higher epoch) is followed from its very first batch; the old
// leader, still publishing, is ignored from then on; and every ignored
// batch is counted by reason.
func TestHubFollowsItsDeploymentsNewestLeader(t *testing.T) {
	ignored := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hub_batches_ignored_total"}, []string{"reason"})
	th := mustStartHub(t, Options{BatchesIgnored: ignored})
	sub := th.Subscribe(nil, JSON)
	defer sub.Close()
	old := Source{Deployment: testSource.Deployment, Epoch: 41}
	next := Source{Deployment: testSource.Deployment, Epoch: 42}
	neighbour := Source{Deployment: "qlibpro_test:db1", Epoch: 1000}

	steps := []struct {
		name      string
		src       Source
		price     float64
		applied   bool
		wantEpoch int64
	}{
		{"FirstLeader", old, 45, true, 41},
		{"SameLeaderAgain", old, 45.5, true, 41},
		{"OtherDeployment", neighbour, 99, false, 41},
		{"NewLeaderAtOnce", next, 46, true, 42},
		{"FormerLeaderStillPublishing", old, 44, false, 42},
		{"OtherDeploymentHigherEpoch", Source{Deployment: neighbour.Deployment, Epoch: 43}, 98, false, 42},
		{"NewLeaderAgain", next, 46.5, true, 42},
	}
	var applied uint64
	for _, st := range steps {
		// Each ignored batch is followed by a marker batch from the current
		// leader, so that the hub has surely read it before the checks.
		th.mustPublishFrom(t, st.src, th.tick("BHP", st.price))
		if st.applied {
			applied++
			th.mustWaitBatches(t, applied)
			mustNext(t, sub, time.Second)
		} else {
			th.mustPublishFrom(t, Source{Deployment: testSource.Deployment, Epoch: st.wantEpoch}, th.tick("CBA", st.price))
			applied++
			th.mustWaitBatches(t, applied)
			for _, ev := range mustNext(t, sub, time.Second) {
				if strings.Contains(string(ev.Data), `"BHP"`) {
					t.Errorf("%s: subscriber got %s from an ignored batch", st.name, ev.Data)
				}
			}
		}
		if q, _ := th.Quote("BHP"); st.applied && q.Last != st.price {
			t.Errorf("%s: BHP last = %v, want %v (the batch applied)", st.name, q.Last, st.price)
		} else if !st.applied && q.Last == st.price {
			t.Errorf("%s: BHP last = %v from an ignored batch", st.name, q.Last)
		}
		if got := th.Stats().Epoch; got != st.wantEpoch {
			t.Errorf("%s: epoch followed = %d, want %d", st.name, got, st.wantEpoch)
		}
	}
	stats := th.Stats()
	if stats.IgnoredDeployment != 2 || stats.IgnoredStale != 1 {
		t.Errorf("ignored: deployment %d, stale %d; want 2 and 1", stats.IgnoredDeployment, stats.IgnoredStale)
	}
	for reason, want := range map[string]float64{"deployment": 2, "stale_epoch": 1} {
		if got := counterValue(t, ignored.WithLabelValues(reason)); got != want {
			t.Errorf("hub_batches_ignored_total{reason=%q} = %v, want %v", reason, got, want)
		}
	}
}

// TestOnTicksSeesOnlyFollowedBatches: the callbacks (the paper-order
// matcher) receive exactly the batches the hub applies.
func TestOnTicksSeesOnlyFollowedBatches(t *testing.T) {
	th := mustStartHub(t, Options{})
	got := make(chan string, 16)
	th.OnTicks(func(ticks []market.Tick) {
		for _, tk := range ticks {
			got <- tk.Code
		}
	})
	leader := Source{Deployment: testSource.Deployment, Epoch: 7}
	th.mustPublishFrom(t, leader, th.tick("BHP", 45))
	th.mustPublishFrom(t, Source{Deployment: "elsewhere", Epoch: 8}, th.tick("CBA", 100))
	th.mustPublishFrom(t, Source{Deployment: testSource.Deployment, Epoch: 6}, th.tick("CSL", 300))
	th.mustPublishFrom(t, leader, th.tick("WES", 60))
	th.mustWaitBatches(t, 2)
	var codes []string
	for range 2 {
		select {
		case c := <-got:
			codes = append(codes, c)
		case <-time.After(time.Second):
			t.Fatalf("callbacks saw %v, want [BHP WES]", codes)
		}
	}
	select {
	case c := <-got:
		codes = append(codes, c)
	default:
	}
	if len(codes) != 2 || codes[0] != "BHP" || codes[1] != "WES" {
		t.Errorf("callbacks saw %v, want [BHP WES]", codes)
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
