-- +goose Up
-- Corporate actions (splits, consolidations, demergers, capital returns,
-- rights issues, code changes) and the per-day price adjustment factor they
-- give every daily bar, as Qlib's $factor: adjusted price = raw × factor,
-- adjusted volume = raw / factor. Raw prices stay as traded.
--
-- adjustment_factor multiplies prices dated before ex_date so they compare
-- with prices on and after it (0.2 for a 5:1 split, 10 for a 1-for-10
-- consolidation). NULL means not known: the event is listed but adjusts
-- nothing. A code change has factor 1 and may have no ex_date (the rename
-- happened after the last shipped row).
CREATE TABLE corporate_actions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              text NOT NULL REFERENCES instruments (code) ON DELETE CASCADE,
    ex_date           date,
    kind              text NOT NULL CHECK (kind IN ('split', 'consolidation', 'demerger', 'capital_return', 'rights', 'code_change')),
    ratio             text NOT NULL DEFAULT '' CHECK (length(ratio) <= 200),
    adjustment_factor double precision CHECK (adjustment_factor > 0 AND adjustment_factor < 1000),
    source            text NOT NULL DEFAULT '' CHECK (length(source) <= 2000),
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (code, ex_date, kind),
    CHECK (ex_date IS NOT NULL OR kind = 'code_change'),
    CHECK (kind <> 'code_change' OR adjustment_factor = 1)
);
CREATE INDEX corporate_actions_ex_date_idx ON corporate_actions (ex_date);

-- The product of a set of factors (PostgreSQL has no product aggregate;
-- exp(sum(ln(x))) would not give 0.2 back for a single 0.2).
CREATE AGGREGATE factor_product(double precision) (SFUNC = float8mul, STYPE = double precision, INITCOND = '1');

-- The factor of each bar: the product of the adjustment factors of the
-- events after the bar's date, up to the instrument's latest bar, so the
-- latest bar's factor is always 1 and recent prices are the real ones. An
-- event dated after the latest bar applies once that day's bar exists.
ALTER TABLE daily_bars ADD COLUMN factor double precision NOT NULL DEFAULT 1 CHECK (factor > 0);

-- What a feature row was computed with besides the raw bar: a changed factor
-- (an added or corrected action) makes the row stale.
ALTER TABLE features ADD COLUMN src_factor double precision NOT NULL DEFAULT 1;

-- Paper parcels held through a split or consolidation have their share
-- counts changed at the ex-date (cost base unchanged); each change is one
-- row here and one ledger transaction of kind corporate_action.
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check
    CHECK (kind IN ('deposit', 'buy', 'sell', 'dividend', 'reversal', 'corporate_action'));

CREATE TABLE parcel_adjustments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_id      bigint NOT NULL REFERENCES corporate_actions (id) ON DELETE RESTRICT,
    parcel_id      bigint NOT NULL REFERENCES paper_parcels (id),
    account_id     bigint NOT NULL REFERENCES paper_accounts (id),
    generation     integer NOT NULL,
    old_quantity   numeric NOT NULL CHECK (old_quantity > 0),
    new_quantity   numeric NOT NULL CHECK (new_quantity > 0),
    transaction_id bigint NOT NULL REFERENCES ledger_transactions (id),
    applied_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (action_id, parcel_id)
);
CREATE INDEX parcel_adjustments_account_idx ON parcel_adjustments (account_id, generation);

-- +goose Down
DROP TABLE parcel_adjustments;
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check
    CHECK (kind IN ('deposit', 'buy', 'sell', 'dividend', 'reversal'));
ALTER TABLE features DROP COLUMN src_factor;
ALTER TABLE daily_bars DROP COLUMN factor;
DROP AGGREGATE factor_product(double precision);
DROP TABLE corporate_actions;
