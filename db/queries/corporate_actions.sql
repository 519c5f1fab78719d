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
-- Codes whose bars carry a factor other than 1 or that have an adjusting
-- action: the codes whose factors a full recompute must look at.
SELECT code FROM corporate_actions WHERE adjustment_factor IS NOT NULL AND adjustment_factor <> 1
UNION
SELECT DISTINCT code FROM daily_bars WHERE factor <> 1
ORDER BY 1;

-- name: RecomputeFactors :execrows
-- Sets the factor of every bar of codes from their actions (see migration
-- 00034): the product of the factors of events after the bar's date and on or
-- before the code's latest bar. Only bars whose factor changes are written.
WITH last AS (
    SELECT b.code, max(b.date) AS last_date FROM daily_bars b
    WHERE b.code = ANY(sqlc.arg(codes)::text[]) GROUP BY b.code
), want AS (
    SELECT b.code, b.date,
           coalesce((SELECT factor_product(a.adjustment_factor) FROM corporate_actions a
                     WHERE a.code = b.code AND a.adjustment_factor IS NOT NULL
                       AND a.ex_date > b.date AND a.ex_date <= l.last_date), 1)::float8 AS factor
    FROM daily_bars b JOIN last l ON l.code = b.code
)
UPDATE daily_bars d SET factor = w.factor
FROM want w
WHERE d.code = w.code AND d.date = w.date AND d.factor <> w.factor;

-- name: GetPendingFactor :one
-- The product of the factors of code's actions dated after its latest bar and
-- on or before a day: what today's live prices are adjusted against before
-- today's bar exists (1 on almost every day).
SELECT coalesce(factor_product(a.adjustment_factor), 1)::float8 FROM corporate_actions a
WHERE a.code = sqlc.arg(code) AND a.adjustment_factor IS NOT NULL
  AND a.ex_date > coalesce((SELECT max(b.date) FROM daily_bars b WHERE b.code = sqlc.arg(code)), '-infinity'::date)
  AND a.ex_date <= sqlc.arg(day)::date;
