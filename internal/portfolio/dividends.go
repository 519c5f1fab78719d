package portfolio

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// DividendEvent is one dividend of one code: holders at the ex-date are paid
// Amount per share on the pay date, FrankingPct of it franked.
type DividendEvent struct {
	ID          int64
	Code        string
	ExDate      time.Time
	PayDate     time.Time
	Amount      decimal.Decimal
	FrankingPct decimal.Decimal
}

func eventFrom(e db.DividendEvent) DividendEvent {
	return DividendEvent{ID: e.ID, Code: e.Code, ExDate: asx.Civil(e.ExDate), PayDate: asx.Civil(e.PayDate),
		Amount: e.Amount, FrankingPct: e.FrankingPct}
}

// ImportDividends reads dividend events as CSV (DividendCSVHeader; dates
// YYYY-MM-DD, amount in dollars per share, franking 0–100) and upserts them
// by code and ex-date, all or nothing. Every bad line is reported, by line
// number. An event already paid to accounts cannot be changed.
func (s *Service) ImportDividends(ctx context.Context, r io.Reader) (int, error) {
	lines, bad, err := readDividendCSV(r)
	if err != nil {
		return 0, err
	}
	var events []db.UpsertDividendEventParams
	for _, l := range lines {
		if _, err := s.q.GetTradableInstrument(ctx, l.event.Code); err != nil {
			msg := "could not check the code"
			if db.IsNotFound(err) {
				msg = "unknown code " + l.event.Code
			}
			bad = append(bad, lineProblem{l.line, msg})
			continue
		}
		events = append(events, l.event)
	}
	if len(bad) > 0 {
		return 0, tooMany(byLine(bad))
	}
	var problems []string
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		for _, e := range events {
			old, err := q.GetDividendEventByKey(ctx, db.GetDividendEventByKeyParams{Code: e.Code, ExDate: e.ExDate})
			if err == nil {
				paid, err := q.CountDividendCredits(ctx, old.ID)
				if err != nil {
					return err
				}
				same := old.Amount.Equal(e.Amount) && old.FrankingPct.Equal(e.FrankingPct) && asx.Civil(old.PayDate).Equal(e.PayDate)
				if paid > 0 && !same {
					problems = append(problems, fmt.Sprintf("%s ex %s was already paid to %d account(s) and cannot be changed",
						e.Code, e.ExDate.Format(time.DateOnly), paid))
					continue
				}
			} else if !db.IsNotFound(err) {
				return err
			}
			if _, err := q.UpsertDividendEvent(ctx, e); err != nil {
				return err
			}
		}
		if len(problems) > 0 {
			return tooMany(problems)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(events), nil
}

// DividendEvents lists the latest events, by pay date.
func (s *Service) DividendEvents(ctx context.Context, limit int) ([]DividendEvent, error) {
	rows, err := s.q.ListDividendEvents(ctx, int32(limit))
	if err != nil {
		return nil, err
	}
	out := make([]DividendEvent, len(rows))
	for i, r := range rows {
		out[i] = eventFrom(r)
	}
	return out, nil
}

// PayDividends credits every event paid on or before asOf to the accounts
// that held the shares at the start of its ex-date and are not yet paid. It
// is idempotent (one credit per event, account and generation) and returns
// how many credits it made.
func (s *Service) PayDividends(ctx context.Context, asOf time.Time) (int, error) {
	events, err := s.q.ListDueDividendEvents(ctx, asx.Civil(asOf))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ev := range events {
		e := eventFrom(ev)
		holders, err := s.q.ListDividendEntitlements(ctx, db.ListDividendEntitlementsParams{
			Code: e.Code, ExDate: e.ExDate, EventID: e.ID})
		if err != nil {
			return n, err
		}
		for _, h := range holders {
			paid, err := s.credit(ctx, e, h.AccountID, h.Generation, h.Quantity)
			if err != nil {
				return n, err
			}
			if paid {
				n++
			}
		}
	}
	return n, nil
}

// credit pays one event to one account in one transaction.
func (s *Service) credit(ctx context.Context, e DividendEvent, accountID int64, gen int32, qty decimal.Decimal) (bool, error) {
	paid := false
	err := db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		row, err := q.LockPaperAccount(ctx, accountID)
		if err != nil {
			return err
		}
		a := accountFrom(row)
		if a.Generation != gen {
			return nil // reset since: the shares are gone
		}
		done, err := q.DividendCreditExists(ctx, db.DividendCreditExistsParams{EventID: e.ID, AccountID: a.ID, Generation: gen})
		if err != nil || done {
			return err
		}
		amount := money(qty.Mul(e.Amount))
		credit, err := tax.FrankingCredit(amount, e.FrankingPct, CompanyTaxRate)
		if err != nil {
			return err
		}
		memo := fmt.Sprintf("Dividend %s: %s shares × $%s, %s%% franked (credit $%s)", e.Code, qty,
			e.Amount.String(), e.FrankingPct.String(), credit.StringFixed(2))
		txID, err := post(ctx, q, &a, kindDividend, memo, nil, nil, line(bookCash, amount), line(bookDividends, amount.Neg()))
		if err != nil {
			return err
		}
		paid = true
		return q.InsertDividendCredit(ctx, db.InsertDividendCreditParams{EventID: e.ID, AccountID: a.ID, Generation: gen,
			Quantity: qty, Amount: amount, FrankingCredit: credit, TransactionID: txID, PaidOn: e.PayDate})
	})
	return paid, err
}

// DividendIncome is one dividend an account received.
type DividendIncome struct {
	Code           string
	ExDate         time.Time
	PayDate        time.Time
	Quantity       decimal.Decimal
	PerShare       decimal.Decimal
	FrankingPct    decimal.Decimal
	Amount         decimal.Decimal // cash received
	Franked        decimal.Decimal // the franked part of Amount
	FrankingCredit decimal.Decimal
	GrossedUp      decimal.Decimal // Amount + FrankingCredit
}

// IncomeSummary is a financial year's dividend income with franking credits.
type IncomeSummary struct {
	FY        int
	Label     string
	Dividends []DividendIncome
	Cash      decimal.Decimal
	Franked   decimal.Decimal
	Unfranked decimal.Decimal
	Credits   decimal.Decimal
	GrossedUp decimal.Decimal
}

// Income returns the dividends a received with pay dates in financial year fy.
func (s *Service) Income(ctx context.Context, a Account, fy int) (IncomeSummary, error) {
	out := IncomeSummary{FY: fy, Label: tax.FYLabel(fy)}
	rows, err := s.q.ListDividendCredits(ctx, db.ListDividendCreditsParams{AccountID: a.ID, Generation: a.Generation})
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		if tax.FinancialYear(asx.Civil(r.PaidOn)) != fy {
			continue
		}
		d := DividendIncome{Code: r.Code, ExDate: asx.Civil(r.ExDate), PayDate: asx.Civil(r.PaidOn), Quantity: r.Quantity,
			PerShare: r.PerShare, FrankingPct: r.FrankingPct, Amount: r.Amount, FrankingCredit: r.FrankingCredit,
			Franked: money(r.Amount.Mul(r.FrankingPct).Div(decimal.NewFromInt(100)))}
		d.GrossedUp = d.Amount.Add(d.FrankingCredit)
		out.Dividends = append(out.Dividends, d)
		out.Cash = out.Cash.Add(d.Amount)
		out.Franked = out.Franked.Add(d.Franked)
		out.Credits = out.Credits.Add(d.FrankingCredit)
	}
	out.Unfranked = out.Cash.Sub(out.Franked)
	out.GrossedUp = out.Cash.Add(out.Credits)
	sort.SliceStable(out.Dividends, func(i, j int) bool { return out.Dividends[i].PayDate.Before(out.Dividends[j].PayDate) })
	return out, nil
}
