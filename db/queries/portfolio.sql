-- Paper accounts and orders.

-- name: CreatePaperAccount :one
-- Cash starts at zero: the opening deposit posts the starting balance.
INSERT INTO paper_accounts (user_id, name, starting_balance, fee_schedule, parcel_method, cash, is_default)
VALUES (sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(starting_balance), sqlc.arg(fee_schedule),
        sqlc.arg(parcel_method), 0, sqlc.arg(is_default))
RETURNING *;

-- name: CreateDefaultPaperAccount :one
-- Inserts the user's default account unless one exists (concurrent first
-- visits both land here; one inserts, the other gets no row).
INSERT INTO paper_accounts (user_id, name, starting_balance, fee_schedule, parcel_method, cash, is_default)
VALUES (sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(starting_balance), 'commsec', 'fifo', 0, true)
ON CONFLICT DO NOTHING
RETURNING *;

-- name: GetPaperAccount :one
SELECT * FROM paper_accounts WHERE id = $1 AND user_id = $2;

-- name: GetDefaultPaperAccount :one
SELECT * FROM paper_accounts WHERE user_id = $1 AND is_default;

-- name: LockPaperAccount :one
SELECT * FROM paper_accounts WHERE id = $1 FOR UPDATE;

-- name: ListPaperAccounts :many
SELECT * FROM paper_accounts WHERE user_id = $1 ORDER BY is_default DESC, id;

-- name: ListAllPaperAccounts :many
SELECT * FROM paper_accounts ORDER BY id;

-- name: AddPaperAccountCash :one
-- Moves the cash balance row with the ledger; CHECK (cash >= 0) refuses an
-- overdraft.
UPDATE paper_accounts SET cash = cash + sqlc.arg(delta) WHERE id = sqlc.arg(id) RETURNING cash;

-- name: ResetPaperAccount :one
UPDATE paper_accounts
SET generation = generation + 1, starting_balance = sqlc.arg(starting_balance),
    cash = 0, reset_at = now()
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: InsertPaperOrder :one
INSERT INTO paper_orders (account_id, generation, code, side, type, quantity, limit_price, stop_price,
                          tif, expires_at, state, picks, reserve)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11, $12)
RETURNING *;

-- name: GetPaperOrderForUser :one
SELECT o.* FROM paper_orders o
JOIN paper_accounts a ON a.id = o.account_id
WHERE o.id = sqlc.arg(id) AND a.user_id = sqlc.arg(user_id);

-- name: GetPaperOrder :one
SELECT * FROM paper_orders WHERE id = $1;

-- name: LockPaperOrder :one
SELECT * FROM paper_orders WHERE id = $1 FOR UPDATE;

-- name: SetPaperOrderState :exec
UPDATE paper_orders SET state = $2, reason = $3, updated_at = now() WHERE id = $1;

-- name: InsertPaperOrderEvent :exec
INSERT INTO paper_order_events (order_id, from_state, to_state, reason) VALUES ($1, $2, $3, $4);

-- name: ListPaperOrderEvents :many
SELECT * FROM paper_order_events WHERE order_id = $1 ORDER BY id;

-- name: ListPaperOrders :many
-- An account's orders of its current generation, newest first; an empty
-- states list means every state, an empty code every code.
SELECT * FROM paper_orders
WHERE account_id = sqlc.arg(account_id) AND generation = sqlc.arg(generation)
  AND (cardinality(sqlc.arg(states)::text[]) = 0 OR state = ANY (sqlc.arg(states)::text[]))
  AND (sqlc.arg(code)::text = '' OR code = sqlc.arg(code)::text)
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListActivePaperOrders :many
-- Orders the matcher watches; an empty codes list means every code.
SELECT * FROM paper_orders
WHERE state IN ('queued', 'open', 'triggered')
  AND (cardinality(sqlc.arg(codes)::text[]) = 0 OR code = ANY (sqlc.arg(codes)::text[]))
ORDER BY id;

-- name: ListActiveOrdersForAccount :many
SELECT * FROM paper_orders
WHERE account_id = $1 AND state IN ('queued', 'open', 'triggered')
ORDER BY id;

-- name: SumActiveBuyReserve :one
SELECT coalesce(sum(reserve), 0)::numeric AS reserve FROM paper_orders
WHERE account_id = $1 AND generation = $2 AND side = 'buy' AND state IN ('queued', 'open', 'triggered');

-- name: SumActiveSellQuantity :one
SELECT coalesce(sum(quantity), 0)::numeric AS quantity FROM paper_orders
WHERE account_id = $1 AND generation = $2 AND code = $3 AND side = 'sell'
  AND state IN ('queued', 'open', 'triggered');

-- name: ClaimIdempotencyKey :execrows
INSERT INTO paper_idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING;

-- name: GetIdempotencyKey :one
SELECT * FROM paper_idempotency_keys WHERE user_id = $1 AND key = $2;

-- name: CompleteIdempotencyKey :exec
UPDATE paper_idempotency_keys SET order_id = $3, response = $4 WHERE user_id = $1 AND key = $2;

-- name: GetTradableInstrument :one
SELECT code, name, sector FROM instruments WHERE code = $1 AND kind = 'equity' AND active;

-- name: ListInstrumentNames :many
SELECT code, name, sector FROM instruments WHERE code = ANY (sqlc.arg(codes)::text[]);
