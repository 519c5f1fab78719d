-- name: ClaimSimSession :one
-- The start of a simulated trading day's session: the stored one, or the
-- given one, stored now, when the day has none (see migration 00065).
WITH ins AS (
    INSERT INTO sim_sessions (day, started_at, speed)
    VALUES (sqlc.arg(day)::date, sqlc.arg(started_at)::timestamptz, sqlc.arg(speed)::float8)
    ON CONFLICT (day) DO NOTHING
    RETURNING started_at
)
SELECT started_at FROM ins
UNION ALL
SELECT s.started_at FROM sim_sessions s WHERE s.day = sqlc.arg(day)::date
LIMIT 1;

-- name: GetSimSession :one
SELECT started_at FROM sim_sessions WHERE day = $1;

-- name: UpsertSimDailyBar :exec
-- A simulated session's daily bar. It never replaces a real bar (history,
-- import or a real provider's feed).
INSERT INTO daily_bars (code, date, open, high, low, close, volume, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'sim')
ON CONFLICT (code, date) DO UPDATE SET
    open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
    volume = EXCLUDED.volume
WHERE daily_bars.source = 'sim';

-- name: InsertSimDailyBars :execrows
-- Simulated daily bars in bulk (volume -1 for none); a day that already has a bar (of any
-- source) keeps it.
INSERT INTO daily_bars (code, date, open, high, low, close, volume, source)
SELECT unnest(sqlc.arg(codes)::text[]), unnest(sqlc.arg(dates)::date[]), unnest(sqlc.arg(opens)::float8[]),
       unnest(sqlc.arg(highs)::float8[]), unnest(sqlc.arg(lows)::float8[]), unnest(sqlc.arg(closes)::float8[]),
       nullif(unnest(sqlc.arg(volumes)::bigint[]), -1), 'sim'
ON CONFLICT (code, date) DO NOTHING;

-- name: ListSimFillSeeds :many
-- Each active instrument's last daily bar (of any source), with the date of
-- its last real one and the last real date of any instrument: a fill of
-- simulated days continues from the later of its last bar and that date
-- (an instrument that did not trade on real days stays without them).
SELECT i.code, i.kind,
       l.date::date AS last_date, l.close::float8 AS last_close,
       coalesce(r.date, '0001-01-01')::date AS last_real_date,
       (SELECT coalesce(max(m.date), '0001-01-01') FROM daily_bars m WHERE m.source <> 'sim')::date AS market_last_real
FROM instruments i
JOIN LATERAL (
    SELECT d.date, d.close FROM daily_bars d WHERE d.code = i.code ORDER BY d.date DESC LIMIT 1
) l ON true
LEFT JOIN LATERAL (
    SELECT d.date FROM daily_bars d WHERE d.code = i.code AND d.source <> 'sim' ORDER BY d.date DESC LIMIT 1
) r ON true
WHERE i.active
ORDER BY i.code;

-- name: ListRealCloses :many
-- The last n real closes and volumes of every active instrument, oldest
-- first within each code (the fill's volatility and volume estimates).
SELECT i.code, x.close, x.volume
FROM instruments i
JOIN LATERAL (
    SELECT d.date, d.close, coalesce(d.volume, 0)::bigint AS volume FROM daily_bars d
    WHERE d.code = i.code AND d.source <> 'sim' ORDER BY d.date DESC LIMIT sqlc.arg(n)::int
) x ON true
WHERE i.active
ORDER BY i.code, x.date;

-- name: ListSimDays :many
-- The dates of one instrument's simulated bars in a range (chart labels).
SELECT date FROM daily_bars
WHERE code = $1 AND source = 'sim' AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY date;

-- name: GetSimSpan :one
-- The first and last simulated daily bar dates (zero dates when none), and
-- the last real one.
SELECT coalesce(min(date) FILTER (WHERE source = 'sim'), '0001-01-01')::date AS first_sim,
       coalesce(max(date) FILTER (WHERE source = 'sim'), '0001-01-01')::date AS last_sim,
       coalesce(max(date) FILTER (WHERE source <> 'sim'), '0001-01-01')::date AS last_real
FROM daily_bars;

-- name: GetSimSpanFor :one
-- One instrument's first and last simulated daily bar (zero dates when none).
SELECT coalesce(min(date), '0001-01-01')::date AS first_sim,
       coalesce(max(date), '0001-01-01')::date AS last_sim
FROM daily_bars WHERE code = $1 AND source = 'sim';

-- name: IsSimDay :one
-- Whether most of a date's daily bars are simulated (a day of the demo's
-- simulated sessions rather than of the real history).
SELECT (2 * count(*) FILTER (WHERE source = 'sim') > count(*))::bool FROM daily_bars WHERE date = $1;

-- name: IsSimBar :one
-- Whether one instrument's bar on a date is simulated (false when none).
SELECT coalesce((SELECT source = 'sim' FROM daily_bars WHERE code = $1 AND date = $2), false)::bool;
