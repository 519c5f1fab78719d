-- +goose Up
-- A feature set is a named, ordered list of factor expressions (alpha158).
-- definition_hash changes when an expression does, which makes the feature
-- store recompute every stored row of the set.
CREATE TABLE feature_sets (
    name            text PRIMARY KEY CHECK (name ~ '^[a-z0-9_]{1,40}$'),
    features        text[] NOT NULL CHECK (cardinality(features) > 0),
    definition_hash text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per (set, instrument, trading day): the values of every feature in
-- feature_sets.features order, as float32 like Qlib's own .bin store, NaN
-- where missing. The src_* columns are the daily bar the row was computed
-- from, so a corrected, inserted or deleted bar is found by comparing them
-- with daily_bars. Labels look ahead and are never stored here.
CREATE TABLE features (
    feature_set text NOT NULL REFERENCES feature_sets (name) ON DELETE CASCADE,
    code        text NOT NULL REFERENCES instruments (code) ON DELETE CASCADE,
    date        date NOT NULL,
    vals        real[] NOT NULL,
    src_open    double precision NOT NULL,
    src_high    double precision NOT NULL,
    src_low     double precision NOT NULL,
    src_close   double precision NOT NULL,
    src_volume  bigint,
    PRIMARY KEY (feature_set, code, date)
);
CREATE INDEX features_set_date_idx ON features (feature_set, date);

-- Model versions: one row per trained or uploaded model. Versions count from
-- 1 per name; at most one version of a name is active, and the active one is
-- what the name resolves to ("ridge", "xgboost", "lightgbm").
CREATE TABLE model_versions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
    version      integer NOT NULL CHECK (version > 0),
    kind         text NOT NULL CHECK (kind IN ('ridge', 'xgboost', 'lightgbm')),
    feature_set  text NOT NULL,
    features     text[] NOT NULL CHECK (cardinality(features) > 0),
    params       jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Feature preprocessing fitted on the train window and applied before
    -- the model (the ridge model's robust z-score), or NULL for raw features.
    preprocess   jsonb,
    train_from   date,
    train_to     date,
    valid_from   date,
    valid_to     date,
    test_from    date NOT NULL,
    test_to      date NOT NULL,
    -- Test-segment evaluation: IC, Rank IC, their IRs, quintile means and
    -- long-short spread, row counts and timings.
    metrics      jsonb NOT NULL DEFAULT '{}'::jsonb,
    importance   jsonb NOT NULL DEFAULT '[]'::jsonb,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    author_id    bigint,
    blob         bytea NOT NULL,
    active       boolean NOT NULL DEFAULT false,
    activated_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, version),
    CHECK (test_from <= test_to)
);
CREATE UNIQUE INDEX model_versions_one_active_idx ON model_versions (name) WHERE active;

-- The per-day IC of a version over its test segment, for the IC chart.
CREATE TABLE model_daily_ic (
    model_version_id bigint NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
    date             date NOT NULL,
    ic               double precision,
    rank_ic          double precision,
    n                integer NOT NULL,
    long_short       double precision,
    PRIMARY KEY (model_version_id, date)
);

-- Daily signals: every instrument scored by a model version after a close.
-- rank 1 is the best score; percentile is (n - rank + 1) / n, in (0, 1].
CREATE TABLE signals (
    model_version_id bigint NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
    date             date NOT NULL,
    code             text NOT NULL REFERENCES instruments (code) ON DELETE CASCADE,
    score            double precision NOT NULL,
    rank             integer NOT NULL CHECK (rank > 0),
    percentile       double precision NOT NULL CHECK (percentile > 0 AND percentile <= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_version_id, date, code)
);
CREATE INDEX signals_code_idx ON signals (model_version_id, code, date);

-- Progress of background jobs (training, scoring), keyed by the river job id,
-- for pages that watch a job.
CREATE TABLE job_progress (
    job_id     bigint PRIMARY KEY,
    kind       text NOT NULL,
    stage      text NOT NULL DEFAULT '',
    step       integer NOT NULL DEFAULT 0,
    total      integer NOT NULL DEFAULT 0,
    message    text NOT NULL DEFAULT '',
    result     jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE job_progress;
DROP TABLE signals;
DROP TABLE model_daily_ic;
DROP TABLE model_versions;
DROP TABLE features;
DROP TABLE feature_sets;
