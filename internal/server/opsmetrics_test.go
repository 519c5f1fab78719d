package server_test

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// TestFeedMetrics: the feed leader reports itself (feed_leader), the time of
// its last tick batch and the session being open, and the stream cap is
// exported — the series the feed and capacity alerts read.
func TestFeedMetrics(t *testing.T) {
	app := testapp.NewWithClock(t, map[string]string{
		"FEED_ENABLED": "true", "FEED_PROVIDER": "simulator", "FEED_SYMBOLS": "BHP,CBA", "STREAMS_PER_MACHINE": "123",
	}, midSession())
	gauges := func() map[string]float64 {
		fams, err := app.Metrics.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, f := range fams {
			if f.GetType() == dto.MetricType_GAUGE && len(f.GetMetric()) == 1 {
				out[f.GetName()] = f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		return out
	}
	start := float64(time.Now().Unix())
	waitFor(t, "feed_leader = 1 and a tick batch", func() bool {
		g := gauges()
		return g["feed_leader"] == 1 && g["feed_last_ingest_timestamp_seconds"] >= start
	})
	g := gauges()
	if g["market_session_open"] != 1 {
		t.Errorf("market_session_open = %v mid-session", g["market_session_open"])
	}
	if g["sse_streams_max"] != 123 {
		t.Errorf("sse_streams_max = %v, want STREAMS_PER_MACHINE 123", g["sse_streams_max"])
	}
	if g["app_ready"] != 1 || g["database_connections_max"] < 1 {
		t.Errorf("app_ready = %v, database_connections_max = %v", g["app_ready"], g["database_connections_max"])
	}
}
