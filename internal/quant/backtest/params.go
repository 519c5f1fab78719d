package backtest

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
)

// Strategies.
const (
	// TopkDropout is Qlib's TopkDropoutStrategy.
	TopkDropout = "topk_dropout"
	// TopkRebalance holds the top K scores in equal weight, rebalanced every
	// RebalanceEvery trading days.
	TopkRebalance = "topk_rebalance"
)

// Deal prices.
const (
	DealOpen  = "open"
	DealClose = "close"
)

// Brokerage choices besides the named fee schedules (fees.Names).
const (
	// BrokerageQlibCosts charges OpenCost on buys and CloseCost on sells,
	// at least MinCost, as Qlib's exchange does.
	BrokerageQlibCosts = "qlib_costs"
	// BrokerageNone charges nothing.
	BrokerageNone = "none"
)

// Params are a run's strategy, execution and cost settings. The JSON names
// are Qlib's where Qlib has the setting.
type Params struct {
	Strategy string `json:"strategy"`
	// TopK is the number of instruments held; NDrop how many of them are
	// replaced each day (TopK-Dropout).
	TopK  int `json:"topk"`
	NDrop int `json:"n_drop"`
	// HoldThresh is the least number of trading days a holding is kept
	// before it may be sold (Qlib counts a day at each close it is held).
	HoldThresh int `json:"hold_thresh"`
	// MethodSell and MethodBuy are Qlib's; only "bottom" and "top" (its
	// defaults) are deterministic and supported.
	MethodSell string `json:"method_sell"`
	MethodBuy  string `json:"method_buy"`
	// OnlyTradable makes TopK-Dropout choose its candidates and the holdings
	// it drops among the instruments that trade on the day (Qlib's
	// only_tradable, default false). Without it a holding that never trades
	// again (delisted, or past the end of its data) stays at the bottom of the
	// ranking, takes one of the n_drop slots every day and is never sold, so
	// n_drop such holdings stop the strategy trading at all.
	OnlyTradable bool `json:"only_tradable,omitempty"`
	// RiskDegree is the share of the cash put to work in buys (Qlib: 0.95).
	RiskDegree float64 `json:"risk_degree"`
	// RebalanceEvery is the baseline's rebalancing period in trading days.
	RebalanceEvery int `json:"rebalance_every,omitempty"`
	// DealPrice is "open" or "close" of the trading day (Qlib: close).
	DealPrice string `json:"deal_price"`
	// InitialCash is the account's starting cash in AUD.
	InitialCash decimal.Decimal `json:"initial_cash"`
	// Brokerage names a fee schedule (commsec, selfwealth, qlib),
	// qlib_costs (OpenCost, CloseCost, MinCost) or none.
	Brokerage string          `json:"brokerage"`
	OpenCost  decimal.Decimal `json:"open_cost,omitzero"`
	CloseCost decimal.Decimal `json:"close_cost,omitzero"`
	MinCost   decimal.Decimal `json:"min_cost,omitzero"`
	// CGTAware keeps, instead of dropping, a holding showing a gain whose
	// shares would qualify for the 12-month CGT discount within
	// CGTWindowDays calendar days (TopK-Dropout only).
	CGTAware      bool `json:"cgt_aware,omitempty"`
	CGTWindowDays int  `json:"cgt_window_days,omitempty"`
}

// DefaultParams are Qlib's TopK-Dropout benchmark settings (topk 50, n_drop
// 5, hold_thresh 1, bottom/top, risk_degree 0.95, deal at the close) with
// CommSec brokerage on $1,000,000 of cash.
func DefaultParams() Params {
	return Params{
		Strategy: TopkDropout, TopK: 50, NDrop: 5, HoldThresh: 1,
		MethodSell: "bottom", MethodBuy: "top", RiskDegree: 0.95, RebalanceEvery: 5,
		DealPrice: DealClose, InitialCash: decimal.NewFromInt(1_000_000), Brokerage: fees.CommSec,
		OpenCost: decimal.RequireFromString("0.0005"), CloseCost: decimal.RequireFromString("0.0015"),
		MinCost: decimal.NewFromInt(5), CGTWindowDays: 60,
	}
}

// Normalise fills empty fields with their defaults and lower-cases names;
// numbers that are zero stay zero except where zero is not allowed (topk,
// risk_degree, hold_thresh keep what was given and are checked by Check).
func (p Params) Normalise() Params {
	d := DefaultParams()
	p.Strategy = strings.ToLower(strings.TrimSpace(p.Strategy))
	if p.Strategy == "" {
		p.Strategy = d.Strategy
	}
	p.MethodSell = strings.ToLower(strings.TrimSpace(p.MethodSell))
	if p.MethodSell == "" {
		p.MethodSell = d.MethodSell
	}
	p.MethodBuy = strings.ToLower(strings.TrimSpace(p.MethodBuy))
	if p.MethodBuy == "" {
		p.MethodBuy = d.MethodBuy
	}
	p.DealPrice = strings.ToLower(strings.TrimSpace(p.DealPrice))
	if p.DealPrice == "" {
		p.DealPrice = d.DealPrice
	}
	p.Brokerage = strings.ToLower(strings.TrimSpace(p.Brokerage))
	if p.Brokerage == "" {
		p.Brokerage = d.Brokerage
	}
	if p.Strategy == TopkRebalance && p.RebalanceEvery == 0 {
		p.RebalanceEvery = d.RebalanceEvery
	}
	if p.Strategy != TopkRebalance {
		p.RebalanceEvery = 0
	}
	if p.CGTAware && p.CGTWindowDays == 0 {
		p.CGTWindowDays = d.CGTWindowDays
	}
	if !p.CGTAware {
		p.CGTWindowDays = 0
	}
	if p.Brokerage != BrokerageQlibCosts {
		p.OpenCost, p.CloseCost, p.MinCost = decimal.Zero, decimal.Zero, decimal.Zero
	}
	return p
}

// Check reports the first bad setting as an apperr Invalid error naming its
// JSON field.
func (p Params) Check() error {
	switch p.Strategy {
	case TopkDropout, TopkRebalance:
	default:
		return apperr.FieldError("strategy", "strategy must be %s or %s, not %q", TopkDropout, TopkRebalance, p.Strategy)
	}
	if p.TopK <= 0 || p.TopK > 500 {
		return apperr.FieldError("topk", "topk must be from 1 to 500, not %d", p.TopK)
	}
	if p.Strategy == TopkDropout {
		if p.NDrop < 0 || p.NDrop > p.TopK {
			return apperr.FieldError("n_drop", "n_drop must be from 0 to topk (%d), not %d", p.TopK, p.NDrop)
		}
		if p.HoldThresh < 0 || p.HoldThresh > 1000 {
			return apperr.FieldError("hold_thresh", "hold_thresh must be from 0 to 1000 trading days, not %d", p.HoldThresh)
		}
		if p.MethodSell != "bottom" {
			return apperr.FieldError("method_sell", "method_sell must be bottom (random is not reproducible), not %q", p.MethodSell)
		}
		if p.MethodBuy != "top" {
			return apperr.FieldError("method_buy", "method_buy must be top (random is not reproducible), not %q", p.MethodBuy)
		}
		if p.CGTAware && (p.CGTWindowDays < 1 || p.CGTWindowDays > 366) {
			return apperr.FieldError("cgt_window_days", "cgt_window_days must be from 1 to 366, not %d", p.CGTWindowDays)
		}
	} else {
		if p.RebalanceEvery < 1 || p.RebalanceEvery > 260 {
			return apperr.FieldError("rebalance_every", "rebalance_every must be from 1 to 260 trading days, not %d", p.RebalanceEvery)
		}
		if p.CGTAware {
			return apperr.FieldError("cgt_aware", "cgt_aware applies to topk_dropout only")
		}
		if p.OnlyTradable {
			return apperr.FieldError("only_tradable", "only_tradable applies to topk_dropout only (the baseline ranks tradable instruments already)")
		}
	}
	if !(p.RiskDegree > 0 && p.RiskDegree <= 1) {
		return apperr.FieldError("risk_degree", "risk_degree must be more than 0 and at most 1, not %g", p.RiskDegree)
	}
	if p.DealPrice != DealOpen && p.DealPrice != DealClose {
		return apperr.FieldError("deal_price", "deal_price must be open or close, not %q", p.DealPrice)
	}
	if !p.InitialCash.IsPositive() || p.InitialCash.GreaterThan(decimal.NewFromInt(1_000_000_000_000)) {
		return apperr.FieldError("initial_cash", "initial_cash must be more than 0 and at most 1,000,000,000,000, not %s", p.InitialCash)
	}
	if p.InitialCash.Exponent() < -2 {
		return apperr.FieldError("initial_cash", "initial_cash must be whole cents, not %s", p.InitialCash)
	}
	_, err := p.Schedule()
	return err
}

// Schedule returns the brokerage schedule the run charges; Brokerage none
// returns a flat schedule of $0.
func (p Params) Schedule() (fees.Schedule, error) {
	switch p.Brokerage {
	case BrokerageNone:
		return fees.Schedule{Name: BrokerageNone, Kind: fees.Flat}, nil
	case BrokerageQlibCosts:
		for _, c := range []struct {
			name string
			v    decimal.Decimal
		}{{"open_cost", p.OpenCost}, {"close_cost", p.CloseCost}} {
			if c.v.IsNegative() || c.v.GreaterThan(decimal.RequireFromString("0.05")) {
				return fees.Schedule{}, apperr.FieldError(c.name, "%s must be a fraction from 0 to 0.05 (0.0005 is 0.05 %%), not %s", c.name, c.v)
			}
		}
		if p.MinCost.IsNegative() || p.MinCost.GreaterThan(decimal.NewFromInt(1000)) || p.MinCost.Exponent() < -2 {
			return fees.Schedule{}, apperr.FieldError("min_cost", "min_cost must be whole cents from 0 to 1000, not %s", p.MinCost)
		}
		return fees.Schedule{Name: BrokerageQlibCosts, Kind: fees.Percentage,
			BuyRate: p.OpenCost, SellRate: p.CloseCost, Minimum: p.MinCost}, nil
	}
	s, err := fees.Named(p.Brokerage)
	if err != nil {
		return fees.Schedule{}, apperr.FieldError("brokerage", "brokerage must be one of %s, %s or %s, not %q",
			strings.Join(fees.Names(), ", "), BrokerageQlibCosts, BrokerageNone, p.Brokerage)
	}
	return s, nil
}
