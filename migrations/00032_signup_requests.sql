-- +goose Up
-- A sign-up waits here until its link is opened: the account is created only
-- then, by whoever reads that mailbox, so the sign-up form answers the same
-- for every address and nobody can take an address they do not own.
CREATE TABLE signup_requests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    bytea NOT NULL UNIQUE,
    email         text NOT NULL CHECK (email = lower(email)),
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX signup_requests_expires_idx ON signup_requests (expires_at);

-- +goose Down
DROP TABLE signup_requests;
