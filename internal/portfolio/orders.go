package portfolio

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// Order types and times in force.
const (
	Market    = "market"
	Limit     = "limit"
	Stop      = "stop"
	StopLimit = "stop_limit"

	Day = "day" // lapses at the close of its trading day
	GTC = "gtc" // good till cancelled, up to its expiry date
)

// Order is a paper order with its fill, if any.
type Order struct {
	ID         int64
	AccountID  int64
	Code       string
	Side       string
	Type       string
	Quantity   decimal.Decimal
	LimitPrice decimal.NullDecimal
	StopPrice  decimal.NullDecimal
	TIF        string
	ExpiresAt  time.Time // session time
	State      State
	Reason     string
	Reserve    decimal.Decimal
	Picks      []tax.Pick
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Fill       *Fill
}

// Fill is the execution of a whole order.
type Fill struct {
	ID        int64
	Quantity  decimal.Decimal
	Price     decimal.Decimal
	Value     decimal.Decimal // quantity × price, in cents
	Brokerage decimal.Decimal
	TradeDate time.Time
	SettlesOn time.Time
	FilledAt  time.Time
}

// Total is what the fill cost (buy: value plus brokerage) or paid (sell:
// value less brokerage).
func (f Fill) Total(side string) decimal.Decimal {
	if side == sideSell {
		return f.Value.Sub(f.Brokerage)
	}
	return f.Value.Add(f.Brokerage)
}

// OrderEvent is one step of an order's history.
type OrderEvent struct {
	From, To State
	Reason   string
	At       time.Time
}

func orderFrom(o db.PaperOrder) Order {
	out := Order{ID: o.ID, AccountID: o.AccountID, Code: o.Code, Side: o.Side, Type: o.Type,
		Quantity: o.Quantity, LimitPrice: o.LimitPrice, StopPrice: o.StopPrice, TIF: o.Tif,
		ExpiresAt: o.ExpiresAt, State: State(o.State), Reason: o.Reason, Reserve: o.Reserve,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if len(o.Picks) > 0 {
		_ = json.Unmarshal(o.Picks, &out.Picks)
	}
	return out
}

func fillFrom(f db.PaperFill) *Fill {
	return &Fill{ID: f.ID, Quantity: f.Quantity, Price: f.Price, Value: f.Value, Brokerage: f.Brokerage,
		TradeDate: f.TradeDate, SettlesOn: f.SettlesOn, FilledAt: f.FilledAt}
}

// OrderFilter selects orders for a list. Status is "" or "all", "open"
// (queued, open or triggered), "filled", or "cancelled" (cancelled, expired
// or rejected).
type OrderFilter struct {
	Status string
	Code   string
	Limit  int
}

// OrderStatuses are the filter values of the orders list.
func OrderStatuses() []string { return []string{"all", "open", "filled", "cancelled"} }

func (f OrderFilter) states() ([]string, error) {
	switch f.Status {
	case "", "all":
		return []string{}, nil
	case "open":
		return []string{string(Queued), string(Open), string(Triggered)}, nil
	case "filled":
		return []string{string(Filled)}, nil
	case "cancelled":
		return []string{string(Cancelled), string(Expired), string(Rejected)}, nil
	}
	return nil, apperr.FieldError("status", "Unknown status %q: use all, open, filled or cancelled.", f.Status)
}

// Orders lists an account's orders (current generation), newest first.
func (s *Service) Orders(ctx context.Context, a Account, f OrderFilter) ([]Order, error) {
	states, err := f.states()
	if err != nil {
		return nil, err
	}
	code, err := normaliseCode(f.Code, true)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.q.ListPaperOrders(ctx, db.ListPaperOrdersParams{AccountID: a.ID, Generation: a.Generation,
		States: states, Code: code, MaxRows: int32(f.Limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Order, len(rows))
	for i, r := range rows {
		out[i] = orderFrom(r)
		if out[i].State == Filled {
			if fl, err := s.q.GetFillForOrder(ctx, r.ID); err == nil {
				out[i].Fill = fillFrom(fl)
			}
		}
	}
	return out, nil
}

// Order returns one of the user's orders with its fill; another user's order
// is NotFound.
func (s *Service) Order(ctx context.Context, userID, id int64) (Order, error) {
	row, err := s.q.GetPaperOrderForUser(ctx, db.GetPaperOrderForUserParams{ID: id, UserID: userID})
	if err != nil {
		return Order{}, notFound(err, "Order")
	}
	o := orderFrom(row)
	if o.State == Filled {
		fl, err := s.q.GetFillForOrder(ctx, id)
		if err != nil {
			return Order{}, err
		}
		o.Fill = fillFrom(fl)
	}
	return o, nil
}

// OrderHistory returns the state changes of one of the user's orders.
func (s *Service) OrderHistory(ctx context.Context, userID, id int64) ([]OrderEvent, error) {
	if _, err := s.q.GetPaperOrderForUser(ctx, db.GetPaperOrderForUserParams{ID: id, UserID: userID}); err != nil {
		return nil, notFound(err, "Order")
	}
	return s.history(ctx, id)
}

// OrderWithHistory is Order with the order's state changes, oldest first.
func (s *Service) OrderWithHistory(ctx context.Context, userID, id int64) (Order, []OrderEvent, error) {
	o, err := s.Order(ctx, userID, id)
	if err != nil {
		return Order{}, nil, err
	}
	hist, err := s.history(ctx, id)
	return o, hist, err
}

// history lists an order's state changes.
func (s *Service) history(ctx context.Context, id int64) ([]OrderEvent, error) {
	rows, err := s.q.ListPaperOrderEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]OrderEvent, len(rows))
	for i, r := range rows {
		out[i] = OrderEvent{From: State(r.FromState), To: State(r.ToState), Reason: r.Reason, At: r.At}
	}
	return out, nil
}

// CancelOrder cancels one of the user's working orders. A final order is a
// Conflict; another user's order is NotFound.
func (s *Service) CancelOrder(ctx context.Context, userID, id int64) (Order, error) {
	row, err := s.q.GetPaperOrderForUser(ctx, db.GetPaperOrderForUserParams{ID: id, UserID: userID})
	if err != nil {
		return Order{}, notFound(err, "Order")
	}
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if _, err := q.LockPaperAccount(ctx, row.AccountID); err != nil {
			return err
		}
		o, err := q.LockPaperOrder(ctx, id)
		if err != nil {
			return err
		}
		if !State(o.State).Active() {
			return apperr.New(apperr.Conflict, "Order #%d is already %s and cannot be cancelled.", o.ID, o.State)
		}
		return transition(ctx, q, o, Cancelled, "cancelled by you")
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, userID, id)
}
