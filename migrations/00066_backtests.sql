-- +goose Up
-- Backtest runs: a user's TopK-Dropout (or baseline) simulation of a model
-- version's scores over a date range, run as a background job. params holds
-- the strategy and cost settings as the engine reads them; report holds the
-- metrics, after-tax views, monthly returns and the CGT-aware comparison.
-- The daily values, trades and holdings are rows below, for paging and CSV.
CREATE TABLE backtests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id           bigint,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    model_name       text NOT NULL,
    model_version_id bigint REFERENCES model_versions (id) ON DELETE SET NULL,
    model_version    integer NOT NULL,
    start_date       date NOT NULL,
    end_date         date NOT NULL,
    -- The trading days the run covered once it has loaded its data (the
    -- base day first).
    data_from        date,
    data_to          date,
    benchmark        text NOT NULL DEFAULT 'XJO',
    params           jsonb NOT NULL,
    stage            text NOT NULL DEFAULT 'queued',
    step             integer NOT NULL DEFAULT 0,
    total            integer NOT NULL DEFAULT 0,
    message          text NOT NULL DEFAULT '',
    report           jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (start_date <= end_date)
);
CREATE INDEX backtests_user_idx ON backtests (user_id, created_at DESC);

CREATE TABLE backtest_days (
    backtest_id  bigint NOT NULL REFERENCES backtests (id) ON DELETE CASCADE,
    date         date NOT NULL,
    value        numeric(20, 2) NOT NULL,
    cash         numeric(20, 2) NOT NULL CHECK (cash >= 0),
    costs        numeric(20, 2) NOT NULL,
    dividends    numeric(20, 2) NOT NULL,
    positions    integer NOT NULL,
    ret          double precision NOT NULL,
    cost         double precision NOT NULL,
    turnover     double precision NOT NULL,
    bench_close  double precision,
    bench_return double precision NOT NULL,
    PRIMARY KEY (backtest_id, date)
);

CREATE TABLE backtest_trades (
    backtest_id bigint NOT NULL REFERENCES backtests (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    date        date NOT NULL,
    code        text NOT NULL,
    side        text NOT NULL CHECK (side IN ('buy', 'sell')),
    shares      bigint NOT NULL CHECK (shares > 0),
    price       numeric(14, 4) NOT NULL,
    value       numeric(20, 2) NOT NULL,
    cost        numeric(20, 2) NOT NULL,
    gain        numeric(20, 2),
    PRIMARY KEY (backtest_id, seq)
);
CREATE INDEX backtest_trades_code_idx ON backtest_trades (backtest_id, code, date);

CREATE TABLE backtest_holdings (
    backtest_id bigint NOT NULL REFERENCES backtests (id) ON DELETE CASCADE,
    date        date NOT NULL,
    code        text NOT NULL,
    shares      bigint NOT NULL,
    price       numeric(14, 4) NOT NULL,
    value       numeric(20, 2) NOT NULL,
    days_held   integer NOT NULL,
    PRIMARY KEY (backtest_id, date, code)
);

-- +goose Down
DROP TABLE backtest_holdings;
DROP TABLE backtest_trades;
DROP TABLE backtest_days;
DROP TABLE backtests;
