package portfolio

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// Holding is the shares of one code an account holds, valued at the live quote.
type Holding struct {
	Code, Name, Sector string
	Quantity           decimal.Decimal
	CostBase           decimal.Decimal // brokerage included
	AvgCost            decimal.Decimal // cost base per share
	Price              decimal.Decimal // last trade (the cost per share when there is no quote)
	PrevClose          decimal.Decimal
	Priced             bool // Price comes from a quote
	MarketValue        decimal.Decimal
	Unrealised         decimal.Decimal // market value − cost base
	UnrealisedPct      decimal.Decimal // fraction of cost base
	// DayChange is quantity × (price − previous close) for shares held since
	// before today, and market value − cost base for parcels bought today
	// (they never had yesterday's price).
	DayChange decimal.Decimal
	Weight    decimal.Decimal // fraction of the account's market value
	Parcels   []tax.Parcel
}

// Slice is one part of an allocation.
type Slice struct {
	Label  string
	Value  decimal.Decimal
	Weight decimal.Decimal // fraction of the whole
}

// Valuation is an account valued now.
type Valuation struct {
	Account     Account
	Cash        decimal.Decimal
	MarketValue decimal.Decimal
	// Receivable is the cash of dividends gone ex on shares held and not
	// paid yet: the price fell on the ex-date, the cash comes on the pay date.
	Receivable decimal.Decimal
	Total      decimal.Decimal // cash + market value + dividends receivable
	CostBase   decimal.Decimal
	Unrealised decimal.Decimal
	Realised   decimal.Decimal // capital gains less losses on sales (net of brokerage)
	Dividends  decimal.Decimal
	Brokerage  decimal.Decimal // paid on every fill
	DayChange  decimal.Decimal
	Return     decimal.Decimal // total − starting balance
	ReturnPct  decimal.Decimal // fraction of the starting balance
	Holdings   []Holding
	ByHolding  []Slice // market value and cash
	BySector   []Slice
	AsOf       time.Time
}

// Value values the account at the live quotes.
func (s *Service) Value(ctx context.Context, a Account) (Valuation, error) {
	v := Valuation{Account: a, Cash: a.Cash, AsOf: s.sessionNow()} // quotes carry session times
	parcels, err := s.openParcels(ctx, s.q, a, "")
	if err != nil {
		return v, err
	}
	var codes []string
	for _, p := range parcels {
		if len(codes) == 0 || codes[len(codes)-1] != p.Code {
			codes = append(codes, p.Code)
		}
	}
	names := map[string]db.ListInstrumentNamesRow{}
	if len(codes) > 0 {
		rows, err := s.q.ListInstrumentNames(ctx, codes)
		if err != nil {
			return v, err
		}
		for _, r := range rows {
			names[r.Code] = r
		}
	}
	for _, p := range parcels {
		if len(v.Holdings) == 0 || v.Holdings[len(v.Holdings)-1].Code != p.Code {
			n := names[p.Code]
			v.Holdings = append(v.Holdings, Holding{Code: p.Code, Name: n.Name, Sector: n.Sector})
		}
		h := &v.Holdings[len(v.Holdings)-1]
		h.Quantity = h.Quantity.Add(p.Quantity)
		h.CostBase = h.CostBase.Add(p.CostBase)
		h.Parcels = append(h.Parcels, p)
	}
	for i := range v.Holdings {
		s.price(&v.Holdings[i])
		h := v.Holdings[i]
		v.MarketValue = v.MarketValue.Add(h.MarketValue)
		v.CostBase = v.CostBase.Add(h.CostBase)
		v.DayChange = v.DayChange.Add(h.DayChange)
	}
	if v.Receivable, err = s.q.SumDividendsReceivable(ctx, db.SumDividendsReceivableParams{AccountID: a.ID,
		Generation: a.Generation, AsOf: asx.TradeDate(s.sessionNow())}); err != nil {
		return v, err
	}
	v.Total = v.Cash.Add(v.MarketValue).Add(v.Receivable)
	v.Unrealised = v.MarketValue.Sub(v.CostBase)
	v.Return = v.Total.Sub(a.StartingBalance)
	v.ReturnPct = ratio(v.Return, a.StartingBalance)
	if v.Realised, v.Dividends, v.Brokerage, err = s.income(ctx, a); err != nil {
		return v, err
	}
	v.allocate()
	return v, nil
}

// price values h at the live quote.
func (s *Service) price(h *Holding) {
	h.AvgCost = h.CostBase.DivRound(h.Quantity, 4)
	h.Price = h.AvgCost
	if s.quotes != nil {
		if q, ok := s.quotes.Quote(h.Code); ok && q.Last > 0 {
			h.Price, h.Priced = price(q.Last), true
			if q.PrevClose > 0 {
				h.PrevClose = price(q.PrevClose)
				h.DayChange = s.dayChange(h)
			}
		}
	}
	h.MarketValue = money(h.Quantity.Mul(h.Price))
	h.Unrealised = h.MarketValue.Sub(h.CostBase)
	h.UnrealisedPct = ratio(h.Unrealised, h.CostBase)
}

// dayChange splits h into parcels bought today and the rest (see Holding).
func (s *Service) dayChange(h *Holding) decimal.Decimal {
	today := s.TradeDate()
	heldQty := h.Quantity
	change := decimal.Zero
	for _, p := range h.Parcels {
		if asx.Civil(p.Acquired).Equal(today) {
			heldQty = heldQty.Sub(p.Quantity)
			change = change.Add(p.Quantity.Mul(h.Price).Sub(p.CostBase))
		}
	}
	return money(change.Add(heldQty.Mul(h.Price.Sub(h.PrevClose))))
}

// income sums realised gains, dividends and brokerage of a's current generation.
func (s *Service) income(ctx context.Context, a Account) (realised, dividends, brokerage decimal.Decimal, err error) {
	bal, err := s.Balances(ctx, a)
	if err != nil {
		return
	}
	// Credits are negative in the ledger: income is their negation.
	realised, dividends = bal[bookRealised].Neg(), bal[bookDividends].Neg()
	brokerage, err = s.q.SumBrokerage(ctx, db.SumBrokerageParams{AccountID: a.ID, Generation: a.Generation})
	return
}

// allocate fills the allocation by holding (with cash) and by sector.
func (v *Valuation) allocate() {
	slices.SortStableFunc(v.Holdings, func(a, b Holding) int { return b.MarketValue.Cmp(a.MarketValue) })
	sectors := map[string]decimal.Decimal{}
	for i := range v.Holdings {
		h := &v.Holdings[i]
		h.Weight = ratio(h.MarketValue, v.MarketValue)
		v.ByHolding = append(v.ByHolding, Slice{Label: h.Code, Value: h.MarketValue, Weight: ratio(h.MarketValue, v.Total)})
		sector := h.Sector
		if sector == "" {
			sector = "Other"
		}
		sectors[sector] = sectors[sector].Add(h.MarketValue)
	}
	v.ByHolding = append(v.ByHolding, Slice{Label: "Cash", Value: v.Cash, Weight: ratio(v.Cash, v.Total)})
	if v.Receivable.IsPositive() {
		v.ByHolding = append(v.ByHolding, Slice{Label: "Dividends due", Value: v.Receivable, Weight: ratio(v.Receivable, v.Total)})
	}
	for name, val := range sectors {
		v.BySector = append(v.BySector, Slice{Label: name, Value: val, Weight: ratio(val, v.MarketValue)})
	}
	bigFirst := func(a, b Slice) int {
		if c := b.Value.Cmp(a.Value); c != 0 {
			return c
		}
		if a.Label < b.Label {
			return -1
		}
		return 1
	}
	slices.SortFunc(v.BySector, bigFirst)
}

// ratio is a ÷ b to six places, 0 when b is 0.
func ratio(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return decimal.Zero
	}
	return a.DivRound(b, 6)
}

// TotalValue is the value of every paper account (current generations) at
// the live quotes: the portfolio_value_aud gauge.
func (s *Service) TotalValue(ctx context.Context) (decimal.Decimal, error) {
	total, err := s.q.SumAllCash(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	held, err := s.q.ListHeldQuantities(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	for _, h := range held {
		if s.quotes == nil {
			continue
		}
		if q, ok := s.quotes.Quote(h.Code); ok && q.Last > 0 {
			total = total.Add(money(h.Quantity.Mul(price(q.Last))))
		}
	}
	return total, nil
}
