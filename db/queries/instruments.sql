-- name: CountInstruments :one
SELECT count(*)::bigint FROM instruments;

-- name: GetInstrument :one
SELECT * FROM instruments WHERE code = $1;

-- name: ListSectors :many
SELECT DISTINCT sector::text FROM instruments
WHERE kind = 'equity' AND active AND sector <> ''
ORDER BY 1;

-- name: UpsertInstrument :exec
INSERT INTO instruments (code, name, kind, sector, industry_group, yahoo_symbol, rank, active)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name,
    kind = EXCLUDED.kind,
    sector = EXCLUDED.sector,
    industry_group = EXCLUDED.industry_group,
    yahoo_symbol = EXCLUDED.yahoo_symbol,
    rank = EXCLUDED.rank,
    active = EXCLUDED.active,
    updated_at = now()
WHERE (instruments.name, instruments.kind, instruments.sector, instruments.industry_group,
       instruments.yahoo_symbol, instruments.rank, instruments.active)
   IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.sector, EXCLUDED.industry_group,
       EXCLUDED.yahoo_symbol, EXCLUDED.rank, EXCLUDED.active);

-- name: SetInstrumentActivity :execrows
-- An equity is active when it has traded within the last 30 days of the data.
UPDATE instruments i SET active = (
    SELECT coalesce(max(b.date) >= (SELECT max(date) FROM daily_bars) - 30, false)
    FROM daily_bars b WHERE b.code = i.code
), updated_at = now()
WHERE i.kind = 'equity';

-- name: ListMarketOverview :many
-- The latest bar of each active equity and the close before it (adjusted
-- for corporate actions, so an ex-date is not a fall), for the end-of-day
-- overview table. sector = '' means every sector.
SELECT i.code, i.name, i.sector, i.industry_group,
       b.date::date AS date,
       b.close::float8 AS close,
       coalesce(p.close * p.factor, b.close)::float8 AS prev_close,
       coalesce(b.volume, 0)::bigint AS volume
FROM instruments i
JOIN LATERAL (
    SELECT d.date, d.close, d.volume FROM daily_bars d
    WHERE d.code = i.code ORDER BY d.date DESC LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT d.close, d.factor FROM daily_bars d
    WHERE d.code = i.code AND d.date < b.date ORDER BY d.date DESC LIMIT 1
) p ON true
WHERE i.kind = 'equity' AND i.active
  AND (sqlc.arg(sector)::text = '' OR i.sector = sqlc.arg(sector)::text)
ORDER BY i.rank NULLS LAST, i.code;
