package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
	"github.com/qlibpro/qlibpro/internal/quant/backtest/runs"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
)

const backtestUsage = `Usage: qlibpro backtest --model NAME --start YYYY-MM-DD --end YYYY-MM-DD [strategy and cost flags] [--out DIR]

Backtest a model's daily scores with Qlib's TopK-Dropout (or the top-K
equal-weight baseline) on the stored daily bars: the score of day t trades at
day t+1's open or close, whole shares on the ASX price grid, brokerage from the
app's schedules (or Qlib's open/close/min costs), measured against the XJO.
Prints the metrics (Qlib's risk_analysis of the excess return with and
without costs, Sharpe, Sortino, Calmar, turnover, IC) and the after-tax view
(individual and SMSF), and with --out writes summary.json, days.csv,
trades.csv and positions.csv there. Nothing is stored in the database; the
same settings run from the web page or POST /api/v1/backtests give the same
numbers.`

func cmdBacktest(ctx context.Context, e env, args []string) error {
	d := backtest.DefaultParams()
	fs := newFlags("backtest")
	model := fs.String("model", "", "model name (its active version)")
	version := fs.Int64("model-version", 0, "model version id (instead of the active version)")
	start := fs.String("start", "", "first trading day")
	end := fs.String("end", "", "last trading day")
	strategy := fs.String("strategy", d.Strategy, "topk_dropout or topk_rebalance")
	topk := fs.Int("topk", d.TopK, "instruments held")
	ndrop := fs.Int("n-drop", d.NDrop, "instruments replaced a day (TopK-Dropout)")
	hold := fs.Int("hold-thresh", d.HoldThresh, "least trading days held before a sale")
	risk := fs.Float64("risk-degree", d.RiskDegree, "share of cash invested by buys")
	every := fs.Int("rebalance-every", d.RebalanceEvery, "baseline rebalance period in trading days")
	deal := fs.String("deal-price", d.DealPrice, "open or close")
	cash := fs.String("cash", d.InitialCash.String(), "starting cash in AUD")
	brokerage := fs.String("brokerage", d.Brokerage, "commsec, selfwealth, qlib, qlib_costs or none")
	openCost := fs.String("open-cost", d.OpenCost.String(), "buy cost rate with --brokerage qlib_costs")
	closeCost := fs.String("close-cost", d.CloseCost.String(), "sell cost rate with --brokerage qlib_costs")
	minCost := fs.String("min-cost", d.MinCost.String(), "least cost per trade with --brokerage qlib_costs")
	cgt := fs.Bool("cgt-aware", false, "keep holdings about to qualify for the CGT discount")
	onlyTradable := fs.Bool("only-tradable", false, "choose candidates and drops among instruments that trade that day (Qlib's only_tradable)")
	window := fs.Int("cgt-window", d.CGTWindowDays, "days ahead the CGT-aware dropout looks")
	taxRate := fs.String("tax-rate", backtest.DefaultIndividualRate.String(), "individual's marginal tax rate for the after-tax view")
	out := fs.String("out", "", "directory for summary.json and the CSV files")
	if err := parse(e, fs, backtestUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "backtest takes no arguments", usage: usageOf(fs, backtestUsage)}
	}
	req := runs.Request{Model: *model, ModelVersionID: *version}
	var err error
	if req.Start, err = flagDate("start", *start); err != nil {
		return err
	}
	if req.End, err = flagDate("end", *end); err != nil {
		return err
	}
	p := backtest.Params{Strategy: *strategy, TopK: *topk, NDrop: *ndrop, HoldThresh: *hold, RiskDegree: *risk,
		RebalanceEvery: *every, DealPrice: *deal, Brokerage: *brokerage, CGTAware: *cgt, CGTWindowDays: *window,
		MethodSell: d.MethodSell, MethodBuy: d.MethodBuy, OnlyTradable: *onlyTradable}
	for _, f := range []struct {
		name string
		v    string
		dst  *decimal.Decimal
	}{{"cash", *cash, &p.InitialCash}, {"open-cost", *openCost, &p.OpenCost}, {"close-cost", *closeCost, &p.CloseCost},
		{"min-cost", *minCost, &p.MinCost}, {"tax-rate", *taxRate, &req.TaxRate}} {
		v, err := decimal.NewFromString(strings.TrimSpace(f.v))
		if err != nil || len(f.v) > 32 {
			return &usageError{msg: fmt.Sprintf("--%s %q is not a number", f.name, f.v)}
		}
		*f.dst = v
	}
	req.Params = p
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		svc := runs.New(pool, pipeline.New(pool, nil, nil))
		spec, err := svc.Check(ctx, req)
		if err != nil {
			return backtestInputError(err)
		}
		last := ""
		c, err := svc.Compute(ctx, spec, func(stage string, step, total int, msg string) {
			if stage != last || step == total {
				fmt.Fprintf(e.stderr, "%-8s %4d/%-4d %s\n", stage, step, total, msg)
				last = stage
			}
		})
		if err != nil {
			return backtestInputError(err)
		}
		printBacktest(e.stdout, spec, c.Summary)
		if *out != "" {
			return writeBacktest(*out, c)
		}
		return nil
	})
}

// backtestInputError maps the domain's field names to the flags.
func backtestInputError(err error) error {
	err = inputError(err, "")
	if ue, ok := err.(*usageError); ok {
		for domain, flag := range map[string]string{"--n_drop:": "--n-drop:", "--hold_thresh:": "--hold-thresh:",
			"--risk_degree:": "--risk-degree:", "--deal_price:": "--deal-price:", "--initial_cash:": "--cash:",
			"--open_cost:": "--open-cost:", "--close_cost:": "--close-cost:", "--min_cost:": "--min-cost:",
			"--rebalance_every:": "--rebalance-every:", "--cgt_window_days:": "--cgt-window:", "--tax_rate:": "--tax-rate:"} {
			ue.msg = strings.Replace(ue.msg, domain, flag, 1)
		}
	}
	return err
}

func printBacktest(w io.Writer, spec runs.Spec, s runs.Summary) {
	m := s.Metrics
	p := spec.Params
	fmt.Fprintf(w, "%s v%d, %s to %s (%d trading days, %d instruments), %s topk %d n_drop %d only_tradable %v, deal at the %s, %s brokerage\n",
		spec.ModelName, spec.ModelVersion, m.Start.Format("2006-01-02"), m.End.Format("2006-01-02"), m.Days, s.Universe,
		p.Strategy, p.TopK, p.NDrop, p.OnlyTradable, p.DealPrice, p.Brokerage)
	if spec.InSample != "" {
		fmt.Fprintln(w, "note:", spec.InSample)
	}
	fmt.Fprintf(w, "%-34s %12s %12s\n", "excess return vs XJO", "without cost", "with cost")
	for _, r := range []struct {
		name string
		a, b backtest.Num
	}{
		{"mean (daily)", m.ExcessWithoutCost.Mean, m.ExcessWithCost.Mean},
		{"std (daily)", m.ExcessWithoutCost.Std, m.ExcessWithCost.Std},
		{"annualized_return", m.ExcessWithoutCost.AnnualizedReturn, m.ExcessWithCost.AnnualizedReturn},
		{"information_ratio", m.ExcessWithoutCost.InformationRatio, m.ExcessWithCost.InformationRatio},
		{"max_drawdown", m.ExcessWithoutCost.MaxDrawdown, m.ExcessWithCost.MaxDrawdown},
	} {
		fmt.Fprintf(w, "  %-32s %12.6f %12.6f\n", r.name, float64(r.a), float64(r.b))
	}
	fmt.Fprintf(w, "value %s → %s (total return %.4f, annual %.4f; XJO %.4f, annual %.4f)\n",
		m.InitialValue.StringFixed(2), m.FinalValue.StringFixed(2), float64(m.TotalReturn), float64(m.AnnualReturn),
		float64(m.BenchTotalReturn), float64(m.BenchAnnualReturn))
	fmt.Fprintf(w, "sharpe %.4f  sortino %.4f  calmar %.4f  max drawdown %.4f  volatility %.4f\n",
		float64(m.Sharpe), float64(m.Sortino), float64(m.Calmar), float64(m.MaxDrawdown), float64(m.Volatility))
	fmt.Fprintf(w, "turnover %.4f/day  hit rate %.4f  win rate %.4f  trades %d  costs %s  dividends %s\n",
		float64(m.Turnover), float64(m.HitRate), float64(m.WinRate), m.Trades, m.TotalCosts.StringFixed(2), m.TotalDividends.StringFixed(2))
	fmt.Fprintf(w, "signal IC %.4f (ICIR %.4f), Rank IC %.4f (ICIR %.4f) over %d days\n",
		float64(m.IC), float64(m.ICIR), float64(m.RankIC), float64(m.RankICIR), m.ICDays)
	for _, a := range s.AfterTax {
		fmt.Fprintf(w, "after tax (%s, rate %s, discount %s): tax %s, value %s, annual %.4f; sold at the end: %s, annual %.4f\n",
			a.Profile.Name, a.Profile.Rate, a.Profile.DiscountRate.StringFixed(4), a.TotalTax.StringFixed(2), a.FinalValue.StringFixed(2),
			float64(a.AnnualReturn), a.LiquidatedValue.StringFixed(2), float64(a.LiquidatedReturn))
	}
	if v := s.Counterpart; v != nil {
		fmt.Fprintf(w, "with cgt_aware=%v (%d drops deferred): annual %.4f", v.CGTAware, v.Deferred, float64(v.Metrics.AnnualReturn))
		for _, a := range v.AfterTax {
			fmt.Fprintf(w, "; after tax (%s) annual %.4f", a.Profile.Name, float64(a.AnnualReturn))
		}
		fmt.Fprintln(w)
	}
	if s.DividendNote != "" {
		fmt.Fprintln(w, "dividends:", s.DividendNote)
	}
}

// writeBacktest writes summary.json, days.csv, trades.csv and positions.csv
// into dir.
func writeBacktest(dir string, c *runs.Computed) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	res := c.Report.Result
	b, err := json.MarshalIndent(c.Summary, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(b, '\n'), 0o640); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"days.csv":      func(w io.Writer) error { return runs.WriteDaysCSV(w, res.Days) },
		"trades.csv":    func(w io.Writer) error { return runs.WriteTradesCSV(w, res.Trades) },
		"positions.csv": func(w io.Writer) error { return runs.WriteHoldingsCSV(w, res.Holdings) },
	} {
		f, err := os.Create(filepath.Join(dir, name)) // #nosec G304 -- the operator's own --out directory
		if err != nil {
			return err
		}
		werr := write(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
	}
	return nil
}
