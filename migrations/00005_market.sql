-- +goose Up
-- Ticks are market data written by the feed leader with COPY: no foreign key
-- (the instrument list is checked by the feed), float8 prices.
CREATE TABLE ticks (
    time  timestamptz NOT NULL,
    code  text NOT NULL,
    price double precision NOT NULL CHECK (price > 0),
    size  bigint NOT NULL CHECK (size >= 0),
    bid   double precision,
    ask   double precision,
    seq   bigint NOT NULL,
    kind  smallint NOT NULL DEFAULT 0, -- 0 trade, 1 auction, 2 quote only
    -- When the row was written: the roll-up recomputes the buckets of newly
    -- written ticks, whatever their (possibly delayed) exchange times.
    ingested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticks_code_time_idx ON ticks (code, time);
CREATE INDEX ticks_ingested_idx ON ticks (ingested_at);

-- One-minute bars rolled up from ticks (a continuous aggregate under
-- TimescaleDB; on plain PostgreSQL an idempotent upsert keeps it current).
CREATE TABLE bars_1m (
    code   text NOT NULL,
    time   timestamptz NOT NULL, -- bucket start
    open   double precision NOT NULL,
    high   double precision NOT NULL,
    low    double precision NOT NULL,
    close  double precision NOT NULL,
    volume bigint NOT NULL,
    trades integer NOT NULL,
    PRIMARY KEY (code, time)
);
CREATE INDEX bars_1m_time_idx ON bars_1m (time);

-- Watermarks of background jobs (the roll-up's last processed tick time).
CREATE TABLE job_state (
    name       text PRIMARY KEY,
    upto       timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where a daily bar came from: the shipped history, an import, or the live
-- feed's end-of-day finalisation.
ALTER TABLE daily_bars ADD COLUMN source text NOT NULL DEFAULT 'history'
    CHECK (source IN ('history', 'import', 'feed'));

CREATE TABLE watchlists (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);
CREATE INDEX watchlists_user_idx ON watchlists (user_id, position);

CREATE TABLE watchlist_items (
    watchlist_id bigint NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
    code         text NOT NULL REFERENCES instruments (code),
    position     integer NOT NULL DEFAULT 0,
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (watchlist_id, code)
);

-- +goose Down
DROP TABLE watchlist_items;
DROP TABLE watchlists;
ALTER TABLE daily_bars DROP COLUMN source;
DROP TABLE job_state;
DROP TABLE bars_1m;
DROP TABLE ticks;
