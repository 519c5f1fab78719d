package portfolio

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// kindCorporateAction is the ledger transaction of a split or consolidation:
// holdings lines that move shares and no money (the cost base is unchanged).
const kindCorporateAction = "corporate_action"

// ApplyCorporateActions changes the share counts of open parcels held through
// the ex-date of every split or consolidation dated on or before asOf: a
// parcel of 100 shares bought before a 5:1 split holds 500 after it, with the
// same cost base and acquisition date (so CGT stays on what was paid and the
// 12-month discount on when). Fractions are rounded up to a whole share, as
// ASX consolidations usually do. Each account's change is one ledger
// transaction of kind corporate_action and one parcel_adjustments row per
// parcel. On the ex-date itself it first cancels the code's active paper
// orders (purgeOrders). It is idempotent and returns how many parcels it
// changed.
func (s *Service) ApplyCorporateActions(ctx context.Context, asOf time.Time) (int, error) {
	actions, err := s.q.ListDueShareActions(ctx, asx.Civil(asOf))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, act := range actions {
		if act.ExDate.Equal(asx.Civil(asOf)) {
			if err := s.purgeOrders(ctx, act); err != nil {
				return n, err
			}
		}
		parcels, err := s.q.ListParcelsToAdjust(ctx, db.ListParcelsToAdjustParams{
			Code: act.Code, ExDate: act.ExDate, ActionID: act.ID})
		if err != nil {
			return n, err
		}
		for lo := 0; lo < len(parcels); {
			hi := lo
			for hi < len(parcels) && parcels[hi].AccountID == parcels[lo].AccountID {
				hi++
			}
			done, err := s.adjustParcels(ctx, act, parcels[lo:hi])
			if err != nil {
				return n, err
			}
			n += done
			lo = hi
		}
	}
	return n, nil
}

// purgeOrders cancels every active paper order on the action's code, once,
// on its ex-date, as the ASX purges the orders of a code at a split or
// consolidation: their prices and quantities are in the old shares. It runs
// with the matcher's first jobs of the ex-date (before the open); a day the
// jobs did not run at all purges nothing.
func (s *Service) purgeOrders(ctx context.Context, act db.ListDueShareActionsRow) error {
	done, err := s.q.CorporateActionPurged(ctx, act.ID)
	if err != nil || done {
		return err
	}
	ids, err := s.q.ListActiveOrderIDsForCode(ctx, act.Code)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("purged at the ex-date of the %s %s %s", act.Code, act.Kind, act.Ratio)
	for _, id := range ids {
		if err := s.stateChange(ctx, id, Cancelled, reason, State.Active); err != nil {
			return err
		}
	}
	return s.q.InsertCorporateActionPurge(ctx, act.ID)
}

// adjustParcels applies one action to one account's parcels in one
// transaction.
func (s *Service) adjustParcels(ctx context.Context, act db.ListDueShareActionsRow, parcels []db.ListParcelsToAdjustRow) (int, error) {
	mult := decimal.NewFromInt(1).Div(decimal.NewFromFloat(act.AdjustmentFactor))
	done := 0
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.LockPaperAccount(ctx, parcels[0].AccountID)
		if err != nil {
			return err
		}
		a := accountFrom(row)
		if a.Generation != parcels[0].Generation {
			return nil // reset since: the parcels belong to an earlier generation
		}
		type change struct {
			id            int64
			old, new, org decimal.Decimal
		}
		var changes []change
		before, after := decimal.Zero, decimal.Zero
		for _, p := range parcels {
			// Re-read under the lock: a sale may have drawn on it meanwhile.
			cur, err := q.GetParcelForAdjustment(ctx, db.GetParcelForAdjustmentParams{ID: p.ID, ActionID: act.ID})
			if db.IsNotFound(err) {
				continue // sold out or adjusted meanwhile
			}
			if err != nil {
				return err
			}
			c := change{id: p.ID, old: cur.Quantity, new: cur.Quantity.Mul(mult).Ceil(), org: cur.OrigQuantity.Mul(mult).Ceil()}
			if c.new.IsZero() {
				c.new = decimal.NewFromInt(1)
			}
			c.org = decimal.Max(c.org, c.new)
			changes = append(changes, c)
			before, after = before.Add(c.old), after.Add(c.new)
		}
		if len(changes) == 0 {
			return nil
		}
		memo := fmt.Sprintf("%s %s %s (ex %s): %s → %s shares, cost base unchanged", kindLabel(act.Kind), act.Code,
			act.Ratio, act.ExDate.Format(time.DateOnly), before, after)
		txID, err := post(ctx, q, &a, kindCorporateAction, memo, nil, nil,
			holdingsLine(act.Code, after.Sub(before), decimal.Zero))
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := q.ScaleParcel(ctx, db.ScaleParcelParams{ID: c.id, Quantity: c.new, OrigQuantity: c.org}); err != nil {
				return err
			}
			if err := q.InsertParcelAdjustment(ctx, db.InsertParcelAdjustmentParams{ActionID: act.ID, ParcelID: c.id,
				AccountID: a.ID, Generation: a.Generation, OldQuantity: c.old, NewQuantity: c.new, TransactionID: txID}); err != nil {
				return err
			}
		}
		done = len(changes)
		return nil
	})
	return done, err
}

func kindLabel(kind string) string {
	switch kind {
	case "split":
		return "Split"
	case "consolidation":
		return "Consolidation"
	}
	return kind
}
