-- +goose Up
-- Deal prices of adjusted runs are raw grid prices × the adjustment factor,
-- so they need more than four decimals; holdings are marked at adjusted
-- closes alike.
ALTER TABLE backtest_trades ALTER COLUMN price TYPE numeric(18, 6);
ALTER TABLE backtest_holdings ALTER COLUMN price TYPE numeric(18, 6);

-- +goose Down
ALTER TABLE backtest_holdings ALTER COLUMN price TYPE numeric(14, 4);
ALTER TABLE backtest_trades ALTER COLUMN price TYPE numeric(14, 4);
