-- name: CountDailyBars :one
SELECT count(*)::bigint FROM daily_bars;

-- name: ListLatestBars :many
-- The last n bars of one instrument, newest first.
SELECT date, open, high, low, close, volume FROM daily_bars
WHERE code = $1 ORDER BY date DESC LIMIT $2;

-- name: ListIndexSummaries :many
-- Each index's latest close and the close before it.
SELECT i.code, i.name,
       b.date::date AS date,
       b.close::float8 AS close,
       coalesce(p.close, b.close)::float8 AS prev_close
FROM instruments i
JOIN LATERAL (
    SELECT d.date, d.close FROM daily_bars d
    WHERE d.code = i.code ORDER BY d.date DESC LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT d.close FROM daily_bars d
    WHERE d.code = i.code AND d.date < b.date ORDER BY d.date DESC LIMIT 1
) p ON true
WHERE i.kind = 'index'
ORDER BY array_position(ARRAY['XJO','XTL','XFL','XTO','XKO','XAO'], i.code), i.code;

-- name: GetLatestBarDate :one
SELECT coalesce(max(date), '0001-01-01')::date FROM daily_bars;

-- name: GetLastBarDateFor :one
SELECT coalesce(max(date), '0001-01-01')::date FROM daily_bars WHERE code = $1;
