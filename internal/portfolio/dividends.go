package portfolio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
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

// DividendCSVHeader is the header of the dividend import file.
const DividendCSVHeader = "code,ex_date,pay_date,amount,franking_pct"

var dividendColumns = []string{"code", "ex_date", "pay_date", "amount", "franking_pct"}

// ImportDividends reads dividend events as CSV (DividendCSVHeader; dates
// YYYY-MM-DD, amount in dollars per share, franking 0–100) and upserts them
// by code and ex-date, all or nothing. Every bad line is reported, by line
// number. An event already paid to accounts cannot be changed.
func (s *Service) ImportDividends(ctx context.Context, r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return 0, apperr.FieldError("csv", "The file is empty; the first line must be %s.", DividendCSVHeader)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range dividendColumns {
		if _, ok := col[c]; !ok {
			return 0, apperr.FieldError("csv", "The header lacks the %s column; it must be %s.", c, DividendCSVHeader)
		}
	}
	var events []db.UpsertDividendEventParams
	var problems []string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: not valid CSV", line))
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e, msg := s.parseDividend(ctx, get)
		if msg != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", line, msg))
			continue
		}
		events = append(events, e)
	}
	if len(problems) == 0 && len(events) == 0 {
		problems = append(problems, "no dividend lines after the header")
	}
	if len(problems) > 0 {
		return 0, tooMany(problems)
	}
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

func tooMany(problems []string) error {
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("and %d more", len(problems)-20))
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "csv", Message: "The file was not imported: " + strings.Join(problems, "; ") + "."}
}

func (s *Service) parseDividend(ctx context.Context, get func(string) string) (db.UpsertDividendEventParams, string) {
	var e db.UpsertDividendEventParams
	code, err := normaliseCode(get("code"), false)
	if err != nil {
		return e, fmt.Sprintf("%q is not an ASX code", get("code"))
	}
	if _, err := s.q.GetTradableInstrument(ctx, code); err != nil {
		if db.IsNotFound(err) {
			return e, fmt.Sprintf("unknown code %s", code)
		}
		return e, "could not check the code"
	}
	ex, err1 := time.Parse(time.DateOnly, get("ex_date"))
	pay, err2 := time.Parse(time.DateOnly, get("pay_date"))
	amount, err3 := decimal.NewFromString(get("amount"))
	pct, err4 := decimal.NewFromString(strings.TrimSuffix(get("franking_pct"), "%"))
	switch {
	case err1 != nil:
		return e, "ex_date must be YYYY-MM-DD"
	case err2 != nil:
		return e, "pay_date must be YYYY-MM-DD"
	case pay.Before(ex):
		return e, "pay_date is before ex_date"
	case err3 != nil || !amount.IsPositive() || amount.GreaterThan(decimal.NewFromInt(1000)):
		return e, "amount must be a positive number of dollars per share, at most 1000"
	case amount.Exponent() < -6:
		return e, "amount has more than 6 decimal places"
	case err4 != nil || pct.IsNegative() || pct.GreaterThan(decimal.NewFromInt(100)):
		return e, "franking_pct must be from 0 to 100"
	}
	return db.UpsertDividendEventParams{Code: code, ExDate: ex, PayDate: pay, Amount: amount.Round(6), FrankingPct: pct.Round(2)}, ""
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
