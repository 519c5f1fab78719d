package migrations

import (
	"context"
	"database/sql"
)

// timescaleMarket (version 6) turns ticks into a hypertable with compression
// and retention and replaces the bars_1m table with a continuous aggregate
// over ticks. On plain PostgreSQL it does nothing: bars_1m stays a table that
// the roll-up job keeps current.
func timescaleMarket(ctx context.Context, db *sql.DB) error {
	ok, err := TimescaleAvailable(ctx, db)
	if err != nil || !ok {
		return err
	}
	if err := hypertable(ctx, db, "ticks", "time", "1 day"); err != nil {
		return err
	}
	for _, stmt := range []string{
		`DROP TABLE bars_1m`,
		`CREATE MATERIALIZED VIEW bars_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
		 SELECT code, time_bucket(INTERVAL '1 minute', time) AS time,
		        first(price, time) AS open, max(price) AS high, min(price) AS low, last(price, time) AS close,
		        sum(size)::bigint AS volume, count(*)::integer AS trades
		 FROM ticks WHERE size > 0
		 GROUP BY code, time_bucket(INTERVAL '1 minute', time)
		 WITH NO DATA`,
		`SELECT add_continuous_aggregate_policy('bars_1m', start_offset => INTERVAL '2 days',
		        end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '30 seconds')`,
		`ALTER TABLE ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'code', timescaledb.compress_orderby = 'time')`,
		`SELECT add_compression_policy('ticks', INTERVAL '7 days')`,
		`SELECT add_retention_policy('ticks', INTERVAL '400 days')`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// timescaleMarketDown puts the plain bars_1m table back where the continuous
// aggregate was; the ticks hypertable is a valid table for version 5.
func timescaleMarketDown(ctx context.Context, db *sql.DB) error {
	var isView bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_views WHERE viewname = 'bars_1m')`).Scan(&isView); err != nil || !isView {
		return err
	}
	for _, stmt := range []string{
		`DROP MATERIALIZED VIEW bars_1m CASCADE`,
		`CREATE TABLE bars_1m (code text NOT NULL, time timestamptz NOT NULL, open double precision NOT NULL,
		   high double precision NOT NULL, low double precision NOT NULL, close double precision NOT NULL,
		   volume bigint NOT NULL, trades integer NOT NULL, PRIMARY KEY (code, time))`,
		`CREATE INDEX bars_1m_time_idx ON bars_1m (time)`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
