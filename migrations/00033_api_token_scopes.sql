-- +goose Up
-- What a token may do: read (every GET, and the signal lookup) and trade
-- (place and cancel orders, change watchlists). Tokens made before scopes
-- keep the full rights they had; new ones always name their scopes.
ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,trade}'
    CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ '{read,trade}'::text[]);
ALTER TABLE api_tokens ALTER COLUMN scopes DROP DEFAULT;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN scopes;
