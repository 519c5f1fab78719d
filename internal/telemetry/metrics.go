// Package telemetry owns Qlib Pro's Prometheus registry and the metrics named in
// the deployment plan. One *Metrics is built in main and handed to the parts that
// record into it; tests build their own, so nothing is global.
package telemetry

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every collector the application records into.
type Metrics struct {
	Registry *prometheus.Registry

	RequestDuration *prometheus.HistogramVec // api_request_duration_seconds{route,method,status}
	UserLogins      *prometheus.CounterVec   // user_logins_total{result}
	SSEConnections  prometheus.Gauge         // sse_connections_active
	MarketLatency   prometheus.Histogram     // market_data_latency_seconds
	TicksIngested   prometheus.Counter       // market_ticks_ingested_total
	SignalsTotal    *prometheus.CounterVec   // trading_signals_total{model}
	ModelAccuracy   *prometheus.GaugeVec     // ml_model_accuracy{model}
	PortfolioValue  prometheus.Gauge         // portfolio_value_aud

	APIRateLimited prometheus.Counter // api_rate_limited_total: API requests refused with 429

	StreamsOpen    prometheus.Gauge       // sse_streams_open: live streams this machine serves
	StreamsRefused *prometheus.CounterVec // sse_streams_refused_total{reason}: owner, machine
	StreamsClosed  *prometheus.CounterVec // sse_streams_closed_total{reason}: client, lifetime, revoked, stalled, shutdown

	// HubBatchesIgnored counts tick batches the quote hub ignored, by reason:
	// deployment (another deployment's, on the same Redis) or stale_epoch
	// (from a feed leader that has since been replaced).
	HubBatchesIgnored *prometheus.CounterVec // hub_batches_ignored_total{reason}
	// AuthRefused counts requests the account limits refused:
	// auth_requests_refused_total{limit} with password_hash (no hashing
	// slot: 503), password_check (wrong current passwords in settings: 429),
	// signup_ip and reset_ip (requests per client address: 429). Sign-in
	// locks are user_logins_total{result="locked"}.
	AuthRefused *prometheus.CounterVec

	// For the alert rules (ops.go).
	FeedLeader            prometheus.Gauge       // feed_leader
	FeedLastIngest        prometheus.Gauge       // feed_last_ingest_timestamp_seconds
	PortfolioValueUpdated prometheus.Gauge       // portfolio_value_updated_timestamp_seconds
	StreamsMax            prometheus.Gauge       // sse_streams_max
	JobsWorked            *prometheus.CounterVec // jobs_worked_total{kind,result}
}

// New builds the registry with Go and process collectors and the application's metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "api_request_duration_seconds",
			Help:    "HTTP request duration by route template, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		UserLogins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "user_logins_total",
			Help: "Sign-in attempts by result (success, failure, locked).",
		}, []string{"result"}),
		SSEConnections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sse_connections_active",
			Help: "Server-Sent Events streams currently open on this machine.",
		}),
		MarketLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "market_data_latency_seconds",
			Help:    "Time from a tick's timestamp to its event being written to a client.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		TicksIngested: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "market_ticks_ingested_total",
			Help: "Ticks written to the database by the feed leader.",
		}),
		SignalsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trading_signals_total",
			Help: "Trading signals generated, by model name.",
		}, []string{"model"}),
		ModelAccuracy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ml_model_accuracy",
			Help: "Rolling Rank IC of each active model's daily scores.",
		}, []string{"model"}),
		PortfolioValue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "portfolio_value_aud",
			Help: "Total value of all paper trading accounts in AUD.",
		}),
	}
	m.APIRateLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "api_rate_limited_total",
		Help: "JSON API requests refused because their token was over API_RATE_LIMIT.",
	})
	m.StreamsOpen = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "sse_streams_open",
		Help: "Live streams (quotes, portfolio) this machine is serving.",
	})
	m.StreamsRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sse_streams_refused_total",
		Help: "Live streams refused with 429: the owner (user or API token) or this machine was at its cap.",
	}, []string{"reason"})
	m.StreamsClosed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sse_streams_closed_total",
		Help: "Live streams ended, by why: client gone, lifetime reached, session or token revoked, stalled, shutdown.",
	}, []string{"reason"})
	m.HubBatchesIgnored = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hub_batches_ignored_total",
		Help: "Tick batches the quote hub ignored: from another deployment on the same Redis, or from a replaced feed leader (stale_epoch).",
	}, []string{"reason"})
	m.AuthRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "auth_requests_refused_total",
		Help: "Account requests refused by a limit: password_hash (hashing slots full, 503), password_check, signup_ip, reset_ip (429).",
	}, []string{"limit"})
	reg.MustRegister(m.RequestDuration, m.UserLogins, m.SSEConnections, m.MarketLatency,
		m.TicksIngested, m.SignalsTotal, m.ModelAccuracy, m.PortfolioValue,
		m.APIRateLimited, m.StreamsOpen, m.StreamsRefused, m.StreamsClosed, m.HubBatchesIgnored, m.AuthRefused)
	for _, limit := range []string{"password_hash", "password_check", "signup_ip", "reset_ip"} {
		m.AuthRefused.WithLabelValues(limit)
	}
	m.addOps()
	m.UserLogins.WithLabelValues("success")
	m.UserLogins.WithLabelValues("failure")
	m.UserLogins.WithLabelValues("locked")
	return m
}

// WatchPool exports pool statistics: database_connections_active (connections
// in use) plus idle, total and max.
func (m *Metrics) WatchPool(pool *pgxpool.Pool) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "database_connections_active",
			Help: "PostgreSQL connections currently acquired from the pool.",
		}, func() float64 { return float64(pool.Stat().AcquiredConns()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "database_connections_idle",
			Help: "Idle PostgreSQL connections in the pool.",
		}, func() float64 { return float64(pool.Stat().IdleConns()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "database_connections_max",
			Help: "PostgreSQL connections the pool opens at most.",
		}, func() float64 { return float64(pool.Stat().MaxConns()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "database_connections_total",
			Help: "PostgreSQL connections open in the pool.",
		}, func() float64 { return float64(pool.Stat().TotalConns()) }),
	)
}

// WatchHashing exports the password-hashing limiter: password_hashes_running
// (hashes running now), password_hash_slots (the limit) and
// password_hashes_total (hashes run).
func (m *Metrics) WatchHashing(running func() int64, slots int, done func() int64) {
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "password_hashes_running",
			Help: "Password hashes (argon2id) running now on this machine.",
		}, func() float64 { return float64(running()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "password_hash_slots",
			Help: "Password hashes this machine runs at once at most (PASSWORD_HASH_CONCURRENCY).",
		}, func() float64 { return float64(slots) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "password_hashes_total",
			Help: "Password hashes (argon2id) run on this machine.",
		}, func() float64 { return float64(done()) }),
	)
}
