-- +goose Up
-- The ASX purges the orders on a code at the start of the ex-date of a split
-- or consolidation (their prices and quantities are in the old shares). One
-- row per action whose paper orders have been purged, so it happens once.
CREATE TABLE corporate_action_purges (
    action_id bigint PRIMARY KEY REFERENCES corporate_actions (id) ON DELETE CASCADE,
    orders    integer NOT NULL CHECK (orders >= 0),
    purged_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE corporate_action_purges;
