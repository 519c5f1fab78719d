-- +goose Up
-- Paper trading in AUD. Money is numeric (cents), quantities are whole shares
-- held as numeric, prices on the ASX step grid have at most three decimals.
--
-- Ledger design: every movement of cash or shares is one ledger transaction
-- of double-entry lines (debit positive, credit negative) that sum to zero.
-- Books: cash and holdings (at cost base, brokerage included) are assets;
-- equity (money paid in), realised_pnl (gains and losses on sales, net of sale
-- brokerage) and dividends are the other side. Ledger rows are append-only;
-- a correction is a reversal transaction. A reset starts a new generation of
-- the account: the earlier generation's rows stay, balanced and untouched.
CREATE TABLE paper_accounts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    currency         text NOT NULL DEFAULT 'AUD' CHECK (currency = 'AUD'),
    starting_balance numeric(18, 2) NOT NULL CHECK (starting_balance > 0),
    fee_schedule     text NOT NULL DEFAULT 'commsec',
    parcel_method    text NOT NULL DEFAULT 'fifo' CHECK (parcel_method IN ('fifo', 'lifo', 'min_gain', 'max_gain')),
    generation       integer NOT NULL DEFAULT 1 CHECK (generation > 0),
    -- The cash book's balance for the current generation, changed in the same
    -- transaction as the ledger lines (a deferred trigger checks they agree).
    -- The CHECK is what keeps cash from going negative (no margin) under
    -- concurrency: every writer locks this row first.
    cash             numeric(18, 2) NOT NULL CHECK (cash >= 0),
    is_default       boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    reset_at         timestamptz,
    UNIQUE (user_id, name)
);
CREATE UNIQUE INDEX paper_accounts_default_key ON paper_accounts (user_id) WHERE is_default;

CREATE TABLE paper_orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES paper_accounts (id),
    generation  integer NOT NULL,
    code        text NOT NULL REFERENCES instruments (code),
    side        text NOT NULL CHECK (side IN ('buy', 'sell')),
    type        text NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
    quantity    numeric NOT NULL CHECK (quantity > 0 AND quantity = trunc(quantity)),
    limit_price numeric(12, 3) CHECK (limit_price > 0),
    stop_price  numeric(12, 3) CHECK (stop_price > 0),
    tif         text NOT NULL CHECK (tif IN ('day', 'gtc')),
    -- Session time (the demo clock's simulated time) at which the order lapses.
    expires_at  timestamptz NOT NULL,
    state       text NOT NULL CHECK (state IN ('new', 'queued', 'open', 'triggered', 'filled', 'cancelled', 'expired', 'rejected')),
    reason      text NOT NULL DEFAULT '',
    -- Specific parcels nominated for a sell: [{"parcel_id":1,"quantity":"10"}].
    picks       jsonb,
    -- Cash set aside for an active buy (estimated cost with brokerage).
    reserve     numeric(18, 2) NOT NULL DEFAULT 0 CHECK (reserve >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((type IN ('limit', 'stop_limit')) = (limit_price IS NOT NULL)),
    CHECK ((type IN ('stop', 'stop_limit')) = (stop_price IS NOT NULL))
);
CREATE INDEX paper_orders_account_idx ON paper_orders (account_id, generation, id DESC);
CREATE INDEX paper_orders_active_idx ON paper_orders (code, id) WHERE state IN ('queued', 'open', 'triggered');

-- The order state machine, enforced here as well as in Go.
-- +goose StatementBegin
CREATE FUNCTION paper_order_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = OLD.state THEN
        RETURN NEW;
    END IF;
    IF NOT ((OLD.state = 'new' AND NEW.state IN ('queued', 'open', 'rejected'))
         OR (OLD.state = 'queued' AND NEW.state IN ('open', 'cancelled', 'expired', 'rejected'))
         OR (OLD.state = 'open' AND NEW.state IN ('triggered', 'filled', 'cancelled', 'expired', 'rejected'))
         OR (OLD.state = 'triggered' AND NEW.state IN ('filled', 'cancelled', 'expired', 'rejected'))) THEN
        RAISE EXCEPTION 'paper order %: illegal transition % -> %', OLD.id, OLD.state, NEW.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER paper_orders_transition BEFORE UPDATE OF state ON paper_orders
    FOR EACH ROW EXECUTE FUNCTION paper_order_transition();

CREATE TABLE paper_order_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   bigint NOT NULL REFERENCES paper_orders (id),
    from_state text NOT NULL DEFAULT '',
    to_state   text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_order_events_order_idx ON paper_order_events (order_id, id);

-- Whole fills only: at most one fill per order.
CREATE TABLE paper_fills (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id   bigint NOT NULL UNIQUE REFERENCES paper_orders (id),
    account_id bigint NOT NULL REFERENCES paper_accounts (id),
    generation integer NOT NULL,
    code       text NOT NULL,
    side       text NOT NULL CHECK (side IN ('buy', 'sell')),
    quantity   numeric NOT NULL CHECK (quantity > 0),
    price      numeric(12, 3) NOT NULL CHECK (price > 0),
    value      numeric(18, 2) NOT NULL CHECK (value > 0),
    brokerage  numeric(18, 2) NOT NULL CHECK (brokerage >= 0),
    trade_date date NOT NULL, -- Sydney date of the session: decides the financial year
    settles_on date NOT NULL, -- T+2
    filled_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_fills_account_idx ON paper_fills (account_id, generation);

CREATE TABLE ledger_transactions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES paper_accounts (id),
    generation  integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('deposit', 'buy', 'sell', 'dividend', 'reversal')),
    memo        text NOT NULL,
    fill_id     bigint REFERENCES paper_fills (id),
    reverses_id bigint UNIQUE REFERENCES ledger_transactions (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transactions_account_idx ON ledger_transactions (account_id, generation, id DESC);

CREATE TABLE ledger_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id bigint NOT NULL REFERENCES ledger_transactions (id),
    account_id     bigint NOT NULL REFERENCES paper_accounts (id),
    generation     integer NOT NULL,
    book           text NOT NULL CHECK (book IN ('cash', 'holdings', 'equity', 'realised_pnl', 'dividends')),
    code           text,
    quantity       numeric NOT NULL DEFAULT 0, -- shares moved (holdings only)
    amount         numeric(18, 2) NOT NULL,    -- debit positive, credit negative
    CHECK ((book = 'holdings') = (code IS NOT NULL)),
    CHECK (book = 'holdings' OR quantity = 0)
);
CREATE INDEX ledger_entries_tx_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_book_idx ON ledger_entries (account_id, generation, book);

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a reversal instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- At commit: every transaction balances, and the account's cash balance row
-- equals its cash book.
-- +goose StatementBegin
CREATE FUNCTION ledger_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    book_cash numeric;
    row_cash numeric;
BEGIN
    SELECT coalesce(sum(amount), 0) INTO total FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (off by %)', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.book = 'cash' THEN
        SELECT coalesce(sum(amount), 0) INTO book_cash FROM ledger_entries
        WHERE account_id = NEW.account_id AND generation = NEW.generation AND book = 'cash';
        SELECT cash INTO row_cash FROM paper_accounts WHERE id = NEW.account_id AND generation = NEW.generation;
        IF FOUND AND row_cash <> book_cash THEN
            RAISE EXCEPTION 'paper account % cash % disagrees with its cash book %', NEW.account_id, row_cash, book_cash
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check();

-- Parcels (lots): quantity and cost_base are what remains after sales.
CREATE TABLE paper_parcels (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     bigint NOT NULL REFERENCES paper_accounts (id),
    generation     integer NOT NULL,
    code           text NOT NULL,
    fill_id        bigint NOT NULL REFERENCES paper_fills (id),
    acquired       date NOT NULL,
    quantity       numeric NOT NULL CHECK (quantity >= 0),
    cost_base      numeric(18, 2) NOT NULL CHECK (cost_base >= 0),
    orig_quantity  numeric NOT NULL CHECK (orig_quantity > 0),
    orig_cost_base numeric(18, 2) NOT NULL CHECK (orig_cost_base >= 0),
    CHECK (quantity <= orig_quantity)
);
CREATE INDEX paper_parcels_open_idx ON paper_parcels (account_id, generation, code) WHERE quantity > 0;
CREATE INDEX paper_parcels_code_idx ON paper_parcels (code, acquired);

-- CGT events: the part of a sale matched to one parcel.
CREATE TABLE paper_disposals (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fill_id      bigint NOT NULL REFERENCES paper_fills (id),
    parcel_id    bigint NOT NULL REFERENCES paper_parcels (id),
    account_id   bigint NOT NULL REFERENCES paper_accounts (id),
    generation   integer NOT NULL,
    code         text NOT NULL,
    quantity     numeric NOT NULL CHECK (quantity > 0),
    acquired     date NOT NULL,
    sold         date NOT NULL,
    cost_base    numeric(18, 2) NOT NULL,
    proceeds     numeric(18, 2) NOT NULL,
    gain         numeric(18, 2) NOT NULL,
    discountable boolean NOT NULL,
    method       text NOT NULL
);
CREATE INDEX paper_disposals_account_idx ON paper_disposals (account_id, generation, sold);

-- Idempotency keys of order placement, per user, with a hash of the request
-- and the order as first answered.
CREATE TABLE paper_idempotency_keys (
    user_id      bigint NOT NULL REFERENCES users (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    order_id     bigint REFERENCES paper_orders (id),
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE TABLE dividend_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         text NOT NULL REFERENCES instruments (code),
    ex_date      date NOT NULL,
    pay_date     date NOT NULL,
    amount       numeric(12, 6) NOT NULL CHECK (amount > 0), -- cash per share
    franking_pct numeric(5, 2) NOT NULL CHECK (franking_pct BETWEEN 0 AND 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, ex_date),
    CHECK (pay_date >= ex_date)
);

CREATE TABLE dividend_credits (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES dividend_events (id),
    account_id      bigint NOT NULL REFERENCES paper_accounts (id),
    generation      integer NOT NULL,
    quantity        numeric NOT NULL CHECK (quantity > 0),
    amount          numeric(18, 2) NOT NULL CHECK (amount >= 0),
    franking_credit numeric(18, 2) NOT NULL CHECK (franking_credit >= 0),
    transaction_id  bigint NOT NULL REFERENCES ledger_transactions (id),
    paid_on         date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, account_id, generation)
);
CREATE INDEX dividend_credits_account_idx ON dividend_credits (account_id, generation);

-- Daily value of each account, written after the close (and on demand).
CREATE TABLE portfolio_snapshots (
    account_id   bigint NOT NULL REFERENCES paper_accounts (id),
    generation   integer NOT NULL,
    date         date NOT NULL,
    cash         numeric(18, 2) NOT NULL,
    market_value numeric(18, 2) NOT NULL,
    total        numeric(18, 2) NOT NULL,
    flow         numeric(18, 2) NOT NULL DEFAULT 0, -- money paid in that day
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, generation, date)
);

-- +goose Down
DROP TABLE portfolio_snapshots;
DROP TABLE dividend_credits;
DROP TABLE dividend_events;
DROP TABLE paper_idempotency_keys;
DROP TABLE paper_disposals;
DROP TABLE paper_parcels;
DROP TABLE ledger_entries;
DROP TABLE ledger_transactions;
DROP FUNCTION ledger_check();
DROP FUNCTION ledger_append_only();
DROP TABLE paper_fills;
DROP TABLE paper_order_events;
DROP TABLE paper_orders;
DROP FUNCTION paper_order_transition();
DROP TABLE paper_accounts;
