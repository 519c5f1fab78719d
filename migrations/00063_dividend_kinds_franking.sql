-- +goose Up
-- Dividends as the shipped data/asx/dividends.csv states them: a kind
-- (interim, final, special, other — a company may pay a final and a special on
-- one ex-date), the page the figures came from, and whether the franking
-- percentage was stated at all (false: the source did not state it; the
-- percentage is then 0 and no credit is recorded, which is not the same as
-- unfranked). A flag rather than a NULL percentage keeps the release before
-- this one reading the rows (expand, then contract: docs/operations.md).
ALTER TABLE dividend_events
    ADD COLUMN kind text NOT NULL DEFAULT 'other'
        CONSTRAINT dividend_events_kind_check CHECK (kind IN ('interim', 'final', 'special', 'other')),
    ADD COLUMN source text NOT NULL DEFAULT ''
        CONSTRAINT dividend_events_source_check CHECK (length(source) <= 500),
    ADD COLUMN franking_stated boolean NOT NULL DEFAULT true,
    ADD CONSTRAINT dividend_events_franking_stated_check CHECK (franking_stated OR franking_pct = 0),
    DROP CONSTRAINT dividend_events_code_ex_date_key,
    ADD CONSTRAINT dividend_events_code_ex_date_kind_key UNIQUE (code, ex_date, kind);
CREATE INDEX dividend_events_pay_date_idx ON dividend_events (pay_date);

-- Franking credits in the ledger: a memorandum pair beside the cash dividend
-- (debit franking_credits, the tax offset; credit franking_income, the
-- gross-up that is assessable income). Neither touches cash.
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_book_check,
    ADD CONSTRAINT ledger_entries_book_check
        CHECK (book IN ('cash', 'holdings', 'equity', 'realised_pnl', 'dividends', 'franking_credits', 'franking_income'));

-- +goose Down
-- Ledger rows are append-only: lines in the franking books stay and the old
-- check is restored for new rows only (NOT VALID).
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_book_check,
    ADD CONSTRAINT ledger_entries_book_check
        CHECK (book IN ('cash', 'holdings', 'equity', 'realised_pnl', 'dividends')) NOT VALID;
DROP INDEX dividend_events_pay_date_idx;
-- A second dividend on the same ex-date (a special beside a final) cannot be
-- kept under the old key; unpaid ones are dropped, paid ones make this fail.
DELETE FROM dividend_events e
WHERE EXISTS (SELECT 1 FROM dividend_events o WHERE o.code = e.code AND o.ex_date = e.ex_date AND o.id < e.id)
  AND NOT EXISTS (SELECT 1 FROM dividend_credits c WHERE c.event_id = e.id);
ALTER TABLE dividend_events
    DROP CONSTRAINT dividend_events_code_ex_date_kind_key,
    ADD CONSTRAINT dividend_events_code_ex_date_key UNIQUE (code, ex_date),
    DROP CONSTRAINT dividend_events_franking_stated_check,
    DROP COLUMN franking_stated,
    DROP COLUMN source,
    DROP COLUMN kind;
