package portfolio

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/decimaltext"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

const (
	sideBuy  = string(fees.Buy)
	sideSell = string(fees.Sell)
)

// maxQuantity bounds one order (a sanity limit, not an ASX rule).
var maxQuantity = decimal.NewFromInt(10_000_000)

// OrderInput is an order as a person or program enters it: text fields are
// parsed and checked here so that pages and the API give the same messages.
type OrderInput struct {
	AccountID  int64 // 0: the default account
	Code       string
	Side       string // buy | sell
	Type       string // market | limit | stop | stop_limit (default market)
	Quantity   string // whole shares
	LimitPrice string // limit and stop_limit orders
	StopPrice  string // stop and stop_limit orders
	TIF        string // day (default) | gtc
	Expires    string // gtc only: last day, YYYY-MM-DD Sydney (default 30 days)
	Picks      []PickInput
}

// OrderFields names OrderInput's fields in form order, as order forms,
// the JSON API's messages and Invalid errors' Fields call them ("picks" is the
// parcels nominated for a sell).
var OrderFields = []string{"account", "code", "side", "type", "quantity", "limit_price", "stop_price", "tif", "expires", "picks"}

// PickInput nominates shares of one parcel for a sell.
type PickInput struct {
	ParcelID int64  `json:"parcel_id"`
	Quantity string `json:"quantity"`
}

// spec is a validated order.
type spec struct {
	code, name, sector string
	side               string
	typ                string
	qty                decimal.Decimal
	limit, stop        decimal.NullDecimal
	tif                string
	expires            time.Time // gtc: the last day (civil, UTC midnight)
	picks              []tax.Pick
}

var codeRe = regexp.MustCompile(`^[A-Z0-9]{2,6}$`)

// normaliseCode upper-cases an ASX code and checks its form.
func normaliseCode(raw string, optional bool) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(raw))
	if c == "" && optional {
		return "", nil
	}
	if !codeRe.MatchString(c) {
		return "", apperr.FieldError("code", "Enter an ASX code such as BHP.")
	}
	return c, nil
}

// parsePrice reads an order price in dollars and checks it is on the ASX step.
func parsePrice(raw string) (decimal.Decimal, string) {
	d, err := decimaltext.Parse(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(raw), "$")))
	switch {
	case errors.Is(err, decimaltext.ErrTooLong):
		return d, fmt.Sprintf("The price is too long: enter at most %d characters, such as 45.10.", decimaltext.MaxLen)
	case err != nil:
		return d, "Enter the price in dollars, such as 45.10."
	}
	if d.GreaterThan(maxOrderPrice) {
		return d, "Prices above $100,000 a share are not accepted."
	}
	if err := asx.ValidatePrice(d); err != nil {
		msg := apperr.MessageOf(err)
		return d, strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return d, ""
}

// maxOrderPrice bounds limit and stop prices (no ASX share trades near it;
// the columns hold up to $999,999,999.999).
var maxOrderPrice = decimal.NewFromInt(100_000)

// validate parses in and checks that its code is a listed equity; every
// problem is reported per field.
func (s *Service) validate(ctx context.Context, in OrderInput, today time.Time) (spec, error) {
	sp, errs := parseOrder(in, today)
	if sp.code != "" {
		inst, err := s.q.GetTradableInstrument(ctx, sp.code)
		switch {
		case db.IsNotFound(err):
			errs["code"] = fmt.Sprintf("Unknown ASX code %s: choose a listed equity.", sp.code)
		case err != nil:
			return sp, err
		default:
			sp.code, sp.name, sp.sector = inst.Code, inst.Name, inst.Sector
		}
	}
	if len(errs) > 0 {
		return sp, invalid(errs)
	}
	return sp, nil
}

// parseOrder reads in without the database: every field but whether the
// code is listed. It returns the problems by field (OrderFields); sp.code
// is set when the code has an ASX code's form.
func parseOrder(in OrderInput, today time.Time) (spec, map[string]string) {
	var sp spec
	errs := map[string]string{}
	if code, err := normaliseCode(in.Code, false); err != nil {
		errs["code"] = apperr.MessageOf(err)
	} else {
		sp.code = code
	}
	sp.side = strings.ToLower(strings.TrimSpace(in.Side))
	if sp.side != sideBuy && sp.side != sideSell {
		errs["side"] = "Choose buy or sell."
	}
	sp.typ = strings.ToLower(strings.TrimSpace(in.Type))
	if sp.typ == "" {
		sp.typ = Market
	}
	switch sp.typ {
	case Market, Limit, Stop, StopLimit:
	default:
		errs["type"] = "Choose an order type: market, limit, stop or stop_limit."
	}
	qty, err := decimaltext.Parse(strings.ReplaceAll(strings.TrimSpace(in.Quantity), ",", ""))
	switch {
	case errors.Is(err, decimaltext.ErrTooLong):
		errs["quantity"] = fmt.Sprintf("The quantity is too long: enter at most %d characters, such as 100.", decimaltext.MaxLen)
	case err != nil:
		errs["quantity"] = "Enter the number of shares, a whole number such as 100."
	case !qty.IsPositive():
		errs["quantity"] = "Quantity must be at least 1 share."
	case !qty.Equal(qty.Truncate(0)):
		errs["quantity"] = fmt.Sprintf("Quantity must be a whole number of shares, not %s.", qty)
	case qty.GreaterThan(maxQuantity):
		errs["quantity"] = "Quantity is limited to 10,000,000 shares per order."
	}
	sp.qty = qty
	if sp.typ == Limit || sp.typ == StopLimit {
		if strings.TrimSpace(in.LimitPrice) == "" {
			errs["limit_price"] = "A limit order needs a limit price."
		} else if p, msg := parsePrice(in.LimitPrice); msg != "" {
			errs["limit_price"] = msg
		} else {
			sp.limit = decimal.NewNullDecimal(p)
		}
	} else if strings.TrimSpace(in.LimitPrice) != "" {
		errs["limit_price"] = "Only limit and stop-limit orders take a limit price."
	}
	if sp.typ == Stop || sp.typ == StopLimit {
		if strings.TrimSpace(in.StopPrice) == "" {
			errs["stop_price"] = "A stop order needs a stop (trigger) price."
		} else if p, msg := parsePrice(in.StopPrice); msg != "" {
			errs["stop_price"] = msg
		} else {
			sp.stop = decimal.NewNullDecimal(p)
		}
	} else if strings.TrimSpace(in.StopPrice) != "" {
		errs["stop_price"] = "Only stop and stop-limit orders take a stop price."
	}
	sp.tif = strings.ToLower(strings.TrimSpace(in.TIF))
	if sp.tif == "" {
		sp.tif = Day
	}
	switch sp.tif {
	case Day:
		if strings.TrimSpace(in.Expires) != "" {
			errs["expires"] = "Day orders lapse at the close; choose good till cancelled to set an expiry date."
		}
	case GTC:
		sp.expires = today.AddDate(0, 0, 30)
		if e := strings.TrimSpace(in.Expires); e != "" {
			d, err := time.Parse(time.DateOnly, e)
			switch {
			case err != nil:
				errs["expires"] = "Enter the expiry date as YYYY-MM-DD."
			case d.Before(today):
				errs["expires"] = "The expiry date has passed; choose today or later."
			case d.After(today.AddDate(1, 0, 0)):
				errs["expires"] = "Orders can be good for at most one year."
			default:
				sp.expires = d
			}
		}
	default:
		errs["tif"] = "Choose day or gtc (good till cancelled)."
	}
	for _, p := range in.Picks {
		q, err := decimaltext.Parse(strings.TrimSpace(p.Quantity))
		if err != nil || !q.IsPositive() || !q.Equal(q.Truncate(0)) {
			errs["picks"] = "Each picked parcel needs a whole number of shares."
			break
		}
		sp.picks = append(sp.picks, tax.Pick{ParcelID: p.ParcelID, Quantity: q})
	}
	if len(sp.picks) > 0 && sp.side == sideBuy {
		errs["picks"] = "Parcels are picked only when selling."
	}
	return sp, errs
}

// invalid builds one Invalid error from field messages; its message names
// the first problem in form order.
func invalid(errs map[string]string) error {
	msg := "Check the order."
	for _, f := range OrderFields {
		if m, ok := errs[f]; ok {
			msg = m
			break
		}
	}
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: errs}
}

// expiry returns the session instant at which an order lapses: a day order
// at the close of the trading day it is for (today before the close, else the
// next trading day); a GTC order at the end of its last day.
func (s *Service) expiry(sp spec, now time.Time) time.Time {
	if sp.tif == GTC {
		d := sp.expires
		return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, asx.Sydney())
	}
	if sess, ok := s.cal.SessionTimes(now); ok && now.Before(sess.Close) {
		return sess.Close
	}
	sess, _ := s.cal.SessionTimes(s.cal.NextTradingDay(now))
	return sess.Close
}

// hash identifies the request for idempotency: the same key must come with
// the same order.
func (sp spec) hash(accountID int64) []byte {
	b, _ := json.Marshal([]any{accountID, sp.code, sp.side, sp.typ, sp.qty.String(), sp.limit, sp.stop,
		sp.tif, sp.expires.Format(time.DateOnly), sp.picks})
	h := sha256.Sum256(b)
	return h[:]
}

var keyRe = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// PlaceOrder validates and places an order for the user. key, when not
// empty, is the request's idempotency key: a repeat with the same key and
// the same order returns the order as first placed (replayed is true); the
// same key with a different order is a Conflict. Nothing is written when the
// order is refused.
func (s *Service) PlaceOrder(ctx context.Context, userID int64, in OrderInput, key string) (o Order, replayed bool, err error) {
	if key != "" && !keyRe.MatchString(key) {
		return Order{}, false, apperr.FieldError("idempotency_key", "The idempotency key must be 1 to 255 visible ASCII characters.")
	}
	now := s.sessionNow()
	sp, err := s.validate(ctx, in, asx.TradeDate(now))
	if err != nil {
		return Order{}, false, err
	}
	a, err := s.Account(ctx, userID, in.AccountID)
	if err != nil {
		return Order{}, false, err
	}
	est, err := s.estimate(ctx, a, sp, now)
	if err != nil {
		return Order{}, false, err
	}
	hash := sp.hash(a.ID)
	err = db.WithTx(ctx, s.pool, func(q *db.Queries, _ pgx.Tx) error {
		if key != "" {
			n, err := q.ClaimIdempotencyKey(ctx, db.ClaimIdempotencyKeyParams{UserID: userID, Key: key, RequestHash: hash})
			if err != nil {
				return err
			}
			if n == 0 {
				return replay(ctx, q, userID, key, hash, &o, &replayed)
			}
		}
		row, err := q.LockPaperAccount(ctx, a.ID)
		if err != nil {
			return err
		}
		a = accountFrom(row)
		if err := s.checkFunds(ctx, q, a, sp, est); err != nil {
			return err
		}
		picks, _ := json.Marshal(sp.picks)
		if len(sp.picks) == 0 {
			picks = nil
		}
		reserve := decimal.Zero
		if sp.side == sideBuy {
			reserve = est.Total
		}
		ord, err := q.InsertPaperOrder(ctx, db.InsertPaperOrderParams{AccountID: a.ID, Generation: a.Generation,
			Code: sp.code, Side: sp.side, Type: sp.typ, Quantity: sp.qty, LimitPrice: sp.limit, StopPrice: sp.stop,
			Tif: sp.tif, ExpiresAt: s.expiry(sp, now), Picks: picks, Reserve: reserve})
		if err != nil {
			return err
		}
		if err := q.InsertPaperOrderEvent(ctx, db.InsertPaperOrderEventParams{OrderID: ord.ID, ToState: string(New), Reason: "placed"}); err != nil {
			return err
		}
		to, reason := Queued, "market "+strings.ToLower(s.cal.PhaseAt(now, sp.code).Label())+": queued for the open"
		if s.cal.PhaseAt(now, sp.code) == asx.Open {
			to, reason = Open, "working in continuous trading"
		}
		if err := transition(ctx, q, ord, to, reason); err != nil {
			return err
		}
		ord.State, ord.Reason = string(to), reason
		o = orderFrom(ord)
		snap, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(snap, &o); err != nil { // the same value a replay returns
			return err
		}
		if key != "" {
			return q.CompleteIdempotencyKey(ctx, db.CompleteIdempotencyKeyParams{UserID: userID, Key: key, OrderID: &ord.ID, Response: snap})
		}
		return nil
	})
	if err != nil {
		return Order{}, false, err
	}
	return o, replayed, nil
}

// replay answers a repeated idempotency key with the stored order.
func replay(ctx context.Context, q *db.Queries, userID int64, key string, hash []byte, o *Order, replayed *bool) error {
	row, err := q.GetIdempotencyKey(ctx, db.GetIdempotencyKeyParams{UserID: userID, Key: key})
	if err != nil {
		return err
	}
	if string(row.RequestHash) != string(hash) {
		return &apperr.Error{Code: apperr.Conflict, Field: "idempotency_key",
			Message: "This Idempotency-Key was already used for a different order; use a new key for a new order."}
	}
	if row.Response == nil {
		return apperr.New(apperr.Conflict, "An order with this Idempotency-Key is still being placed; try again.")
	}
	*replayed = true
	return json.Unmarshal(row.Response, o)
}

// checkFunds refuses a buy the available cash cannot pay for (cash less what
// working buys hold back) and a sell of more shares than are held and not
// already offered by working sells. The caller holds the account lock.
func (s *Service) checkFunds(ctx context.Context, q *db.Queries, a Account, sp spec, est Estimate) error {
	if sp.side == sideBuy {
		reserved, err := q.SumActiveBuyReserve(ctx, db.SumActiveBuyReserveParams{AccountID: a.ID, Generation: a.Generation})
		if err != nil {
			return err
		}
		available := a.Cash.Sub(reserved)
		if est.Total.GreaterThan(available) {
			return &apperr.Error{Code: apperr.Unprocessable, Field: "quantity", Message: fmt.Sprintf(
				"Insufficient cash: this order needs about $%s including $%s brokerage, and $%s is available.",
				est.Total.StringFixed(2), est.Brokerage.StringFixed(2), decimal.Max(available, decimal.Zero).StringFixed(2))}
		}
		return nil
	}
	parcels, err := s.openParcels(ctx, q, a, sp.code)
	if err != nil {
		return err
	}
	held := decimal.Zero
	for _, p := range parcels {
		held = held.Add(p.Quantity)
	}
	pending, err := q.SumActiveSellQuantity(ctx, db.SumActiveSellQuantityParams{AccountID: a.ID, Generation: a.Generation, Code: sp.code})
	if err != nil {
		return err
	}
	if sp.qty.GreaterThan(held.Sub(pending)) {
		msg := fmt.Sprintf("Cannot sell %s %s: you hold %s", sp.qty, sp.code, held)
		if pending.IsPositive() {
			msg += fmt.Sprintf(", of which %s are already in working sell orders", pending)
		}
		return &apperr.Error{Code: apperr.Unprocessable, Field: "quantity", Message: msg + " (no short selling)."}
	}
	if len(sp.picks) > 0 {
		if _, err := tax.MatchSale(parcels, tax.Sale{Code: sp.code, Date: est.Date, Quantity: sp.qty,
			Proceeds: decimal.Max(est.Total, decimal.Zero), Method: tax.Specific, Picks: sp.picks}); err != nil {
			return &apperr.Error{Code: apperr.Unprocessable, Field: "picks", Message: apperr.MessageOf(err)}
		}
	}
	return nil
}
