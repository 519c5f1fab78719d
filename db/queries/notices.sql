-- name: CreateNotice :one
INSERT INTO notices (kind, title, body, starts_at, ends_at, author_id)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: ListNoticesFrom :many
-- Notices current at sqlc.arg(at) or starting later, soonest first.
SELECT * FROM notices
WHERE ends_at IS NULL OR ends_at > sqlc.arg(at)::timestamptz
ORDER BY starts_at, id
LIMIT 50;

-- name: ListRecentNotices :many
SELECT * FROM notices ORDER BY created_at DESC, id DESC LIMIT sqlc.arg(max_rows)::int;

-- name: EndNotice :one
-- Ends a notice that has not ended yet, at sqlc.arg(at): a current one from
-- then on; an upcoming one is withdrawn (its window moves to end then, so
-- it never shows).
UPDATE notices SET starts_at = least(starts_at, sqlc.arg(at)::timestamptz - interval '1 microsecond'),
    ends_at = sqlc.arg(at)::timestamptz
WHERE id = sqlc.arg(id) AND (ends_at IS NULL OR ends_at > sqlc.arg(at)::timestamptz)
RETURNING *;
