-- +goose Up
-- The feed leader's epoch. Each process that becomes the feed leader takes
-- the next one and stamps it on every tick batch it publishes, so that hubs
-- can ignore a former leader that still publishes after losing its lock. One
-- row, updated under the feed's advisory lock: each term's epoch is above
-- every earlier one and at least the database clock in milliseconds, so it
-- keeps growing across restarts, a restore from backup or a fresh database.
CREATE TABLE feed_epoch (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    epoch      bigint NOT NULL CHECK (epoch > 0),
    started_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE feed_epoch;
