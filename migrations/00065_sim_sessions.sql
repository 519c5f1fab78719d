-- +goose Up
-- The demo feed's simulated sessions. Each ASX trading day the simulator
-- plays is one row: the real instant its session clock started (09:59:30
-- Sydney of that day in session time) and the speed it runs at. A process
-- that restarts, or another machine, reads the row and continues the same
-- session instead of starting it again.
CREATE TABLE sim_sessions (
    day        date PRIMARY KEY, -- the simulated trading day (Sydney date)
    started_at timestamptz NOT NULL,
    speed      double precision NOT NULL CHECK (speed > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Daily bars of simulated sessions (the demo feed's days, and the days
-- `qlibpro seed --simulate-to` fills between the shipped history and today)
-- are 'sim': charts and signals label them, model evidence leaves them out,
-- and a real provider's bar for the same day replaces them.
ALTER TABLE daily_bars DROP CONSTRAINT daily_bars_source_check;
ALTER TABLE daily_bars ADD CONSTRAINT daily_bars_source_check
    CHECK (source IN ('history', 'import', 'feed', 'sim'));
CREATE INDEX daily_bars_sim_idx ON daily_bars (date) WHERE source = 'sim';

-- +goose Down
DROP INDEX daily_bars_sim_idx;
DELETE FROM daily_bars WHERE source = 'sim';
ALTER TABLE daily_bars DROP CONSTRAINT daily_bars_source_check;
ALTER TABLE daily_bars ADD CONSTRAINT daily_bars_source_check
    CHECK (source IN ('history', 'import', 'feed'));
DROP TABLE sim_sessions;
