package pipeline

import (
	"context"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

// MaxRescoreDays caps how many signal days one Readjust rescores.
const MaxRescoreDays = 2000

// rescoreLead is how far before the earliest changed ex-date signals are
// rescored: an adjustment scales a code's whole earlier history, and
// Alpha158's features are ratios of prices and volumes within windows of up
// to 60 trading days, so only windows that span the ex-date change.
const rescoreLead = 100 * 24 * time.Hour

// ReadjustResult reports a Readjust.
type ReadjustResult struct {
	Features   store.Result `json:"features"`
	DaysScored int          `json:"days_scored"`
	From       time.Time    `json:"from"`
}

// Readjust brings the feature store up to date for codes after their
// corporate actions (and so their adjustment factors) changed, then rescores
// with every active model each day that has signals from 100 days before
// exDate on (a zero exDate rescores every signal day), up to MaxRescoreDays
// days. Signals rank every instrument against the others, so a whole day is
// rescored, not only the changed codes' rows.
func (p *Pipeline) Readjust(ctx context.Context, codes []string, exDate time.Time) (ReadjustResult, error) {
	var res ReadjustResult
	var err error
	if res.Features, err = p.store.Refresh(ctx, codes); err != nil {
		return res, err
	}
	if !exDate.IsZero() {
		res.From = asx.Civil(exDate.Add(-rescoreLead))
	}
	dates, err := db.New(p.pool).ListActiveSignalDatesFrom(ctx, db.ListActiveSignalDatesFromParams{
		FromDate: res.From, MaxRows: MaxRescoreDays})
	if err != nil || len(dates) == 0 {
		return res, err
	}
	scored, err := p.ScoreDays(ctx, dates)
	res.DaysScored = len(scored)
	return res, err
}
