-- +goose Up
CREATE TABLE instruments (
    code           text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{2,6}$'),
    name           text NOT NULL,
    kind           text NOT NULL DEFAULT 'equity' CHECK (kind IN ('equity', 'index')),
    sector         text NOT NULL DEFAULT '',
    industry_group text NOT NULL DEFAULT '',
    yahoo_symbol   text NOT NULL DEFAULT '',
    rank           integer,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX instruments_sector_idx ON instruments (sector) WHERE kind = 'equity';

-- +goose Down
DROP TABLE instruments;
