-- Dividend events (imported by admins) and the credits paid to paper accounts.

-- name: UpsertDividendEvent :one
INSERT INTO dividend_events (code, ex_date, pay_date, amount, franking_pct)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (code, ex_date) DO UPDATE SET
    pay_date = EXCLUDED.pay_date, amount = EXCLUDED.amount, franking_pct = EXCLUDED.franking_pct,
    updated_at = now()
RETURNING *;

-- name: GetDividendEventByKey :one
SELECT * FROM dividend_events WHERE code = $1 AND ex_date = $2;

-- name: CountDividendCredits :one
SELECT count(*)::bigint FROM dividend_credits WHERE event_id = $1;

-- name: ListDividendEvents :many
SELECT * FROM dividend_events ORDER BY pay_date DESC, code LIMIT $1;

-- name: ListDueDividendEvents :many
SELECT * FROM dividend_events WHERE pay_date <= $1 ORDER BY pay_date, id;

-- name: ListDividendEntitlements :many
-- Accounts (current generation) that held the event's shares at the start of
-- the ex-date (bought before it, not sold before it) and are not yet paid.
SELECT e.account_id, e.generation, e.quantity::numeric AS quantity
FROM (
    SELECT a.id AS account_id, a.generation,
           (coalesce((SELECT sum(p.orig_quantity) FROM paper_parcels p
                      WHERE p.account_id = a.id AND p.generation = a.generation
                        AND p.code = sqlc.arg(code) AND p.acquired < sqlc.arg(ex_date)::date), 0)
          - coalesce((SELECT sum(d.quantity) FROM paper_disposals d
                      WHERE d.account_id = a.id AND d.generation = a.generation
                        AND d.code = sqlc.arg(code) AND d.sold < sqlc.arg(ex_date)::date), 0)) AS quantity
    FROM paper_accounts a
    WHERE NOT EXISTS (SELECT 1 FROM dividend_credits c
                      WHERE c.event_id = sqlc.arg(event_id) AND c.account_id = a.id AND c.generation = a.generation)
) e
WHERE e.quantity > 0
ORDER BY e.account_id;

-- name: DividendCreditExists :one
SELECT EXISTS (SELECT 1 FROM dividend_credits WHERE event_id = $1 AND account_id = $2 AND generation = $3);

-- name: InsertDividendCredit :exec
INSERT INTO dividend_credits (event_id, account_id, generation, quantity, amount, franking_credit,
                              transaction_id, paid_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: ListDividendCredits :many
SELECT c.id, c.quantity, c.amount, c.franking_credit, c.paid_on,
       e.code, e.ex_date, e.pay_date, e.amount AS per_share, e.franking_pct
FROM dividend_credits c
JOIN dividend_events e ON e.id = c.event_id
WHERE c.account_id = $1 AND c.generation = $2
ORDER BY c.paid_on, c.id;
