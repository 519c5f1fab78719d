package portfolio

import (
	"context"
	"fmt"
	"slices"

	"github.com/qlibpro/qlibpro/db"
)

// State is where an order is in its life.
type State string

// Order states. New orders become Queued (outside continuous trading: they
// wait for the open) or Open (working in the market); a stop order is Open
// until its stop price trades, then Triggered (working as a market or limit
// order). Filled, Cancelled, Expired and Rejected are final.
const (
	New       State = "new"
	Queued    State = "queued"
	Open      State = "open"
	Triggered State = "triggered"
	Filled    State = "filled"
	Cancelled State = "cancelled"
	Expired   State = "expired"
	Rejected  State = "rejected"
)

// transitions is the state machine (the database trigger
// paper_order_transition enforces the same table).
var transitions = map[State][]State{
	New:       {Queued, Open, Rejected},
	Queued:    {Open, Cancelled, Expired, Rejected},
	Open:      {Triggered, Filled, Cancelled, Expired, Rejected},
	Triggered: {Filled, Cancelled, Expired, Rejected},
}

// CanTransition reports whether an order may move from one state to another.
func CanTransition(from, to State) bool { return slices.Contains(transitions[from], to) }

// Active reports whether an order in state s still works (can fill or be cancelled).
func (s State) Active() bool { return s == Queued || s == Open || s == Triggered }

// Final reports whether no transition leaves s.
func (s State) Final() bool { return len(transitions[s]) == 0 }

// States lists every state in life order.
func States() []State {
	return []State{New, Queued, Open, Triggered, Filled, Cancelled, Expired, Rejected}
}

// transition moves o to state to, recording the change in the order's
// history. The caller holds the order's row lock.
func transition(ctx context.Context, q *db.Queries, o db.PaperOrder, to State, reason string) error {
	from := State(o.State)
	if !CanTransition(from, to) {
		return fmt.Errorf("order %d: illegal transition %s → %s", o.ID, from, to)
	}
	if err := q.SetPaperOrderState(ctx, db.SetPaperOrderStateParams{ID: o.ID, State: string(to), Reason: reason}); err != nil {
		return err
	}
	return q.InsertPaperOrderEvent(ctx, db.InsertPaperOrderEventParams{
		OrderID: o.ID, FromState: string(from), ToState: string(to), Reason: reason})
}
