-- +goose Up
-- Daily bars are market data for charts and factors: float8 prices are enough
-- (money that changes hands is numeric elsewhere). Volume is NULL for indices.
CREATE TABLE daily_bars (
    code   text NOT NULL REFERENCES instruments (code) ON DELETE CASCADE,
    date   date NOT NULL,
    open   double precision NOT NULL CHECK (open > 0),
    high   double precision NOT NULL CHECK (high > 0),
    low    double precision NOT NULL CHECK (low > 0),
    close  double precision NOT NULL CHECK (close > 0),
    volume bigint CHECK (volume >= 0),
    PRIMARY KEY (code, date),
    CHECK (high >= low)
);
CREATE INDEX daily_bars_date_idx ON daily_bars (date);

-- +goose Down
DROP TABLE daily_bars;
