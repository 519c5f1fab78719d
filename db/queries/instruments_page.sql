-- name: ListInstruments :many
-- Instruments with optional filters, for the API and the markets board.
SELECT i.code, i.name, i.kind, i.sector, i.industry_group, i.active
FROM instruments i
WHERE (sqlc.arg(kind)::text = '' OR i.kind = sqlc.arg(kind)::text)
  AND (sqlc.arg(sector)::text = '' OR i.sector = sqlc.arg(sector)::text)
  AND (sqlc.arg(q)::text = '' OR i.code ILIKE sqlc.arg(q)::text || '%' OR i.name ILIKE '%' || sqlc.arg(q)::text || '%')
  AND (NOT sqlc.arg(active_only)::boolean OR i.active)
ORDER BY i.kind, i.rank NULLS LAST, i.code
LIMIT sqlc.arg(max_rows) OFFSET sqlc.arg(skip);

-- name: CountInstrumentsFiltered :one
SELECT count(*)::bigint FROM instruments i
WHERE (sqlc.arg(kind)::text = '' OR i.kind = sqlc.arg(kind)::text)
  AND (sqlc.arg(sector)::text = '' OR i.sector = sqlc.arg(sector)::text)
  AND (sqlc.arg(q)::text = '' OR i.code ILIKE sqlc.arg(q)::text || '%' OR i.name ILIKE '%' || sqlc.arg(q)::text || '%')
  AND (NOT sqlc.arg(active_only)::boolean OR i.active);

-- name: GetInstrumentStats :one
-- 52-week high and low, average daily volume (3 months) and the last close,
-- adjusted for corporate actions (the latest day's factor is 1).
SELECT coalesce(max(d.high * d.factor) FILTER (WHERE d.date > l.date - 365), 0)::float8 AS high_52w,
       coalesce(min(d.low * d.factor) FILTER (WHERE d.date > l.date - 365), 0)::float8 AS low_52w,
       coalesce(avg(d.volume / d.factor) FILTER (WHERE d.date > l.date - 91), 0)::float8 AS avg_volume,
       l.date::date AS last_date
FROM (SELECT max(x.date) AS date FROM daily_bars x WHERE x.code = sqlc.arg(code)::text) l
JOIN daily_bars d ON d.code = sqlc.arg(code)::text AND d.date > l.date - 365
GROUP BY l.date;

-- name: ListDailyHistory :many
SELECT date, open, high, low, close, volume FROM daily_bars
WHERE code = $1 ORDER BY date DESC LIMIT $2 OFFSET $3;

-- name: CountDailyBarsFor :one
SELECT count(*)::bigint FROM daily_bars WHERE code = $1;
