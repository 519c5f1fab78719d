-- Paper fills, the ledger, parcels, disposals and value snapshots.

-- name: InsertPaperFill :one
INSERT INTO paper_fills (order_id, account_id, generation, code, side, quantity, price, value, brokerage,
                         trade_date, settles_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING *;

-- name: GetFillForOrder :one
SELECT * FROM paper_fills WHERE order_id = $1;

-- name: SumBrokerage :one
SELECT coalesce(sum(brokerage), 0)::numeric AS brokerage FROM paper_fills
WHERE account_id = $1 AND generation = $2;

-- name: InsertLedgerTransaction :one
INSERT INTO ledger_transactions (account_id, generation, kind, memo, fill_id, reverses_id)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: InsertLedgerEntry :exec
INSERT INTO ledger_entries (transaction_id, account_id, generation, book, code, quantity, amount)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: GetLedgerTransaction :one
SELECT * FROM ledger_transactions WHERE id = $1;

-- name: ListLedgerEntriesForTransaction :many
SELECT * FROM ledger_entries WHERE transaction_id = $1 ORDER BY id;

-- name: ListLedger :many
-- An account's ledger lines, newest transaction first, one page of
-- transactions at a time.
SELECT t.id AS transaction_id, t.kind, t.memo, t.created_at, t.reverses_id,
       e.id AS entry_id, e.book, coalesce(e.code, '')::text AS code, e.quantity, e.amount
FROM ledger_transactions t
JOIN ledger_entries e ON e.transaction_id = t.id
WHERE t.id IN (
    SELECT lt.id FROM ledger_transactions lt
    WHERE lt.account_id = sqlc.arg(account_id) AND lt.generation = sqlc.arg(generation)
      AND (sqlc.arg(before_id)::bigint = 0 OR lt.id < sqlc.arg(before_id)::bigint)
    ORDER BY lt.id DESC
    LIMIT sqlc.arg(max_rows)
)
ORDER BY t.id DESC, e.id;

-- name: LedgerBalances :many
SELECT book, coalesce(sum(amount), 0)::numeric AS amount, coalesce(sum(quantity), 0)::numeric AS quantity
FROM ledger_entries
WHERE account_id = $1 AND generation = $2
GROUP BY book
ORDER BY book;

-- name: InsertParcel :one
INSERT INTO paper_parcels (account_id, generation, code, fill_id, acquired, quantity, cost_base,
                           orig_quantity, orig_cost_base)
VALUES (sqlc.arg(account_id), sqlc.arg(generation), sqlc.arg(code), sqlc.arg(fill_id), sqlc.arg(acquired),
        sqlc.arg(quantity), sqlc.arg(cost_base), sqlc.arg(quantity), sqlc.arg(cost_base))
RETURNING *;

-- name: ListOpenParcels :many
-- Open parcels of an account, for one code or (code = '') every code.
SELECT * FROM paper_parcels
WHERE account_id = sqlc.arg(account_id) AND generation = sqlc.arg(generation) AND quantity > 0
  AND (sqlc.arg(code)::text = '' OR code = sqlc.arg(code)::text)
ORDER BY code, acquired, id;

-- name: SetParcelRemaining :exec
UPDATE paper_parcels SET quantity = $2, cost_base = $3 WHERE id = $1;

-- name: InsertDisposal :exec
INSERT INTO paper_disposals (fill_id, parcel_id, account_id, generation, code, quantity, acquired, sold,
                             cost_base, proceeds, gain, discountable, method)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);

-- name: ListDisposals :many
SELECT * FROM paper_disposals WHERE account_id = $1 AND generation = $2 ORDER BY sold, id;

-- name: ListHeldQuantities :many
-- Shares held across every account's current generation, for the
-- portfolio_value_aud gauge.
SELECT p.code, sum(p.quantity)::numeric AS quantity
FROM paper_parcels p
JOIN paper_accounts a ON a.id = p.account_id AND a.generation = p.generation
WHERE p.quantity > 0
GROUP BY p.code
ORDER BY p.code;

-- name: SumAllCash :one
SELECT coalesce(sum(cash), 0)::numeric AS cash FROM paper_accounts;

-- name: UpsertSnapshot :exec
INSERT INTO portfolio_snapshots (account_id, generation, date, cash, market_value, total, flow)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (account_id, generation, date) DO UPDATE SET
    cash = EXCLUDED.cash, market_value = EXCLUDED.market_value, total = EXCLUDED.total,
    flow = portfolio_snapshots.flow + EXCLUDED.flow, created_at = now();

-- name: ListSnapshots :many
SELECT * FROM portfolio_snapshots WHERE account_id = $1 AND generation = $2 ORDER BY date;

-- name: ListBenchmarkCloses :many
SELECT date, close::float8 AS close FROM daily_bars
WHERE code = sqlc.arg(code) AND date >= sqlc.arg(from_date)::date AND date <= sqlc.arg(to_date)::date
ORDER BY date;

-- name: CheckLedger :one
-- The paper ledger's invariants over the whole database, each a count of
-- violations (all zero when the books are sound): transactions that do not
-- sum to zero, accounts whose cash column differs from their cash book,
-- negative cash or parcels, and working orders reserving more than the cash.
SELECT
    (SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries
        GROUP BY transaction_id HAVING sum(amount) <> 0) x)::bigint AS unbalanced,
    (SELECT count(*) FROM paper_accounts a WHERE a.cash <> coalesce((SELECT sum(e.amount)
        FROM ledger_entries e WHERE e.account_id = a.id AND e.generation = a.generation AND e.book = 'cash'), 0))::bigint AS cash_mismatches,
    (SELECT count(*) FROM paper_accounts WHERE cash < 0)::bigint AS negative_cash,
    (SELECT count(*) FROM paper_parcels WHERE quantity < 0)::bigint AS negative_parcels,
    (SELECT count(*) FROM paper_accounts a WHERE a.cash < (SELECT coalesce(sum(o.reserve), 0) FROM paper_orders o
        WHERE o.account_id = a.id AND o.state IN ('new', 'queued', 'open', 'triggered')))::bigint AS reserves_over_cash;
