package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/config"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/pipeline"
	"github.com/qlibpro/qlibpro/internal/quant/store"
)

const factorsUsage = `Usage: qlibpro factors (--expr EXPR | --set alpha158) (--symbols BHP,CBA | --all) [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|npy]

Print factor values computed from the daily bars on stdout, one row per
instrument and trading day, instruments in code order and days in date order
(the row order of Qlib's D.features). Values are float64.

  --format csv   (the default) a header "date,code,<one column per feature>",
                 shortest round-trip decimals, empty where missing.
  --format npy   a NumPy .npy array of records: datetime (datetime64[D]),
                 instrument, then one float64 per feature, NaN where missing;
                 pandas.DataFrame(numpy.load(FILE)) reads it. About a third
                 of the CPU time of CSV, and half the size.

Each instrument is evaluated over its whole history on the market calendar,
as Qlib does: the days any equity traded, from the instrument's first bar to
its last. A day it did not trade (a halt) is a missing slot that counts in
every rolling window (so MA5 on the first day after a week-long halt is 1)
and has no row of its own. Qlib computes in float32; these values are
float64 (see docs/qlib-parity.md).

Any number of symbols and years: instruments are read and evaluated one per
CPU in parallel, all from one snapshot of the database, and written in code
order as each is done, so memory stays bounded. Without --from or --to that
end of the range is open. A bad flag, expression, date or symbol exits with
status 2 and a message.`

func cmdFactors(ctx context.Context, e env, args []string) error {
	fs := newFlags("factors")
	src := fs.String("expr", "", "a Qlib expression, such as 'Mean($close, 5)/$close'")
	set := fs.String("set", "", "a feature set instead of an expression: alpha158")
	symbols := fs.String("symbols", "", "comma-separated ASX codes")
	all := fs.Bool("all", false, "every equity with daily bars, instead of --symbols")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: each instrument's first bar)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: each instrument's last bar)")
	format := fs.String("format", "csv", "csv or npy")
	if err := parse(e, fs, factorsUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: "factors takes no arguments", usage: usageOf(fs, factorsUsage)}
	}
	q := pipeline.StreamQuery{FactorsQuery: pipeline.FactorsQuery{Expr: *src, Set: *set, Symbols: []string{*symbols}}, All: *all}
	var err error
	if q.Format, err = pipeline.ParseFormat(*format); err != nil {
		return inputError(err, *src)
	}
	if q.From, err = flagDate("from", *from); err != nil {
		return err
	}
	if q.To, err = flagDate("to", *to); err != nil {
		return err
	}
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		if _, err := pipeline.StreamFactors(ctx, pool, q, e.stdout); err != nil {
			return inputError(err, *src)
		}
		return nil
	})
}

// inputError turns the domain's complaints about the command line into usage
// errors (exit 2): a parse error shows the expression with a caret under the
// position. Other errors pass through.
func inputError(err error, src string) error {
	var pe *expr.ParseError
	if errors.As(err, &pe) {
		src = strings.TrimSpace(src)
		pad := utf8.RuneCountInString(src[:min(pe.Pos, len(src))])
		return &usageError{msg: fmt.Sprintf("--expr: %s\n  %s\n  %s^", pe.Error(), src, strings.Repeat(" ", pad))}
	}
	if e, ok := apperr.As(err); ok && (e.Code == apperr.Invalid || e.Code == apperr.NotFound) {
		if e.Field != "" {
			flag := e.Field
			if flag == "kind" {
				flag = "model" // the domain's field is the CLI's --model
			}
			return &usageError{msg: "--" + flag + ": " + e.Message}
		}
		return &usageError{msg: e.Message}
	}
	return err
}

func flagDate(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, &usageError{msg: fmt.Sprintf("--%s %q is not a YYYY-MM-DD date", name, v)}
	}
	return t, nil
}

// withPool loads the configuration, opens the database and runs fn.

const trainUsage = `Usage: qlibpro train --model ridge|xgboost [--name NAME] [--label price|total_return] [--train FROM:TO] [--valid FROM:TO] [--test FROM:TO] [--params JSON] [--activate]

Refresh the Alpha158 feature store, train a model on the train window (the
label z-scored per day, as Qlib does), choose its penalty or stopping round on
the valid window, measure it on the test window (IC, Rank IC, ICIR, quintile
returns against the raw label) and store it as the next version of NAME
(default: the model kind). --activate makes it the version NAME resolves to.

--label price (the default) is Qlib's LABEL0, Ref($close, -2)/Ref($close, -1) - 1;
--label total_return adds the cash dividend going ex on the last day,
(Ref($close, -2) + Ref($dividend, -2))/Ref($close, -1) - 1. Dividend data
covers 10 codes as shipped (data/asx/README.md): for the others it equals the
price label.`

func cmdTrain(ctx context.Context, e env, args []string) error {
	def := pipeline.DefaultSegments()
	fs := newFlags("train")
	kind := fs.String("model", "", "model kind: ridge or xgboost")
	name := fs.String("name", "", "model name (default: the kind)")
	label := fs.String("label", "price", "training label: price (Qlib's LABEL0) or total_return")
	train := fs.String("train", def.Train.String(), "train window")
	valid := fs.String("valid", def.Valid.String(), "valid window, for the penalty or early stopping")
	test := fs.String("test", def.Test.String(), "test window, only measured")
	params := fs.String("params", "", `model parameters as a JSON object, e.g. '{"max_depth": 6}'`)
	activate := fs.Bool("activate", false, "make the new version the active one")
	if err := parse(e, fs, trainUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *kind == "" {
		return &usageError{msg: "train needs --model and takes no arguments", usage: usageOf(fs, trainUsage)}
	}
	segs, err := dataset.ParseSegments(*train, *valid, *test)
	if err != nil {
		return inputError(err, "")
	}
	spec := pipeline.TrainSpec{Name: *name, Kind: *kind, Label: *label, Segments: segs, Activate: *activate}
	if *params != "" {
		spec.Params = json.RawMessage(*params)
	}
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		p := pipeline.New(pool, nil, nil)
		if err := refresh(ctx, e.stdout, p.Store(), nil); err != nil {
			return err
		}
		start := time.Now()
		v, err := p.Train(ctx, spec, printProgress(e.stdout))
		if err != nil {
			return inputError(err, "")
		}
		fmt.Fprintf(e.stdout, "stored %s v%d (id %d, %s) in %s; active: %v\n",
			v.Name, v.Version, v.ID, v.Kind, time.Since(start).Round(time.Millisecond), v.Active)
		printMetrics(e.stdout, v)
		return nil
	})
}

// refresh brings the feature store up to date and prints what it did.
func refresh(ctx context.Context, w io.Writer, s *store.Store, codes []string) error {
	fmt.Fprintln(w, "refreshing the alpha158 feature store…")
	r, err := s.Refresh(ctx, codes)
	if err != nil {
		return inputError(err, "")
	}
	fmt.Fprintf(w, "features: %d instruments checked, %d updated, %d rows written, %d deleted in %s; store holds %d rows, %.1f MB\n",
		r.Instruments, r.Updated, r.Written, r.Deleted, r.Elapsed.Round(time.Millisecond),
		r.StoredRows, float64(r.TableBytes)/1e6)
	return nil
}

// printProgress prints stage changes and every tenth fit step.
func printProgress(w io.Writer) func(pipeline.Progress) {
	return func(pr pipeline.Progress) {
		if pr.Stage == "fit" && pr.Step != 1 && pr.Step%10 != 0 && pr.Step != pr.Total {
			return
		}
		fmt.Fprintf(w, "%-9s %4d/%-4d %s\n", pr.Stage, pr.Step, pr.Total, pr.Message)
	}
}

func printMetrics(w io.Writer, v pipeline.ModelVersion) {
	m := v.Metrics
	fmt.Fprintf(w, "test %s (%d days, %d rows):\n", v.Test, m.Days, m.TestRows)
	fmt.Fprintf(w, "  IC       %8.4f   ICIR      %8.4f\n", m.IC, m.ICIR)
	fmt.Fprintf(w, "  Rank IC  %8.4f   Rank ICIR %8.4f\n", m.RankIC, m.RankICIR)
	q := make([]string, len(m.Quantiles))
	for i, x := range m.Quantiles {
		q[i] = fmt.Sprintf("%.5f", x)
	}
	label := "LABEL0"
	if m.Label == "total_return" {
		label = "total-return label"
	}
	fmt.Fprintf(w, "  quintile mean %s (low → high score): %s\n", label, strings.Join(q, " "))
	fmt.Fprintf(w, "  long-short (Q5 − Q1) mean daily: %.5f over %d days\n", m.LongShort, m.QuantileDays)
	fmt.Fprintf(w, "  fit %.1fs on %d train rows, %d valid rows\n", m.FitSeconds, m.TrainRows, m.ValidRows)
}

const signalsUsage = `Usage: qlibpro signals [--date YYYY-MM-DD] [--top N]

Refresh the feature store, score every instrument with features on the date
with every active model (default: the latest day with features), store score,
rank and percentile, and print each model's top instruments.`

func cmdSignals(ctx context.Context, e env, args []string) error {
	fs := newFlags("signals")
	date := fs.String("date", "", "signal day, YYYY-MM-DD (default: the latest with features)")
	top := fs.Int("top", 5, "instruments to print per model")
	if err := parse(e, fs, signalsUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *top < 0 {
		return &usageError{msg: "signals takes no arguments and a --top of 0 or more", usage: usageOf(fs, signalsUsage)}
	}
	d, err := flagDate("date", *date)
	if err != nil {
		return err
	}
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		p := pipeline.New(pool, nil, nil)
		if err := refresh(ctx, e.stdout, p.Store(), nil); err != nil {
			return err
		}
		start := time.Now()
		res, err := p.Score(ctx, d)
		if err != nil {
			return inputError(err, "")
		}
		fmt.Fprintf(e.stdout, "scored %d instruments on %s with %d active models in %s\n",
			res.Instruments, res.Date.Format(time.DateOnly), len(res.Models), time.Since(start).Round(time.Millisecond))
		for _, ms := range res.Models {
			fmt.Fprintf(e.stdout, "\n%s v%d: %d signals, rolling Rank IC %s\n", ms.Name, ms.Version, ms.Scored, rankICText(ms.RollingRankIC))
			r, err := p.Ranking(ctx, pipeline.RankingQuery{Model: ms.Name, Date: res.Date, Top: *top})
			if err != nil {
				return err
			}
			for _, s := range r.Rows {
				change := "new"
				if s.PrevRank > 0 {
					change = fmt.Sprintf("%+d", s.Change)
				}
				fmt.Fprintf(e.stdout, "  %3d  %-6s %10.6f  %5.3f  %4s  %s\n", s.Rank, s.Code, s.Score, s.Percentile, change, s.Sector)
			}
		}
		return nil
	})
}

const quantUsage = `Usage: qlibpro quant bootstrap | refresh [--symbols A,B] | models

  bootstrap  refresh the feature store; when no model exists, train and
             activate a ridge and an XGBoost model (Qlib settings) on the default
             segments; score the latest days not yet scored (idempotent)
  refresh    bring the Alpha158 feature store up to date with the daily bars
  models     list the models, their active versions and test metrics`

func cmdQuant(ctx context.Context, e env, args []string) error {
	fs := newFlags("quant")
	symbols := fs.String("symbols", "", "refresh: comma-separated codes (default: every equity)")
	if err := parse(e, fs, quantUsage, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{msg: "quant needs exactly one of bootstrap, refresh, models", usage: usageOf(fs, quantUsage)}
	}
	action := fs.Arg(0)
	switch action {
	case "bootstrap", "refresh", "models":
	default:
		return &usageError{msg: fmt.Sprintf("unknown quant action %q", action), usage: usageOf(fs, quantUsage)}
	}
	return withPool(ctx, e, func(_ config.Config, pool *pgxpool.Pool) error {
		p := pipeline.New(pool, nil, nil)
		switch action {
		case "refresh":
			var codes []string
			if *symbols != "" {
				codes = strings.Split(*symbols, ",")
			}
			return refresh(ctx, e.stdout, p.Store(), codes)
		case "models":
			return printModels(ctx, e.stdout, p)
		}
		res, err := p.Bootstrap(ctx, pipeline.BootstrapOptions{}, printProgress(e.stdout))
		if err != nil {
			return err
		}
		for _, v := range res.Trained {
			fmt.Fprintf(e.stdout, "trained %s v%d (active)\n", v.Name, v.Version)
			printMetrics(e.stdout, v)
		}
		if n := len(res.Scored); n > 0 {
			last := res.Scored[n-1]
			for _, ms := range last.Models {
				fmt.Fprintf(e.stdout, "%s v%d: rolling Rank IC %s over its scored days to %s\n",
					ms.Name, ms.Version, rankICText(ms.RollingRankIC), last.Date.Format(time.DateOnly))
			}
		}
		fmt.Fprintf(e.stdout, "bootstrap: %d models trained, %d days scored in %s\n",
			len(res.Trained), len(res.Scored), res.Elapsed.Round(time.Millisecond))
		return nil
	})
}

func printModels(ctx context.Context, w io.Writer, p *pipeline.Pipeline) error {
	models, err := p.ListModels(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-16s %-9s %7s %-7s %8s %8s %8s %9s  %s\n", "name", "kind", "version", "active", "IC", "RankIC", "ICIR", "LongShort", "test")
	for _, m := range models {
		fmt.Fprintf(w, "%-16s %-9s %7d %-7v %8.4f %8.4f %8.4f %9.5f  %s\n", m.Name, m.Kind, m.Version, m.Active,
			m.Metrics.IC, m.Metrics.RankIC, m.Metrics.ICIR, m.Metrics.LongShort, m.Test)
	}
	return nil
}

// rankICText is a rolling Rank IC for the terminal: unknown (NaN) when none
// of the scored days has a label yet — the latest days, and every simulated
// day, have none.
func rankICText(v float64) string {
	if math.IsNaN(v) {
		return "not known yet (no scored day has a label: the latest days and simulated days have none)"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}
