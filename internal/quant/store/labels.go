package store

import (
	"context"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

// Training labels. LabelPrice is Qlib's Alpha158 LABEL0, the price return
// from the next close to the one after; LabelTotalReturn adds the cash
// dividend that goes ex on that last day, as a holder at the next close
// receives it (with one day's return, added and reinvested are the same).
const (
	LabelPrice       = "price"
	LabelTotalReturn = "total_return"
)

// TotalReturnLabelExpr is the total-return label over the closes and
// $dividend, the cash per share going ex on each day (0 on other days).
const TotalReturnLabelExpr = "(Ref($close, -2) + Ref($dividend, -2))/Ref($close, -1) - 1"

// LabelChoices lists the label choices, the default first.
var LabelChoices = []string{LabelPrice, LabelTotalReturn}

// CheckLabel returns the label named by s ("" is LabelPrice) or an Invalid
// error on field "label".
func CheckLabel(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return LabelPrice, nil
	case LabelPrice, LabelTotalReturn:
		return s, nil
	}
	return "", apperr.FieldError("label", "label %q is not one of %s (price is Qlib's Ref($close, -2)/Ref($close, -1) - 1)",
		clipName(s), strings.Join(LabelChoices, ", "))
}

func clipName(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

func mustCompile(src string) *expr.Program {
	n, err := expr.Parse(src)
	if err != nil {
		panic("store: parse " + src + ": " + err.Error())
	}
	p, err := expr.Compile(n)
	if err != nil {
		panic("store: compile " + src + ": " + err.Error())
	}
	return p
}

// TotalReturnLabel evaluates the total-return label over one instrument's
// closes and the dividends going ex on each of those days, oldest first.
func (s *Store) TotalReturnLabel(closes, dividends []float64) ([]float64, error) {
	out, err := s.trLabel.Eval(expr.Series{Len: len(closes), Fields: map[string][]float64{"close": closes, "dividend": dividends}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PanelLabelled is Panel with the label chosen by label (CheckLabel).
func (s *Store) PanelLabelled(ctx context.Context, from, to time.Time, label string) (*dataset.Panel, error) {
	label, err := CheckLabel(label)
	if err != nil {
		return nil, err
	}
	return s.panel(ctx, from, to, label)
}

// dividendsAt returns the cash dividend per share of code going ex on each
// of dates (ascending trading days): an ex-date on a day without a bar
// counts on the next bar, where the price first trades without it. Codes
// without dividend data get zeros — their total return is their price return.
func dividendsAt(ctx context.Context, q *db.Queries, code string, dates []time.Time) ([]float64, error) {
	out := make([]float64, len(dates))
	if len(dates) == 0 {
		return out, nil
	}
	evs, err := q.ListDividendsBetween(ctx, db.ListDividendsBetweenParams{Codes: []string{code},
		FromDate: asx.Civil(dates[0]), ToDate: asx.Civil(dates[len(dates)-1])})
	if err != nil {
		return nil, err
	}
	inPrice, err := distributionsInPrice(ctx, q, code)
	if err != nil {
		return nil, err
	}
	i := 0
	for _, e := range evs { // by ex-date
		ex := asx.Civil(e.ExDate)
		if inPrice[ex] {
			continue
		}
		for i < len(dates) && asx.Civil(dates[i]).Before(ex) {
			i++
		}
		if i == len(dates) {
			break
		}
		out[i] += e.Amount.InexactFloat64()
	}
	return out, nil
}

// distributionsInPrice returns the ex-dates of code's demergers that adjust
// its prices. A distribution on such a day (BHP's in-specie Woodside shares
// of 2022-05-25, in both shipped files) is already in the adjusted closes
// through the factor; adding it as a dividend would count it twice.
func distributionsInPrice(ctx context.Context, q *db.Queries, code string) (map[time.Time]bool, error) {
	actions, err := q.ListCorporateActions(ctx, db.ListCorporateActionsParams{Code: code, MaxRows: 1000})
	if err != nil {
		return nil, err
	}
	out := map[time.Time]bool{}
	for _, a := range actions {
		if a.Kind == "demerger" && a.ExDate != nil && a.AdjustmentFactor != nil && *a.AdjustmentFactor != 1 {
			out[asx.Civil(*a.ExDate)] = true
		}
	}
	return out, nil
}
