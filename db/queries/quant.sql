-- Feature store -------------------------------------------------------------

-- name: GetFeatureSet :one
SELECT name, features, definition_hash FROM feature_sets WHERE name = $1;

-- name: UpsertFeatureSet :exec
INSERT INTO feature_sets (name, features, definition_hash) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET
    features = EXCLUDED.features,
    definition_hash = EXCLUDED.definition_hash,
    updated_at = now();

-- name: DeleteFeatureSetRows :execrows
DELETE FROM features WHERE feature_set = $1;

-- name: LockFeatureSet :exec
-- Serialises refreshes of one feature set: a session lock, held on one
-- connection until UnlockFeatureSet (or until the connection closes).
SELECT pg_advisory_lock(hashtextextended('features:' || sqlc.arg(name)::text, 0));

-- name: UnlockFeatureSet :exec
SELECT pg_advisory_unlock(hashtextextended('features:' || sqlc.arg(name)::text, 0));

-- name: ListEquityCodes :many
-- Equities that have at least one daily bar: the feature store's universe.
SELECT i.code FROM instruments i
WHERE i.kind = 'equity'
  AND EXISTS (SELECT 1 FROM daily_bars b WHERE b.code = i.code)
ORDER BY i.code;

-- name: ListStaleFeatures :many
-- For each of codes whose stored features disagree with its daily bars, the
-- first date that disagrees: a bar without a feature row (a new day or a
-- back-filled one), a feature row whose bar is gone, or a bar (or its
-- adjustment factor) that changed since its row was computed. Every row from that date on must be rewritten.
SELECT coalesce(b.code, f.code)::text AS code,
       min(coalesce(b.date, f.date))::date AS stale_from
FROM (SELECT d.code, d.date, d.open, d.high, d.low, d.close, d.volume, d.factor
      FROM daily_bars d WHERE d.code = ANY(sqlc.arg(codes)::text[])) b
FULL JOIN (SELECT x.code, x.date, x.src_open, x.src_high, x.src_low, x.src_close, x.src_volume, x.src_factor
           FROM features x
           WHERE x.feature_set = sqlc.arg(feature_set)::text AND x.code = ANY(sqlc.arg(codes)::text[])) f
  ON f.code = b.code AND f.date = b.date
WHERE b.code IS NULL OR f.code IS NULL
   OR (b.open, b.high, b.low, b.close, b.volume, b.factor)
      IS DISTINCT FROM (f.src_open, f.src_high, f.src_low, f.src_close, f.src_volume, f.src_factor)
GROUP BY 1
ORDER BY 1;

-- name: ListBarsForRefresh :many
-- The bars of one instrument from the history-th bar before stale_from on
-- (all of them when it has fewer), oldest first: raw prices with their
-- adjustment factor.
SELECT date, open, high, low, close, volume, factor FROM daily_bars
WHERE code = sqlc.arg(code)::text
  AND date >= coalesce((
      SELECT d.date FROM daily_bars d
      WHERE d.code = sqlc.arg(code)::text AND d.date < sqlc.arg(stale_from)::date
      ORDER BY d.date DESC OFFSET sqlc.arg(history)::int - 1 LIMIT 1), '-infinity'::date)
ORDER BY date;

-- name: DeleteFeaturesFrom :execrows
DELETE FROM features WHERE feature_set = $1 AND code = $2 AND date >= $3;

-- name: CopyFeatures :copyfrom
INSERT INTO features (feature_set, code, date, vals, src_open, src_high, src_low, src_close, src_volume, src_factor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: GetFeatureSpan :one
SELECT coalesce(min(date), '0001-01-01')::date AS first_date,
       coalesce(max(date), '0001-01-01')::date AS last_date
FROM features WHERE feature_set = $1;

-- name: GetFeatureStats :one
-- Size of the feature store, for refresh reports.
SELECT (SELECT count(*) FROM features f WHERE f.feature_set = sqlc.arg(feature_set)::text)::bigint AS rows,
       pg_total_relation_size('features')::bigint AS total_bytes;

-- name: CountFeatureRows :one
SELECT count(*)::bigint FROM features
WHERE feature_set = $1 AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date;

-- name: ListFeatureCodes :many
-- Instruments with stored features between two dates.
SELECT i.code FROM instruments i
WHERE EXISTS (SELECT 1 FROM features f
              WHERE f.feature_set = sqlc.arg(feature_set)::text AND f.code = i.code
                AND f.date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date)
ORDER BY i.code;

-- name: ListFeatureRows :many
-- vals comes in PostgreSQL's binary array form (array_send), which the
-- store decodes much faster than a driver's element-by-element scan.
SELECT date, array_send(vals)::bytea AS vals FROM features
WHERE feature_set = $1 AND code = $2
  AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY date;

-- name: ListDayFeatures :many
SELECT code, array_send(vals)::bytea AS vals FROM features WHERE feature_set = $1 AND date = $2 ORDER BY code;

-- name: ListFeatureDates :many
-- The latest n days with stored features on or before a date, newest first.
SELECT DISTINCT date FROM features
WHERE feature_set = $1 AND date <= sqlc.arg(on_or_before)::date
ORDER BY date DESC LIMIT sqlc.arg(n)::int;

-- name: ListClosesFrom :many
-- Adjusted closes (raw × factor), as labels read them, with the factor (to
-- adjust dividends alike); sim marks a simulated session's bar: labels that
-- read one are unknown.
SELECT date, (close * factor)::float8 AS close, factor, (source = 'sim')::bool AS sim
FROM daily_bars WHERE code = $1 AND date >= $2 ORDER BY date;

-- name: ListCodesClosesFrom :many
-- Adjusted closes of several instruments from a date on, by instrument then
-- date; sim as above.
SELECT code, date, (close * factor)::float8 AS close, (source = 'sim')::bool AS sim FROM daily_bars
WHERE code = ANY(sqlc.arg(codes)::text[]) AND date >= sqlc.arg(from_date)::date
ORDER BY code, date;

-- Factors ------------------------------------------------------------------

-- name: ListInstrumentsByCodes :many
SELECT code, name, kind, sector FROM instruments WHERE code = ANY(sqlc.arg(codes)::text[]) ORDER BY code;

-- name: ListFactorBars :many
-- Every bar of one instrument up to a date, oldest first: raw prices with
-- their adjustment factor.
SELECT date, open, high, low, close, volume, factor FROM daily_bars
WHERE code = $1 AND date <= sqlc.arg(to_date)::date
ORDER BY date;

-- Models -------------------------------------------------------------------

-- name: LockModelName :exec
-- Serialises version numbering and activation of one model name until the
-- transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('model_versions:' || sqlc.arg(name)::text, 0));

-- name: GetModelNameKind :one
SELECT kind FROM model_versions WHERE name = $1 ORDER BY version DESC LIMIT 1;

-- name: CreateModelVersion :one
INSERT INTO model_versions (name, version, kind, feature_set, features, params, preprocess,
    train_from, train_to, valid_from, valid_to, test_from, test_to,
    metrics, importance, metadata, author_id, blob)
VALUES (sqlc.arg(name),
    (SELECT coalesce(max(m.version), 0) + 1 FROM model_versions m WHERE m.name = sqlc.arg(name)),
    sqlc.arg(kind), sqlc.arg(feature_set), sqlc.arg(features), sqlc.arg(params), sqlc.narg(preprocess),
    sqlc.narg(train_from), sqlc.narg(train_to), sqlc.narg(valid_from), sqlc.narg(valid_to),
    sqlc.arg(test_from), sqlc.arg(test_to),
    sqlc.arg(metrics), sqlc.arg(importance), sqlc.arg(metadata), sqlc.narg(author_id), sqlc.arg(blob))
RETURNING id, version, created_at;

-- name: CopyModelDailyIC :copyfrom
INSERT INTO model_daily_ic (model_version_id, date, ic, rank_ic, n, long_short)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: GetModelVersion :one
SELECT id, name, version, kind, feature_set, features, params, preprocess,
       train_from, train_to, valid_from, valid_to, test_from, test_to,
       metrics, importance, metadata, author_id, active, activated_at, created_at
FROM model_versions WHERE id = $1;

-- name: GetActiveModelVersion :one
SELECT id, name, version, kind, feature_set, features, params, preprocess,
       train_from, train_to, valid_from, valid_to, test_from, test_to,
       metrics, importance, metadata, author_id, active, activated_at, created_at
FROM model_versions WHERE name = $1 AND active;

-- name: ListActiveModelNames :many
SELECT name FROM model_versions WHERE active ORDER BY name;

-- name: ListActiveVersions :many
SELECT id, name, version, kind FROM model_versions WHERE active ORDER BY name;

-- name: ListActiveModelBlobs :many
-- Every active version with what scoring needs.
SELECT id, name, version, kind, features, preprocess, blob
FROM model_versions WHERE active ORDER BY name;

-- name: ListUnscoredActiveVersions :many
-- Active versions without signals on a date.
SELECT m.id, m.name FROM model_versions m
WHERE m.active AND NOT EXISTS (
    SELECT 1 FROM signals s WHERE s.model_version_id = m.id AND s.date = sqlc.arg(date)::date)
ORDER BY m.name;

-- name: DeactivateModelName :exec
UPDATE model_versions SET active = false WHERE name = $1 AND active;

-- name: ActivateModelVersion :execrows
UPDATE model_versions SET active = true, activated_at = now() WHERE id = $1;

-- name: GetModelVersionName :one
SELECT name FROM model_versions WHERE id = $1;

-- name: CountModelVersions :one
SELECT count(*)::bigint FROM model_versions;

-- name: ListModels :many
-- One row per model name: its active version, or its latest when none is
-- active, with the number of versions the name has.
SELECT DISTINCT ON (m.name) m.id, m.name, m.version, m.kind, m.metrics, m.active,
       m.test_from, m.test_to, m.activated_at, m.created_at,
       (SELECT count(*) FROM model_versions v WHERE v.name = m.name)::int AS versions
FROM model_versions m
ORDER BY m.name, m.active DESC, m.version DESC;

-- name: ListModelVersions :many
SELECT id, name, version, kind, metrics, active, author_id, test_from, test_to, activated_at, created_at
FROM model_versions WHERE name = $1 ORDER BY version DESC;

-- name: ListModelDailyIC :many
SELECT date, ic, rank_ic, n, long_short FROM model_daily_ic
WHERE model_version_id = $1 ORDER BY date;

-- Signals ------------------------------------------------------------------

-- name: DeleteSignals :execrows
DELETE FROM signals WHERE model_version_id = $1 AND date = $2;

-- name: CopySignals :copyfrom
INSERT INTO signals (model_version_id, date, code, score, rank, percentile)
VALUES ($1, $2, $3, $4, $5, $6);

-- name: GetLatestSignal :one
SELECT s.date, s.score, s.rank, s.percentile,
       (SELECT count(*) FROM signals c
        WHERE c.model_version_id = s.model_version_id AND c.date = s.date)::int AS n
FROM signals s
WHERE s.model_version_id = $1 AND s.code = $2
ORDER BY s.date DESC LIMIT 1;

-- name: GetLatestSignalDate :one
SELECT coalesce(max(date), '0001-01-01')::date FROM signals WHERE model_version_id = $1;

-- name: GetPreviousSignalDate :one
SELECT coalesce(max(date), '0001-01-01')::date FROM signals
WHERE model_version_id = $1 AND date < sqlc.arg(before)::date;

-- name: ListRanking :many
-- A version's signals on a date, best first, with each instrument's rank on
-- an earlier date (prev_date) when it was scored then. An empty sector means
-- every sector.
SELECT s.code, i.name, i.sector, s.score, s.rank, s.percentile, p.rank AS prev_rank
FROM signals s
JOIN instruments i ON i.code = s.code
LEFT JOIN signals p ON p.model_version_id = s.model_version_id AND p.code = s.code
                   AND p.date = sqlc.arg(prev_date)::date
WHERE s.model_version_id = sqlc.arg(model_version_id) AND s.date = sqlc.arg(date)::date
  AND (sqlc.arg(sector)::text = '' OR i.sector = sqlc.arg(sector)::text)
ORDER BY s.rank
LIMIT sqlc.arg(n)::int;

-- name: ListSignalHistory :many
SELECT date, score, rank, percentile FROM signals
WHERE model_version_id = $1 AND code = $2
  AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY date;

-- name: ListSignalDates :many
-- The latest n dates a version has signals on, on or before a date, newest first.
SELECT DISTINCT date FROM signals
WHERE model_version_id = $1 AND date <= sqlc.arg(on_or_before)::date
ORDER BY date DESC LIMIT sqlc.arg(n)::int;

-- name: ListSignalScores :many
SELECT date, code, score FROM signals
WHERE model_version_id = $1
  AND date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY date, code;

-- Job progress -------------------------------------------------------------

-- name: TryLockJobMigrations :one
-- Serialises river's schema migrations across machines starting at once: a
-- session lock, released by UnlockJobMigrations or when the connection closes.
SELECT pg_try_advisory_lock(hashtextextended('river:migrate', 0))::bool;

-- name: UnlockJobMigrations :exec
SELECT pg_advisory_unlock(hashtextextended('river:migrate', 0));

-- name: UpsertJobProgress :exec
INSERT INTO job_progress (job_id, kind, stage, step, total, message)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (job_id) DO UPDATE SET
    kind = EXCLUDED.kind, stage = EXCLUDED.stage, step = EXCLUDED.step, total = EXCLUDED.total,
    message = EXCLUDED.message, updated_at = now();

-- name: SetJobResult :exec
UPDATE job_progress SET result = $2, updated_at = now() WHERE job_id = $1;

-- name: GetJobProgress :one
SELECT job_id, kind, stage, step, total, message, result, updated_at
FROM job_progress WHERE job_id = $1;
