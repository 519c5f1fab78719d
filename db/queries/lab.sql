-- name: ListEquityBarsBetween :many
-- Daily bars of every active equity between two dates, by instrument then date
-- (the factor lab evaluates an expression across the universe), raw with the
-- adjustment factor.
SELECT d.code, d.date, d.open, d.high, d.low, d.close, d.volume, d.factor
FROM daily_bars d JOIN instruments i ON i.code = d.code
WHERE i.kind = 'equity' AND i.active
  AND d.date >= sqlc.arg(from_date)::date AND d.date <= sqlc.arg(to_date)::date
ORDER BY d.code, d.date;
