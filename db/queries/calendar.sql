-- name: ListTradingDays :many
-- The market calendar factors are evaluated on: every day on which at least
-- one equity has a daily bar, oldest first (Qlib's calendars/day.txt, which
-- dump_bin writes as the union of the dumped instruments' dates).
SELECT DISTINCT d.date FROM daily_bars d JOIN instruments i ON i.code = d.code
WHERE i.kind = 'equity'
ORDER BY d.date;

-- name: CountBarsBetween :one
-- The number of daily bars of codes from one date to another, both included
-- (the rows a factors stream writes).
SELECT count(*)::bigint FROM daily_bars
WHERE code = ANY(sqlc.arg(codes)::text[])
  AND date >= sqlc.arg(from_date)::date AND date <= sqlc.arg(to_date)::date;

-- name: GetFeatureCalendar :one
-- The calendar a feature set's rows were evaluated on.
SELECT calendar FROM feature_sets WHERE name = $1;

-- name: SetFeatureCalendar :exec
UPDATE feature_sets SET calendar = sqlc.arg(calendar)::date[] WHERE name = sqlc.arg(name)::text;
