-- name: ListTradingDays :many
-- The market calendar factors are evaluated on: every day on which at least
-- one equity has a daily bar, oldest first (Qlib's calendars/day.txt, which
-- dump_bin writes as the union of the dumped instruments' dates).
SELECT DISTINCT d.date FROM daily_bars d JOIN instruments i ON i.code = d.code
WHERE i.kind = 'equity'
ORDER BY d.date;
