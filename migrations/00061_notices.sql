-- +goose Up
-- Notices admins post for everyone: an incident or a maintenance window,
-- shown on /status and as a banner on every page while current.
CREATE TABLE notices (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz CHECK (ends_at IS NULL OR ends_at > starts_at),
    author_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_window_idx ON notices (starts_at, ends_at);

-- +goose Down
DROP TABLE notices;
