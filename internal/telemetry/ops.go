package telemetry

import (
	"context"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The metrics the alert rules in deploy/monitoring need beyond the plan's.
func (m *Metrics) addOps() {
	m.FeedLeader = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "feed_leader",
		Help: "1 while this process leads the market feed (writes ticks), else 0.",
	})
	m.FeedLastIngest = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "feed_last_ingest_timestamp_seconds",
		Help: "When this process, as feed leader, last wrote a batch of ticks (Unix seconds; 0 never).",
	})
	m.PortfolioValueUpdated = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portfolio_value_updated_timestamp_seconds",
		Help: "When portfolio_value_aud was last computed (Unix seconds; 0 never).",
	})
	m.StreamsMax = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "sse_streams_max",
		Help: "Live streams this machine serves at most (STREAMS_PER_MACHINE).",
	})
	m.JobsWorked = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jobs_worked_total",
		Help: "Background (river) jobs worked on this machine, by kind and result (completed, failed).",
	}, []string{"kind", "result"})
	m.Registry.MustRegister(m.FeedLeader, m.FeedLastIngest, m.PortfolioValueUpdated, m.StreamsMax, m.JobsWorked)
}

// WatchReadiness exports the /api/ready checks at every scrape: app_ready
// (1 when every check passes) and app_ready_check{check} (1 ok, 0 failing).
// check runs them (it bounds its own time).
func (m *Metrics) WatchReadiness(check func(context.Context) map[string]bool) {
	m.Registry.MustRegister(&readinessCollector{check: check,
		ready: prometheus.NewDesc("app_ready", "1 when /api/ready would answer 200 (PostgreSQL, Redis and the schema are ready), else 0.", nil, nil),
		each:  prometheus.NewDesc("app_ready_check", "Each /api/ready check: 1 ok, 0 failing.", []string{"check"}, nil),
	})
}

type readinessCollector struct {
	check       func(context.Context) map[string]bool
	ready, each *prometheus.Desc
}

func (c *readinessCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.ready; ch <- c.each }

func (c *readinessCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	checks := c.check(ctx)
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	all := 1.0
	for _, n := range names {
		v := 0.0
		if checks[n] {
			v = 1
		} else {
			all = 0
		}
		ch <- prometheus.MustNewConstMetric(c.each, prometheus.GaugeValue, v, n)
	}
	if len(checks) == 0 {
		all = 0
	}
	ch <- prometheus.MustNewConstMetric(c.ready, prometheus.GaugeValue, all)
}

// WatchSession exports market_session_open: 1 while open reports the ASX
// session clock (simulated with the demo feed) inside trading hours, so that
// the feed alerts hold outside them.
func (m *Metrics) WatchSession(open func() bool) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "market_session_open",
		Help: "1 while the ASX session (the feed's clock) is between the open and the close, else 0.",
	}, func() float64 {
		if open() {
			return 1
		}
		return 0
	}))
}
