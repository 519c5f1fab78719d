-- Backtest runs and their results; every read of a run is scoped by its user.

-- name: CreateBacktest :one
INSERT INTO backtests (user_id, model_name, model_version_id, model_version, start_date, end_date, benchmark, params)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id;

-- name: SetBacktestJob :exec
UPDATE backtests SET job_id = $2 WHERE id = $1;

-- name: GetBacktest :one
SELECT id, user_id, job_id, status, model_name, model_version_id, model_version, start_date, end_date,
       data_from, data_to, benchmark, params, stage, step, total, message, report,
       created_at, started_at, finished_at, updated_at
FROM backtests WHERE id = $1 AND user_id = $2;

-- name: GetBacktestForJob :one
SELECT id, user_id, job_id, status, model_name, model_version_id, model_version, start_date, end_date,
       data_from, data_to, benchmark, params, stage, step, total, message, report,
       created_at, started_at, finished_at, updated_at
FROM backtests WHERE id = $1;

-- name: ListBacktests :many
SELECT id, status, model_name, model_version, start_date, end_date, params, stage, step, total, message,
       (report -> 'metrics')::jsonb AS metrics,
       created_at, finished_at
FROM backtests WHERE user_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2;

-- name: StartBacktest :execrows
-- A queued (or retried running) run starts; a cancelled one does not.
UPDATE backtests SET status = 'running', started_at = coalesce(started_at, now()), stage = 'load',
       step = 0, total = 0, message = 'loading signals and prices', updated_at = now()
WHERE id = $1 AND status IN ('queued', 'running');

-- name: SetBacktestProgress :one
-- Records progress of a running run and returns its status, so that the
-- worker sees a cancellation.
UPDATE backtests SET stage = $2, step = $3, total = $4, message = $5, updated_at = now()
WHERE id = $1
RETURNING status;

-- name: SetBacktestRange :exec
UPDATE backtests SET data_from = $2, data_to = $3 WHERE id = $1;

-- name: CompleteBacktest :execrows
UPDATE backtests SET status = 'completed', stage = 'done', step = total, message = 'finished',
       report = $2, finished_at = now(), updated_at = now()
WHERE id = $1 AND status = 'running';

-- name: FailBacktest :exec
UPDATE backtests SET status = 'failed', stage = 'failed', message = $2, finished_at = now(), updated_at = now()
WHERE id = $1 AND status IN ('queued', 'running');

-- name: CancelBacktest :one
UPDATE backtests SET status = 'cancelled', stage = 'cancelled', message = 'cancelled by you',
       finished_at = now(), updated_at = now()
WHERE id = $1 AND user_id = $2 AND status IN ('queued', 'running')
RETURNING job_id;

-- name: DeleteBacktestResults :exec
DELETE FROM backtest_days WHERE backtest_id = $1;

-- name: DeleteBacktestTrades :exec
DELETE FROM backtest_trades WHERE backtest_id = $1;

-- name: DeleteBacktestHoldings :exec
DELETE FROM backtest_holdings WHERE backtest_id = $1;

-- name: CopyBacktestDays :copyfrom
INSERT INTO backtest_days (backtest_id, date, value, cash, costs, dividends, positions, ret, cost, turnover, bench_close, bench_return)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);

-- name: CopyBacktestTrades :copyfrom
INSERT INTO backtest_trades (backtest_id, seq, date, code, side, shares, price, value, cost, gain)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: CopyBacktestHoldings :copyfrom
INSERT INTO backtest_holdings (backtest_id, date, code, shares, price, value, days_held)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ListBacktestDays :many
SELECT date, value, cash, costs, dividends, positions, ret, cost, turnover, bench_close, bench_return
FROM backtest_days WHERE backtest_id = $1 ORDER BY date;

-- name: ListBacktestTrades :many
SELECT seq, date, code, side, shares, price, value, cost, gain
FROM backtest_trades WHERE backtest_id = $1
ORDER BY seq LIMIT sqlc.arg(lim)::int OFFSET sqlc.arg(off)::int;

-- name: ListBacktestTradesOf :many
SELECT seq, date, code, side, shares, price, value, cost, gain
FROM backtest_trades WHERE backtest_id = $1 AND code = $2 ORDER BY seq;

-- name: CountBacktestTrades :one
SELECT count(*)::bigint FROM backtest_trades WHERE backtest_id = $1;

-- name: ListBacktestHoldings :many
SELECT date, code, shares, price, value, days_held
FROM backtest_holdings WHERE backtest_id = $1
  AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY date, code;

-- Inputs --------------------------------------------------------------------

-- name: GetModelBlob :one
SELECT id, name, version, kind, features, preprocess, blob FROM model_versions WHERE id = $1;

-- name: ListBacktestBars :many
-- Adjusted opens and closes (raw × factor, as Qlib's $open/$close) of several
-- instruments over a range, by instrument then date: a split or
-- consolidation inside the range is not a fake return.
SELECT code, date, (open * factor)::float8 AS open, (close * factor)::float8 AS close, factor FROM daily_bars
WHERE code = ANY(sqlc.arg(codes)::text[])
  AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY code, date;

-- name: ListBacktestDividends :many
-- Dividends per adjusted share (the announced amount × the factor of the
-- first bar on or after the ex-date, like the adjusted prices), leaving out
-- a distribution that a demerger's factor already carries in the adjusted
-- prices (BHP's in-specie Woodside shares of 2022-05-25).
SELECT e.code, e.ex_date, e.pay_date,
       (e.amount * coalesce((SELECT b.factor FROM daily_bars b WHERE b.code = e.code AND b.date >= e.ex_date
                             ORDER BY b.date LIMIT 1), 1)::numeric)::numeric AS amount,
       e.franking_pct, e.franking_stated
FROM dividend_events e
WHERE e.code = ANY(sqlc.arg(codes)::text[])
  AND e.ex_date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
  AND NOT EXISTS (SELECT 1 FROM corporate_actions c
                  WHERE c.code = e.code AND c.ex_date = e.ex_date AND c.kind = 'demerger'
                    AND c.adjustment_factor IS NOT NULL AND c.adjustment_factor <> 1)
ORDER BY e.ex_date, e.code;

-- name: LockUserBacktests :exec
-- Serialises creating runs of one user until the transaction ends, so the
-- active-run cap holds.
SELECT pg_advisory_xact_lock(hashtextextended('backtests:' || sqlc.arg(user_id)::bigint::text, 0));

-- name: CountActiveBacktests :one
SELECT count(*)::int FROM backtests WHERE user_id = $1 AND status IN ('queued', 'running');

-- name: ListBacktestHoldingsPage :many
SELECT date, code, shares, price, value, days_held
FROM backtest_holdings WHERE backtest_id = $1
ORDER BY date, code LIMIT sqlc.arg(lim)::int OFFSET sqlc.arg(off)::int;

-- name: CountBacktestHoldings :one
SELECT count(*)::bigint FROM backtest_holdings WHERE backtest_id = $1;
