package portfolio

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// DividendEvent is one dividend of one code: holders at the close of the day
// before ExDate are paid Amount per share on PayDate. FrankingPct is the
// franked percentage, invalid when the source did not state it (then no
// franking credit is recorded; that is not the same as unfranked).
type DividendEvent struct {
	ID          int64
	Code        string
	ExDate      time.Time
	PayDate     time.Time
	Amount      decimal.Decimal
	FrankingPct decimal.NullDecimal
	Kind        string // interim, final, special or other
	Source      string // where the figures came from
}

// FrankingCredit is the franking credit per share (zero when the franking is
// not stated), to the cent's fraction: the holder's credit is worked out on
// the cash amount received.
func (e DividendEvent) FrankingCredit() decimal.Decimal {
	if !e.FrankingPct.Valid {
		return decimal.Zero
	}
	return frankingCredit(e.Amount, e.FrankingPct.Decimal, 6)
}

// GrossedUp is the amount per share plus its franking credit.
func (e DividendEvent) GrossedUp() decimal.Decimal { return e.Amount.Add(e.FrankingCredit()) }

// frankingCredit is tax.FrankingCredit's formula at places decimals (the
// inputs are checked where events are read).
func frankingCredit(amount, pct decimal.Decimal, places int32) decimal.Decimal {
	one := decimal.NewFromInt(1)
	return amount.Mul(pct).Mul(CompanyTaxRate).DivRound(decimal.NewFromInt(100).Mul(one.Sub(CompanyTaxRate)), places)
}

func eventFrom(e db.DividendEvent) DividendEvent {
	return DividendEvent{ID: e.ID, Code: e.Code, ExDate: asx.Civil(e.ExDate), PayDate: asx.Civil(e.PayDate),
		Amount: e.Amount, FrankingPct: franking(e.FrankingPct, e.FrankingStated), Kind: e.Kind, Source: e.Source}
}

// franking is a stored franking percentage, invalid when not stated.
func franking(pct decimal.Decimal, stated bool) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: pct, Valid: stated}
}

func eventsFrom(rows []db.DividendEvent) []DividendEvent {
	out := make([]DividendEvent, len(rows))
	for i, r := range rows {
		out[i] = eventFrom(r)
	}
	return out
}

// DividendImport is what an import did.
type DividendImport struct {
	Lines   int      // good lines read
	Changed int      // events inserted or changed (0 when the file was already loaded)
	Skipped []string // lines not loaded and why (no ex-date)
}

// ImportDividends reads dividend events as CSV (DividendCSVHeader or
// DividendCSVHeaderShipped; dates YYYY-MM-DD, amount in dollars per share,
// franking 0–100 or blank when not stated) and upserts them by code, ex-date
// and kind, all or nothing. Every bad line is reported, by line number. A
// line without a kind updates the one event of its code and ex-date, or adds
// one of kind other; a line with a kind names the one event of kind other on
// its date when there is none of its kind (so that loading a dividend in both
// formats never pays it twice). An event already paid to accounts cannot be
// changed.
func (s *Service) ImportDividends(ctx context.Context, r io.Reader) (DividendImport, error) {
	var res DividendImport
	lines, bad, skipped, err := readDividendCSV(r)
	if err != nil {
		return res, err
	}
	var good []dividendLine
	for _, l := range lines {
		if _, err := s.q.GetTradableInstrument(ctx, l.event.Code); err != nil {
			msg := "could not check the code"
			if db.IsNotFound(err) {
				msg = "unknown code " + l.event.Code
			}
			bad = append(bad, lineProblem{l.line, msg})
			continue
		}
		good = append(good, l)
	}
	if len(bad) > 0 {
		return res, tooMany(byLine(bad))
	}
	var problems []lineProblem
	changed := 0
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		for _, l := range good {
			e := l.event
			same, err := q.ListDividendEventsOn(ctx, db.ListDividendEventsOnParams{Code: e.Code, ExDate: e.ExDate})
			if err != nil {
				return err
			}
			if e.Kind == "" {
				switch len(same) {
				case 0:
					e.Kind = "other"
				case 1:
					e.Kind = same[0].Kind
				default:
					problems = append(problems, lineProblem{l.line, fmt.Sprintf("%s has %d dividends on ex-date %s; add a kind column (%s)",
						e.Code, len(same), e.ExDate.Format(time.DateOnly), strings.Join(DividendKinds, ", "))})
					continue
				}
			}
			if adopt, ok := adoptOther(same, e.Kind); ok {
				// Loaded before without a kind (the short format, or rows from
				// before kinds existed): this line names it, rather than
				// adding the same dividend a second time.
				if err := q.SetDividendEventKind(ctx, db.SetDividendEventKindParams{ID: adopt.ID, Kind: e.Kind}); err != nil {
					return err
				}
				adopt.Kind = e.Kind
				same = []db.DividendEvent{adopt}
			}
			for _, old := range same {
				if old.Kind != e.Kind {
					continue
				}
				if l.keepSource {
					e.Source = old.Source
				}
				paid, err := q.CountDividendCredits(ctx, old.ID)
				if err != nil {
					return err
				}
				unchanged := old.Amount.Equal(e.Amount) && sameFranking(franking(old.FrankingPct, old.FrankingStated), franking(e.FrankingPct, e.FrankingStated)) && asx.Civil(old.PayDate).Equal(e.PayDate)
				if paid > 0 && !unchanged {
					problems = append(problems, lineProblem{l.line, fmt.Sprintf("%s %s ex %s was already paid to %d account(s) and cannot be changed",
						e.Code, e.Kind, e.ExDate.Format(time.DateOnly), paid)})
				}
			}
			n, err := q.UpsertDividendEvent(ctx, e)
			if err != nil {
				return err
			}
			changed += int(n)
		}
		if len(problems) > 0 {
			return tooMany(byLine(problems))
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Lines, res.Changed, res.Skipped = len(good), changed, byLine(skipped)
	return res, nil
}

// adoptOther returns the one event of kind other among same (one code and
// ex-date) when there is no event of kind: a line of kind names it.
func adoptOther(same []db.DividendEvent, kind string) (db.DividendEvent, bool) {
	if kind == "other" {
		return db.DividendEvent{}, false
	}
	var other []db.DividendEvent
	for _, ev := range same {
		if ev.Kind == kind {
			return db.DividendEvent{}, false
		}
		if ev.Kind == "other" {
			other = append(other, ev)
		}
	}
	if len(other) != 1 {
		return db.DividendEvent{}, false
	}
	return other[0], true
}

func sameFranking(a, b decimal.NullDecimal) bool {
	return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
}

// DividendFile is the shipped dividend file's name in the data directory.
const DividendFile = "dividends.csv"

// SeedDividends loads the shipped dividend file at path (data/asx/dividends.csv)
// like an admin import; a second run changes nothing.
func SeedDividends(ctx context.Context, pool *pgxpool.Pool, path string) (DividendImport, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the data directory (DATA_DIR, --data)
	if err != nil {
		return DividendImport{}, err
	}
	defer f.Close()
	res, err := NewService(pool, nil, nil, nil).ImportDividends(ctx, f)
	if err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// DividendEvents lists the latest events, by pay date.
func (s *Service) DividendEvents(ctx context.Context, limit int) ([]DividendEvent, error) {
	rows, err := s.q.ListDividendEvents(ctx, int32(limit))
	return eventsFrom(rows), err
}

// InstrumentDividends lists code's events, latest ex-date first, at most limit.
func InstrumentDividends(ctx context.Context, q *db.Queries, code string, limit int) ([]DividendEvent, error) {
	rows, err := q.ListInstrumentDividends(ctx, db.ListInstrumentDividendsParams{Code: code, Limit: int32(limit)})
	return eventsFrom(rows), err
}

// Dividends lists the events of codes with ex-dates from from to to
// (inclusive), by code and ex-date: what a backtest or a total-return label
// needs. A code without events has no dividend data (see DividendCoverage),
// which is not the same as paying none.
func Dividends(ctx context.Context, q *db.Queries, codes []string, from, to time.Time) ([]DividendEvent, error) {
	rows, err := q.ListDividendsBetween(ctx, db.ListDividendsBetweenParams{Codes: codes, FromDate: asx.Civil(from), ToDate: asx.Civil(to)})
	return eventsFrom(rows), err
}

// CodeCoverage is one code's dividend data.
type CodeCoverage struct {
	Code         string
	Events       int
	WithFranking int // events whose franking % is stated
	FirstEx      time.Time
	LastEx       time.Time
}

// Coverage says which codes have dividend data: most do not, and a figure
// that depends on dividends (income, total return) leaves their dividends out.
type Coverage struct {
	Codes []CodeCoverage
}

// Has reports whether code has any dividend data.
func (c Coverage) Has(code string) bool {
	for _, cc := range c.Codes {
		if cc.Code == code {
			return true
		}
	}
	return false
}

// Of returns code's coverage.
func (c Coverage) Of(code string) (CodeCoverage, bool) {
	for _, cc := range c.Codes {
		if cc.Code == code {
			return cc, true
		}
	}
	return CodeCoverage{}, false
}

// List is the covered codes.
func (c Coverage) List() []string {
	out := make([]string, len(c.Codes))
	for i, cc := range c.Codes {
		out[i] = cc.Code
	}
	return out
}

// DividendCoverage returns which codes have dividend data.
func DividendCoverage(ctx context.Context, q *db.Queries) (Coverage, error) {
	rows, err := q.DividendCoverage(ctx)
	if err != nil {
		return Coverage{}, err
	}
	var c Coverage
	for _, r := range rows {
		c.Codes = append(c.Codes, CodeCoverage{Code: r.Code, Events: int(r.Events), WithFranking: int(r.WithFranking),
			FirstEx: asx.Civil(r.FirstEx), LastEx: asx.Civil(r.LastEx)})
	}
	return c, nil
}

// DividendCoverage returns which codes have dividend data.
func (s *Service) DividendCoverage(ctx context.Context) (Coverage, error) {
	return DividendCoverage(ctx, s.q)
}

// PayDividends credits every event paid on or before asOf to the accounts
// that held the shares at the close of the day before its ex-date and are not
// yet paid. It is idempotent (one credit per event, account and generation,
// checked under the account's row lock and by a unique key) and returns how
// many credits it made.
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
		credit, franking := decimal.Zero, "franking not stated by the source, no credit recorded"
		if e.FrankingPct.Valid {
			c, err := tax.FrankingCredit(amount, e.FrankingPct.Decimal, CompanyTaxRate)
			if err != nil {
				return err
			}
			credit, franking = c, fmt.Sprintf("%s%% franked (credit $%s)", e.FrankingPct.Decimal.String(), c.StringFixed(2))
		}
		memo := fmt.Sprintf("Dividend %s (%s, ex %s): %s shares × $%s, %s", e.Code, e.Kind, e.ExDate.Format(time.DateOnly), qty,
			e.Amount.String(), franking)
		lines := []Line{line(bookCash, amount), line(bookDividends, amount.Neg())}
		if credit.IsPositive() {
			lines = append(lines, line(bookFrankingCredits, credit), line(bookFrankingIncome, credit.Neg()))
		}
		txID, err := post(ctx, q, &a, kindDividend, memo, nil, nil, lines...)
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
	Kind           string
	ExDate         time.Time
	PayDate        time.Time
	Quantity       decimal.Decimal
	PerShare       decimal.Decimal
	FrankingPct    decimal.NullDecimal // invalid: not stated by the source
	Amount         decimal.Decimal     // cash received
	Franked        decimal.Decimal     // the franked part of Amount
	FrankingCredit decimal.Decimal
	GrossedUp      decimal.Decimal // Amount + FrankingCredit
}

// IncomeSummary is a financial year's dividend income with franking credits.
// Cash = Franked + Unfranked + Unstated.
type IncomeSummary struct {
	FY        int
	Label     string
	Dividends []DividendIncome
	Cash      decimal.Decimal
	Franked   decimal.Decimal
	Unfranked decimal.Decimal
	Unstated  decimal.Decimal // cash whose franking the source did not state (no credit recorded)
	Credits   decimal.Decimal
	GrossedUp decimal.Decimal
	// NoData are codes the account has held that have no dividend data:
	// their dividends are not in these figures.
	NoData []string
}

// Income returns the dividends a received with pay dates in financial year
// fy (1 July to 30 June).
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
		d := DividendIncome{Code: r.Code, Kind: r.Kind, ExDate: asx.Civil(r.ExDate), PayDate: asx.Civil(r.PaidOn), Quantity: r.Quantity,
			PerShare: r.PerShare, FrankingPct: franking(r.FrankingPct, r.FrankingStated), Amount: r.Amount, FrankingCredit: r.FrankingCredit}
		if r.FrankingStated {
			d.Franked = money(r.Amount.Mul(r.FrankingPct).Div(decimal.NewFromInt(100)))
			out.Unfranked = out.Unfranked.Add(d.Amount.Sub(d.Franked))
		} else {
			out.Unstated = out.Unstated.Add(d.Amount)
		}
		d.GrossedUp = d.Amount.Add(d.FrankingCredit)
		out.Dividends = append(out.Dividends, d)
		out.Cash = out.Cash.Add(d.Amount)
		out.Franked = out.Franked.Add(d.Franked)
		out.Credits = out.Credits.Add(d.FrankingCredit)
	}
	out.GrossedUp = out.Cash.Add(out.Credits)
	sort.SliceStable(out.Dividends, func(i, j int) bool { return out.Dividends[i].PayDate.Before(out.Dividends[j].PayDate) })
	out.NoData, err = s.q.ListHeldCodesWithoutDividends(ctx, db.ListHeldCodesWithoutDividendsParams{AccountID: a.ID, Generation: a.Generation})
	return out, err
}
