-- Dividend events (shipped in data/asx/dividends.csv, imported by admins) and
-- the credits paid to paper accounts.

-- name: UpsertDividendEvent :execrows
-- Inserts the event or changes it where a figure differs; 0 rows when it is
-- already there unchanged (so a second seed changes nothing).
INSERT INTO dividend_events (code, ex_date, pay_date, amount, franking_pct, franking_stated, kind, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (code, ex_date, kind) DO UPDATE SET
    pay_date = EXCLUDED.pay_date, amount = EXCLUDED.amount, franking_pct = EXCLUDED.franking_pct,
    franking_stated = EXCLUDED.franking_stated, source = EXCLUDED.source, updated_at = now()
WHERE (dividend_events.pay_date, dividend_events.amount, dividend_events.franking_pct, dividend_events.franking_stated, dividend_events.source)
      IS DISTINCT FROM (EXCLUDED.pay_date, EXCLUDED.amount, EXCLUDED.franking_pct, EXCLUDED.franking_stated, EXCLUDED.source);

-- name: ListDividendEventsOn :many
-- The events of one code on one ex-date (a final and a special may share it).
SELECT * FROM dividend_events WHERE code = $1 AND ex_date = $2 ORDER BY kind;

-- name: CountDividendCredits :one
SELECT count(*)::bigint FROM dividend_credits WHERE event_id = $1;

-- name: ListDividendEvents :many
SELECT * FROM dividend_events ORDER BY pay_date DESC, code, kind LIMIT $1;

-- name: ListInstrumentDividends :many
SELECT * FROM dividend_events WHERE code = $1 ORDER BY ex_date DESC, kind LIMIT $2;

-- name: ListDividendsBetween :many
-- Events of the given codes with ex-dates from from_date to to_date, by
-- ex-date (for backtests and the total-return label).
SELECT * FROM dividend_events
WHERE code = ANY (sqlc.arg(codes)::text[]) AND ex_date BETWEEN sqlc.arg(from_date)::date AND sqlc.arg(to_date)::date
ORDER BY code, ex_date, kind;

-- name: DividendCoverage :many
-- Which codes have dividend data at all, with how many events and their span.
SELECT code, count(*)::bigint AS events, (count(*) FILTER (WHERE franking_stated))::bigint AS with_franking,
       min(ex_date)::date AS first_ex, max(ex_date)::date AS last_ex
FROM dividend_events GROUP BY code ORDER BY code;

-- name: ListDueDividendEvents :many
-- Events paid on or before $1 whose code some paper parcel was bought before
-- the ex-date (the others cannot entitle anyone).
SELECT e.* FROM dividend_events e
WHERE e.pay_date <= $1
  AND EXISTS (SELECT 1 FROM paper_parcels p WHERE p.code = e.code AND p.acquired < e.ex_date)
ORDER BY e.pay_date, e.id;

-- name: ListDividendEntitlements :many
-- Accounts (current generation) that held the event's shares at the close of
-- the day before the ex-date (bought before it, not sold before it) and are
-- not yet paid, counted in the units of the ex-date (parcel_held_before: a
-- split after the ex-date does not change the entitlement).
SELECT e.account_id, e.generation, e.quantity::numeric AS quantity
FROM (
    SELECT a.id AS account_id, a.generation,
           coalesce((SELECT sum(parcel_held_before(p.id, sqlc.arg(ex_date)::date)) FROM paper_parcels p
                     WHERE p.account_id = a.id AND p.generation = a.generation
                       AND p.code = sqlc.arg(code) AND p.acquired < sqlc.arg(ex_date)::date), 0) AS quantity
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
       e.code, e.ex_date, e.pay_date, e.amount AS per_share, e.franking_pct, e.franking_stated, e.kind
FROM dividend_credits c
JOIN dividend_events e ON e.id = c.event_id
WHERE c.account_id = $1 AND c.generation = $2
ORDER BY c.paid_on, c.id;

-- name: ListHeldCodesWithoutDividends :many
-- Codes account $1 (generation $2) has held that have no dividend data: the
-- dividends they paid are not in this account's income.
SELECT DISTINCT p.code FROM paper_parcels p
WHERE p.account_id = $1 AND p.generation = $2
  AND NOT EXISTS (SELECT 1 FROM dividend_events e WHERE e.code = p.code)
ORDER BY p.code;

-- name: SetDividendEventKind :exec
-- Names the kind of an event loaded without one (kind other).
UPDATE dividend_events SET kind = $2, updated_at = now() WHERE id = $1;

-- name: SumDividendsReceivable :one
-- The cash account $1 (generation $2) is owed on $3: dividends that have
-- gone ex by then, on the shares it held at the close before each ex-date,
-- and are not paid yet (to the cent per dividend, as they will be paid).
SELECT coalesce(sum(round(r.quantity * r.amount, 2)), 0)::numeric AS receivable
FROM (
    SELECT e.amount,
           coalesce((SELECT sum(parcel_held_before(p.id, e.ex_date)) FROM paper_parcels p
                     WHERE p.account_id = sqlc.arg(account_id) AND p.generation = sqlc.arg(generation)
                       AND p.code = e.code AND p.acquired < e.ex_date), 0) AS quantity
    FROM dividend_events e
    WHERE e.ex_date <= sqlc.arg(as_of)::date
      AND e.code IN (SELECT p.code FROM paper_parcels p
                     WHERE p.account_id = sqlc.arg(account_id) AND p.generation = sqlc.arg(generation) AND p.acquired < e.ex_date)
      AND NOT EXISTS (SELECT 1 FROM dividend_credits c
                      WHERE c.event_id = e.id AND c.account_id = sqlc.arg(account_id) AND c.generation = sqlc.arg(generation))
) r
WHERE r.quantity > 0;
