-- name: CreateAPIToken :one
INSERT INTO api_tokens (user_id, kind, name, token_hash, prefix, expires_at, scopes)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetAPITokenByHash :one
SELECT t.id, t.user_id, t.kind, t.name, t.expires_at, t.revoked_at, t.last_used_at, t.scopes,
       u.role, u.display_name, u.email, u.disabled_at
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND u.deleted_at IS NULL;

-- name: TouchAPIToken :exec
-- Recorded at most once a minute per token to keep reads cheap.
UPDATE api_tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: ListAPIKeys :many
SELECT * FROM api_tokens
WHERE user_id = $1 AND kind = 'key' AND revoked_at IS NULL
ORDER BY created_at DESC;

-- name: RevokeAPIToken :one
UPDATE api_tokens SET revoked_at = now()
WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
RETURNING *;

-- name: RevokeAllAPITokens :exec
UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL;

-- name: CreatePasswordReset :one
INSERT INTO password_resets (user_id, token_hash, expires_at)
VALUES ($1, $2, $3)
RETURNING *;

-- name: UsePasswordReset :one
-- Single use: the row is claimed atomically; expired or used tokens match nothing.
UPDATE password_resets SET used_at = now()
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: InvalidatePasswordResets :exec
UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL;

-- name: InsertAuditEvent :exec
INSERT INTO audit_events (user_id, actor_id, event, ip, user_agent, request_id, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ListAuditEvents :many
SELECT a.*, coalesce(u.pseudonym, '')::text AS user_pseudonym
FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
WHERE (sqlc.narg(user_id)::bigint IS NULL OR a.user_id = sqlc.narg(user_id)::bigint)
ORDER BY a.at DESC, a.id DESC
LIMIT $1;

-- name: CreateSignupRequest :exec
INSERT INTO signup_requests (token_hash, email, display_name, password_hash, expires_at)
VALUES ($1, $2, $3, $4, $5);

-- name: UseSignupRequest :one
-- Single use: the row is claimed (deleted) atomically; expired ones match nothing.
DELETE FROM signup_requests
WHERE token_hash = $1 AND expires_at > now()
RETURNING email, display_name, password_hash;

-- name: DeleteExpiredSignupRequests :exec
DELETE FROM signup_requests WHERE expires_at <= now();
