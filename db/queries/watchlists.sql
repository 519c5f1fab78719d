-- name: ListWatchlists :many
SELECT w.id, w.name, w.position, w.created_at,
       (SELECT count(*) FROM watchlist_items i WHERE i.watchlist_id = w.id)::bigint AS items
FROM watchlists w WHERE w.user_id = $1 ORDER BY w.position, w.id;

-- name: GetWatchlist :one
SELECT * FROM watchlists WHERE id = $1 AND user_id = $2;

-- name: CreateWatchlist :one
INSERT INTO watchlists (user_id, name, position)
VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM watchlists WHERE user_id = $1))
RETURNING *;

-- name: RenameWatchlist :one
UPDATE watchlists SET name = $3 WHERE id = $1 AND user_id = $2 RETURNING *;

-- name: SetWatchlistPosition :execrows
UPDATE watchlists SET position = $3 WHERE id = $1 AND user_id = $2;

-- name: DeleteWatchlist :execrows
DELETE FROM watchlists WHERE id = $1 AND user_id = $2;

-- name: ListWatchlistCodes :many
SELECT i.code FROM watchlist_items i JOIN watchlists w ON w.id = i.watchlist_id
WHERE w.id = $1 AND w.user_id = $2 ORDER BY i.position, i.code;

-- name: AddWatchlistItem :execrows
INSERT INTO watchlist_items (watchlist_id, code, position)
SELECT w.id, $3, (SELECT coalesce(max(position) + 1, 0) FROM watchlist_items WHERE watchlist_id = w.id)
FROM watchlists w WHERE w.id = $1 AND w.user_id = $2
ON CONFLICT DO NOTHING;

-- name: RemoveWatchlistItem :execrows
DELETE FROM watchlist_items i USING watchlists w
WHERE i.watchlist_id = w.id AND w.id = $1 AND w.user_id = $2 AND i.code = $3;

-- name: CountWatchlists :one
SELECT count(*)::bigint FROM watchlists WHERE user_id = $1;
