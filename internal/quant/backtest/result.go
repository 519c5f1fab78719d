package backtest

import (
	"time"

	"github.com/shopspring/decimal"
)

// Sides of a trade.
const (
	Buy  = "buy"
	Sell = "sell"
)

// Day is the account at one day's close. Return, Cost, Turnover and
// BenchReturn are fractions of the previous day's value (Qlib's "return"
// is before costs: Return - Cost is what the account earned); they are 0
// on the base day.
type Day struct {
	Date        time.Time       `json:"date"`
	Value       decimal.Decimal `json:"value"`
	Cash        decimal.Decimal `json:"cash"`
	StockValue  decimal.Decimal `json:"stock_value"`
	Costs       decimal.Decimal `json:"costs"`
	Traded      decimal.Decimal `json:"traded"`
	Dividends   decimal.Decimal `json:"dividends"`
	Positions   int             `json:"positions"`
	Return      float64         `json:"return"`
	Cost        float64         `json:"cost"`
	Turnover    float64         `json:"turnover"`
	Bench       float64         `json:"bench_close"`
	BenchReturn float64         `json:"bench_return"`
}

// Net is the day's return after costs.
func (d Day) Net() float64 { return d.Return - d.Cost }

// Trade is one fill. Value is Shares × Price rounded to the cent (the
// consideration on a contract note); Cost is its brokerage.
type Trade struct {
	Date   time.Time       `json:"date"`
	Code   string          `json:"code"`
	Side   string          `json:"side"`
	Shares int64           `json:"shares"`
	Price  decimal.Decimal `json:"price"`
	Value  decimal.Decimal `json:"value"`
	Cost   decimal.Decimal `json:"cost"`
	// Gain is, for a sale, the proceeds less brokerage less the cost base
	// (purchase values and buy brokerage) of the shares sold.
	Gain decimal.Decimal `json:"gain,omitzero"`
}

// Holding is one position at a day's close.
type Holding struct {
	Date   time.Time       `json:"date"`
	Code   string          `json:"code"`
	Shares int64           `json:"shares"`
	Price  decimal.Decimal `json:"price"`
	Value  decimal.Decimal `json:"value"`
	// DaysHeld is Qlib's count: closes passed while held.
	DaysHeld int `json:"days_held"`
}

// DividendPaid is a dividend credited to the account.
type DividendPaid struct {
	Dividend
	Shares int64           `json:"shares"`
	Cash   decimal.Decimal `json:"cash"`
}

// Result is everything a run produced.
type Result struct {
	Params    Params         `json:"params"`
	BenchCode string         `json:"benchmark"`
	Days      []Day          `json:"days"`
	Trades    []Trade        `json:"trades"`
	Holdings  []Holding      `json:"holdings"`
	Dividends []DividendPaid `json:"dividends"`
	Metrics   Metrics        `json:"metrics"`
	// Deferred counts the drops a CGT-aware run kept back.
	Deferred int `json:"deferred,omitempty"`
}
