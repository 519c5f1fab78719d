-- name: CreateUser :one
INSERT INTO users (pseudonym, email, display_name, password_hash, role)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1 AND deleted_at IS NULL;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE email = $1 AND deleted_at IS NULL;

-- name: CountUsers :one
SELECT count(*)::bigint FROM users WHERE deleted_at IS NULL;

-- name: ListUsers :many
SELECT * FROM users WHERE deleted_at IS NULL ORDER BY id LIMIT $1 OFFSET $2;

-- name: UpdateUserProfile :one
UPDATE users SET display_name = $2, updated_at = now()
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: UpdateUserPassword :exec
UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now()
WHERE id = $1 AND deleted_at IS NULL;

-- name: SetUserRole :one
UPDATE users SET role = $2, updated_at = now()
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: SetUserDisabled :one
UPDATE users SET disabled_at = CASE WHEN sqlc.arg(disabled)::boolean THEN coalesce(disabled_at, now()) END,
       updated_at = now()
WHERE id = $1 AND deleted_at IS NULL
RETURNING *;

-- name: TouchUserLogin :exec
UPDATE users SET last_login_at = now() WHERE id = $1;

-- name: DeidentifyUser :exec
-- Account deletion: contact and profile data erased; the row stays with its
-- pseudonym so audit (and ledger) rows keep a pseudonymous reference.
UPDATE users SET
    email = 'deleted-' || pseudonym || '@invalid',
    display_name = 'Deleted user',
    password_hash = '',
    disabled_at = coalesce(disabled_at, now()),
    deleted_at = now(),
    updated_at = now()
WHERE id = $1 AND deleted_at IS NULL;

-- name: DeidentifyAuditEvents :exec
-- The deleted user's own network traces are erased; the events remain.
UPDATE audit_events SET ip = '', user_agent = '' WHERE user_id = $1;
