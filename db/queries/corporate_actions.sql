-- Corporate actions and the daily bars' adjustment factor.

-- name: UpsertCorporateAction :one
-- Adds an action or corrects the one with the same code, ex-date and kind.
-- changed is false when the row already held these values.
INSERT INTO corporate_actions AS c (code, ex_date, kind, ratio, adjustment_factor, source, note)
VALUES (sqlc.arg(code), sqlc.narg(ex_date), sqlc.arg(kind), sqlc.arg(ratio), sqlc.narg(adjustment_factor),
        sqlc.arg(source), sqlc.arg(note))
ON CONFLICT (code, ex_date, kind) DO UPDATE SET
    ratio = EXCLUDED.ratio, adjustment_factor = EXCLUDED.adjustment_factor,
    source = EXCLUDED.source, note = EXCLUDED.note, updated_at = now()
WHERE (c.ratio, c.adjustment_factor, c.source, c.note)
      IS DISTINCT FROM (EXCLUDED.ratio, EXCLUDED.adjustment_factor, EXCLUDED.source, EXCLUDED.note)
RETURNING id;

-- name: GetCorporateAction :one
SELECT * FROM corporate_actions WHERE id = $1;

-- name: GetCorporateActionByKey :one
SELECT * FROM corporate_actions
WHERE code = sqlc.arg(code) AND ex_date IS NOT DISTINCT FROM sqlc.narg(ex_date)::date AND kind = sqlc.arg(kind);

-- name: ListCorporateActions :many
-- Every action, or one code's (code ''), newest first.
SELECT * FROM corporate_actions
WHERE sqlc.arg(code)::text = '' OR code = sqlc.arg(code)::text
ORDER BY ex_date DESC NULLS FIRST, code, kind
LIMIT sqlc.arg(max_rows)::int;

-- name: CountCorporateActions :one
SELECT count(*)::bigint FROM corporate_actions;

-- name: ListAdjustedCodes :many
-- Codes with an action that adjusts prices: the only codes whose bars can
-- have a factor other than 1 (saving or deleting an action recomputes its
-- code directly, so a code that loses its last action is reset then).
SELECT DISTINCT code FROM corporate_actions WHERE adjustment_factor IS NOT NULL AND adjustment_factor <> 1
ORDER BY 1;

-- name: RecomputeFactors :execrows
-- Sets the factor of every bar of codes from their actions (see migration
-- 00062): the product of the factors of events after the bar's date and on or
-- before the code's latest bar. The events of a code split its history into
-- steps: bars before the first event take the product of all of them, bars
-- from one event's ex-date to the next event's take the product of the later
-- ones, bars on or after the last event 1. Only bars whose factor changes are
-- written.
WITH last AS (
    SELECT b.code, max(b.date) AS last_date FROM daily_bars b
    WHERE b.code = ANY(sqlc.arg(codes)::text[]) GROUP BY b.code
), ev AS (
    SELECT a.id, a.code, a.ex_date, a.adjustment_factor AS f
    FROM corporate_actions a JOIN last l ON l.code = a.code
    WHERE a.adjustment_factor IS NOT NULL AND a.ex_date <= l.last_date
), steps AS (
    SELECT ev.code, ev.ex_date AS hi,
           coalesce(lag(ev.ex_date) OVER (PARTITION BY ev.code ORDER BY ev.ex_date, ev.id), '-infinity'::date) AS lo,
           factor_product(ev.f) OVER (PARTITION BY ev.code ORDER BY ev.ex_date DESC, ev.id DESC
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c
    FROM ev
), want AS (
    SELECT b.code, b.date, coalesce(s.c, 1)::float8 AS factor
    FROM daily_bars b
    LEFT JOIN steps s ON s.code = b.code AND b.date >= s.lo AND b.date < s.hi
    WHERE b.code = ANY(sqlc.arg(codes)::text[])
)
UPDATE daily_bars d SET factor = w.factor
FROM want w
WHERE d.code = ANY(sqlc.arg(codes)::text[])
  AND d.code = w.code AND d.date = w.date AND d.factor <> w.factor;

-- name: GetPendingFactor :one
-- The product of the factors of code's actions dated after its latest bar and
-- on or before a day: what today's live prices are adjusted against before
-- today's bar exists (1 on almost every day).
SELECT coalesce(factor_product(a.adjustment_factor), 1)::float8 FROM corporate_actions a
WHERE a.code = sqlc.arg(code) AND a.adjustment_factor IS NOT NULL
  AND a.ex_date > coalesce((SELECT max(b.date) FROM daily_bars b WHERE b.code = sqlc.arg(code)), '-infinity'::date)
  AND a.ex_date <= sqlc.arg(day)::date;

-- Paper parcels through splits and consolidations ------------------------

-- name: ListDueShareActions :many
-- Splits and consolidations with a known factor whose ex-date has come.
SELECT id, code, ex_date::date AS ex_date, adjustment_factor::float8 AS adjustment_factor, kind, ratio
FROM corporate_actions
WHERE kind IN ('split', 'consolidation') AND adjustment_factor IS NOT NULL AND ex_date <= sqlc.arg(as_of)::date
ORDER BY ex_date, id;

-- name: ListParcelsToAdjust :many
-- Open parcels (current generation) of an action's code bought before its
-- ex-date and not yet adjusted for it, by account.
SELECT p.id, p.account_id, p.generation, p.quantity, p.orig_quantity
FROM paper_parcels p
JOIN paper_accounts a ON a.id = p.account_id AND a.generation = p.generation
WHERE p.code = sqlc.arg(code) AND p.acquired < sqlc.arg(ex_date)::date AND p.quantity > 0
  AND NOT EXISTS (SELECT 1 FROM parcel_adjustments x WHERE x.action_id = sqlc.arg(action_id) AND x.parcel_id = p.id)
ORDER BY p.account_id, p.id;

-- name: ScaleParcel :exec
-- A split or consolidation changes a parcel's share counts, not its cost base.
UPDATE paper_parcels SET quantity = sqlc.arg(quantity), orig_quantity = sqlc.arg(orig_quantity) WHERE id = sqlc.arg(id);

-- name: InsertParcelAdjustment :exec
INSERT INTO parcel_adjustments (action_id, parcel_id, account_id, generation, old_quantity, new_quantity, transaction_id)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: CountParcelAdjustments :one
SELECT count(*)::bigint FROM parcel_adjustments WHERE action_id = $1;

-- name: ListParcelAdjustments :many
-- An account's share-count changes, newest first.
SELECT x.old_quantity, x.new_quantity, x.applied_at, p.code, c.kind, c.ratio, c.ex_date::date AS ex_date
FROM parcel_adjustments x
JOIN paper_parcels p ON p.id = x.parcel_id
JOIN corporate_actions c ON c.id = x.action_id
WHERE x.account_id = $1 AND x.generation = $2
ORDER BY x.id DESC;

-- name: GetParcelForAdjustment :one
-- A parcel still open and not yet adjusted for an action, locked.
SELECT p.quantity, p.orig_quantity FROM paper_parcels p
WHERE p.id = sqlc.arg(id) AND p.quantity > 0
  AND NOT EXISTS (SELECT 1 FROM parcel_adjustments x WHERE x.action_id = sqlc.arg(action_id) AND x.parcel_id = p.id)
FOR UPDATE OF p;

-- name: ListActiveSignalDatesFrom :many
-- The days on or after a date on which an active model version has signals.
SELECT DISTINCT s.date FROM signals s
JOIN model_versions m ON m.id = s.model_version_id
WHERE m.active AND s.date >= sqlc.arg(from_date)::date
ORDER BY s.date
LIMIT sqlc.arg(max_rows)::int;

-- name: DeleteCorporateAction :one
DELETE FROM corporate_actions WHERE id = $1 RETURNING *;

-- name: CorporateActionPurged :one
-- Whether the paper orders of an action's code were purged at its ex-date
-- (a job_state mark "corporate_action_purge:<id>").
SELECT EXISTS (SELECT 1 FROM job_state WHERE name = 'corporate_action_purge:' || sqlc.arg(action_id)::bigint);

-- name: ListActiveOrderIDsForCode :many
SELECT id FROM paper_orders WHERE code = $1 AND state IN ('queued', 'open', 'triggered') ORDER BY id;

-- name: InsertCorporateActionPurge :exec
INSERT INTO job_state (name, upto) VALUES ('corporate_action_purge:' || sqlc.arg(action_id)::bigint, now())
ON CONFLICT (name) DO NOTHING;
