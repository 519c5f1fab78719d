package migrations

import (
	"context"
	"database/sql"
	"fmt"
)

// Bars1mAggregate is the continuous aggregate that replaces the bars_1m table
// under full TimescaleDB. Open and close break ties between trades with the
// same timestamp by seq, as the plain roll-up does (RollUpMinuteBars orders by
// time, seq): a record (time, seq) compares field by field.
const Bars1mAggregate = `CREATE MATERIALIZED VIEW bars_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
 SELECT code, time_bucket(INTERVAL '1 minute', time) AS time,
        first(price, ROW(time, seq)) AS open, max(price) AS high, min(price) AS low,
        last(price, ROW(time, seq)) AS close,
        sum(size)::bigint AS volume, count(*)::integer AS trades
 FROM ticks WHERE size > 0
 GROUP BY code, time_bucket(INTERVAL '1 minute', time)
 WITH NO DATA`

// timescaleMarket (version 6) turns ticks into a hypertable and, with full
// TimescaleDB, adds compression and retention and replaces the bars_1m table
// with a continuous aggregate over ticks. On plain PostgreSQL it does nothing:
// bars_1m stays a table that the roll-up job keeps current.
//
// Every step runs in one transaction, so a failure leaves version 5 as it
// was, and every step tolerates its own earlier result (a database that was
// taken down to 5 and comes up again, or one an older, non-transactional
// version of this migration left half done).
func timescaleMarket(ctx context.Context, db *sql.DB, level TimescaleLevel) error {
	if level == Plain {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if err := hypertable(ctx, tx, "ticks", "time", "1 day"); err != nil {
		return err
	}
	if level == Full {
		kind, err := relkind(ctx, tx, "bars_1m")
		if err != nil {
			return err
		}
		steps := []string{}
		switch kind {
		case "r":
			steps = append(steps, `DROP TABLE bars_1m`)
		case "v":
			steps = append(steps, `DROP MATERIALIZED VIEW bars_1m CASCADE`)
		}
		steps = append(steps, Bars1mAggregate,
			`SELECT add_continuous_aggregate_policy('bars_1m', start_offset => INTERVAL '2 days',
			        end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '30 seconds', if_not_exists => true)`,
			`ALTER TABLE ticks SET (timescaledb.compress, timescaledb.compress_segmentby = 'code', timescaledb.compress_orderby = 'time')`,
			`SELECT add_compression_policy('ticks', INTERVAL '7 days', if_not_exists => true)`,
			`SELECT add_retention_policy('ticks', INTERVAL '400 days', if_not_exists => true)`)
		for _, stmt := range steps {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("timescaledb: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if level == Full {
		// Materialise every existing tick now (refresh cannot run in a
		// transaction). The policy refreshes only the last two days, and a
		// real-time aggregate reads materialised rows below its watermark,
		// so older buckets would otherwise disappear after its first run.
		if _, err := db.ExecContext(ctx, `CALL refresh_continuous_aggregate('bars_1m', NULL, now() - INTERVAL '1 minute')`); err != nil {
			return fmt.Errorf("timescaledb: refresh bars_1m: %w", err)
		}
	}
	return nil
}

// timescaleMarketDown puts the plain bars_1m table back where the continuous
// aggregate was, with the aggregate's rows, and removes the policies on ticks
// so that going up again adds them anew. The ticks hypertable (compressed
// chunks included) is a valid table for version 5.
func timescaleMarketDown(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var installed bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')`).Scan(&installed); err != nil || !installed {
		return err
	}
	kind, err := relkind(ctx, tx, "bars_1m")
	if err != nil {
		return err
	}
	if kind == "" {
		return fmt.Errorf("timescaledb down: bars_1m is missing")
	}
	var steps []string
	if kind == "v" {
		steps = append(steps,
			`CREATE TABLE bars_1m_v5 (code text NOT NULL, time timestamptz NOT NULL, open double precision NOT NULL,
			   high double precision NOT NULL, low double precision NOT NULL, close double precision NOT NULL,
			   volume bigint NOT NULL, trades integer NOT NULL)`,
			`INSERT INTO bars_1m_v5 SELECT code, time, open, high, low, close, volume, trades FROM bars_1m`,
			`DROP MATERIALIZED VIEW bars_1m CASCADE`,
			`ALTER TABLE bars_1m_v5 RENAME TO bars_1m`,
			`ALTER TABLE bars_1m ADD CONSTRAINT bars_1m_pkey PRIMARY KEY (code, time)`,
			`CREATE INDEX bars_1m_time_idx ON bars_1m (time)`)
	}
	// Policies exist only under the Timescale license, whose functions
	// remove them; an Apache-licensed build added none.
	var policies bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM timescaledb_information.jobs
		WHERE hypertable_name = 'ticks' AND proc_name IN ('policy_compression', 'policy_retention'))`).Scan(&policies); err != nil {
		return err
	}
	if policies {
		steps = append(steps,
			`SELECT remove_compression_policy('ticks', if_exists => true)`,
			`SELECT remove_retention_policy('ticks', if_exists => true)`)
	}
	for _, stmt := range steps {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("timescaledb down: %w", err)
		}
	}
	return tx.Commit()
}

// relkind is the pg_class kind of a relation in the current schema: "r"
// table, "v" view (a continuous aggregate's user view), "" none.
func relkind(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	var kind sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)`, name).Scan(&kind)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return kind.String, err
}
