-- +goose Up
-- The market calendar a feature set's rows were evaluated on (every day on
-- which an equity had a bar). A day added to or removed from it inside an
-- instrument's history changes that instrument's windows even when none of
-- its own bars changed, so a refresh compares it with the current calendar
-- and rewrites every instrument from the first day that differs. Empty: not
-- recorded yet.
ALTER TABLE feature_sets ADD COLUMN calendar date[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE feature_sets DROP COLUMN calendar;
