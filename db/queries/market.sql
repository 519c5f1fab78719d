-- name: GetJobState :one
SELECT upto FROM job_state WHERE name = $1;

-- name: SetJobState :exec
INSERT INTO job_state (name, upto) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET upto = EXCLUDED.upto, updated_at = now();

-- name: RollUpMinuteBars :execrows
-- Recomputes every one-minute bucket that holds a trade written at or after
-- since, from all of that bucket's trades, and upserts it: idempotent, and
-- right for delayed quotes whose exchange times are older than other codes'.
WITH touched AS (
    SELECT DISTINCT t.code, date_bin(INTERVAL '1 minute', t.time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket
    FROM ticks t
    WHERE t.ingested_at >= sqlc.arg(since)::timestamptz AND t.size > 0
)
INSERT INTO bars_1m (code, time, open, high, low, close, volume, trades)
SELECT t.code, b.bucket,
       (array_agg(t.price ORDER BY t.time, t.seq))[1],
       max(t.price), min(t.price),
       (array_agg(t.price ORDER BY t.time DESC, t.seq DESC))[1],
       sum(t.size)::bigint, count(*)::integer
FROM touched b
JOIN ticks t ON t.code = b.code AND t.time >= b.bucket AND t.time < b.bucket + INTERVAL '1 minute' AND t.size > 0
GROUP BY t.code, b.bucket
ON CONFLICT (code, time) DO UPDATE SET
    open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
    volume = EXCLUDED.volume, trades = EXCLUDED.trades;

-- name: MaxTickIngestedAt :one
SELECT coalesce(max(ingested_at), '0001-01-01 00:00:00+00')::timestamptz FROM ticks;

-- name: ListTickTotalsSince :many
-- Each code's trades written since a time: total size, and the newest price
-- and exchange time (a restarted polling provider resumes from them).
SELECT t.code, sum(t.size)::bigint AS volume,
       (array_agg(t.price ORDER BY t.time DESC, t.seq DESC))[1]::float8 AS last,
       max(t.time)::timestamptz AS at
FROM ticks t WHERE t.time >= $1 AND t.size > 0
GROUP BY t.code;

-- name: MaxTickTime :one
SELECT coalesce(max(time), '0001-01-01 00:00:00+00')::timestamptz FROM ticks;

-- name: ListMinuteCandles :many
-- Intraday candles of width minutes (1, 5, 15 or 60) from one-minute bars.
-- Sydney's UTC offset is a whole number of hours, so buckets that divide an
-- hour start at the same instants on the Sydney wall clock and in UTC: the
-- buckets are computed in UTC, without a time-zone conversion per row. The
-- first open and last close are taken as min/max of [epoch, price] pairs,
-- which aggregates without sorting each bucket.
SELECT date_bin(make_interval(mins => sqlc.arg(minutes)::int), b.time, TIMESTAMPTZ '2000-01-01 00:00:00+00')::timestamptz AS time,
       (min(ARRAY[extract(epoch FROM b.time)::float8, b.open]))[2]::float8 AS open,
       max(b.high)::float8 AS high,
       min(b.low)::float8 AS low,
       (max(ARRAY[extract(epoch FROM b.time)::float8, b.close]))[2]::float8 AS close,
       sum(b.volume)::bigint AS volume
FROM bars_1m b
WHERE b.code = sqlc.arg(code) AND b.time >= sqlc.arg(from_time)::timestamptz AND b.time < sqlc.arg(to_time)::timestamptz
GROUP BY 1
ORDER BY 1
LIMIT sqlc.arg(max_rows);

-- name: ListDailyCandles :many
-- Daily, weekly (Monday-start) or monthly candles from daily bars, adjusted
-- for corporate actions (price × factor, volume ÷ factor) or raw.
SELECT (CASE sqlc.arg(period)::text
            WHEN 'week' THEN date_bin(INTERVAL '7 days', d.date::timestamp, TIMESTAMP '2000-01-03')::date
            WHEN 'month' THEN date_trunc('month', d.date)::date
            ELSE d.date END)::date AS date,
       (array_agg(d.open * (CASE WHEN sqlc.arg(adjusted)::bool THEN d.factor ELSE 1 END) ORDER BY d.date))[1]::float8 AS open,
       max(d.high * (CASE WHEN sqlc.arg(adjusted)::bool THEN d.factor ELSE 1 END))::float8 AS high,
       min(d.low * (CASE WHEN sqlc.arg(adjusted)::bool THEN d.factor ELSE 1 END))::float8 AS low,
       (array_agg(d.close * (CASE WHEN sqlc.arg(adjusted)::bool THEN d.factor ELSE 1 END) ORDER BY d.date DESC))[1]::float8 AS close,
       coalesce(sum(round(d.volume / (CASE WHEN sqlc.arg(adjusted)::bool THEN d.factor ELSE 1 END))), 0)::bigint AS volume
FROM daily_bars d
WHERE d.code = sqlc.arg(code) AND d.date >= sqlc.arg(from_date)::date AND d.date <= sqlc.arg(to_date)::date
GROUP BY 1
ORDER BY 1
LIMIT sqlc.arg(max_rows);

-- name: GetSessionBar :one
-- Today's intraday bar so far from one-minute bars (Sydney calendar date).
SELECT count(*)::bigint AS minutes,
       coalesce((array_agg(b.open ORDER BY b.time))[1], 0)::float8 AS open,
       coalesce(max(b.high), 0)::float8 AS high,
       coalesce(min(b.low), 0)::float8 AS low,
       coalesce((array_agg(b.close ORDER BY b.time DESC))[1], 0)::float8 AS close,
       coalesce(sum(b.volume), 0)::bigint AS volume
FROM bars_1m b
WHERE b.code = sqlc.arg(code)
  AND b.time >= (sqlc.arg(day)::date::timestamp AT TIME ZONE 'Australia/Sydney')
  AND b.time < ((sqlc.arg(day)::date + 1)::timestamp AT TIME ZONE 'Australia/Sydney');

-- name: ListSessionBars :many
-- Every instrument's intraday bar for one Sydney date (end-of-day finalisation).
SELECT b.code,
       (array_agg(b.open ORDER BY b.time))[1]::float8 AS open,
       max(b.high)::float8 AS high,
       min(b.low)::float8 AS low,
       (array_agg(b.close ORDER BY b.time DESC))[1]::float8 AS close,
       sum(b.volume)::bigint AS volume
FROM bars_1m b
WHERE b.time >= (sqlc.arg(day)::date::timestamp AT TIME ZONE 'Australia/Sydney')
  AND b.time < ((sqlc.arg(day)::date + 1)::timestamp AT TIME ZONE 'Australia/Sydney')
GROUP BY b.code;

-- name: UpsertFeedDailyBar :exec
INSERT INTO daily_bars (code, date, open, high, low, close, volume, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'feed')
ON CONFLICT (code, date) DO UPDATE SET
    open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
    volume = EXCLUDED.volume, source = 'feed'
WHERE daily_bars.source <> 'history';

-- name: ListQuoteSeeds :many
-- Each active instrument's last daily close (and its date) and the close
-- before it: the previous close of a new session, or of today once today's
-- bar is final. The close before is adjusted (× its factor), so a day that is
-- an ex-date compares with the adjusted previous close; the last close's
-- factor is always 1.
SELECT i.code, i.kind, i.name, i.sector,
       coalesce(l.close, 0)::float8 AS last_close,
       coalesce(l.date, '0001-01-01')::date AS last_date,
       coalesce(p.close * p.factor, l.close, 0)::float8 AS prior_close
FROM instruments i
LEFT JOIN LATERAL (
    SELECT d.close, d.date FROM daily_bars d WHERE d.code = i.code ORDER BY d.date DESC LIMIT 1
) l ON true
LEFT JOIN LATERAL (
    SELECT d.close, d.factor FROM daily_bars d WHERE d.code = i.code AND d.date < l.date ORDER BY d.date DESC LIMIT 1
) p ON true
WHERE i.active
ORDER BY i.rank NULLS LAST, i.code;

-- name: ListLastTicks :many
-- The newest tick of each instrument since a time (bid, ask and sequence to
-- seed the quote board after a restart).
SELECT DISTINCT ON (t.code) t.code, t.time, t.price, t.size, coalesce(t.bid, 0)::float8 AS bid,
       coalesce(t.ask, 0)::float8 AS ask, t.seq
FROM ticks t WHERE t.time >= $1
ORDER BY t.code, t.time DESC, t.seq DESC;

-- name: ListRecentCloses :many
-- The last n closes and volumes of one instrument, oldest first, adjusted for
-- corporate actions (a split is not volatility).
SELECT (close * factor)::float8 AS close, coalesce(round(volume / factor), 0)::bigint AS volume FROM (
    SELECT d.date, d.close, d.volume, d.factor FROM daily_bars d WHERE d.code = $1 ORDER BY d.date DESC LIMIT $2
) x ORDER BY date;

-- name: NextFeedEpoch :one
-- Takes the epoch of a new feed leader term (see migration 00031): above
-- every epoch taken before and at least the database clock in milliseconds.
INSERT INTO feed_epoch AS f (id, epoch)
VALUES (true, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
ON CONFLICT (id) DO UPDATE SET epoch = greatest(f.epoch + 1, EXCLUDED.epoch), started_at = now()
RETURNING epoch;
