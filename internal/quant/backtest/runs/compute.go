package runs

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/backtest"
)

// Progress reports a stage of a run: "load" (scoring day step of total),
// "simulate" and "save".
type Progress func(stage string, step, total int, message string)

// Computed is a finished computation: the engine's report and its summary.
type Computed struct {
	Report  *backtest.Report
	Summary Summary
}

// Compute loads spec's data and runs it. It stores nothing.
func (s *Service) Compute(ctx context.Context, spec Spec, progress Progress) (*Computed, error) {
	if progress == nil {
		progress = func(string, int, int, string) {}
	}
	data, note, err := s.load(ctx, spec, progress)
	if err != nil {
		return nil, err
	}
	profiles := []backtest.TaxProfile{backtest.Individual(spec.TaxRate), backtest.SMSF()}
	rep, err := backtest.RunReport(ctx, data, spec.Params, profiles, note, func(done, total int) {
		progress("simulate", done, total, fmt.Sprintf("simulating day %d of %d", done, total))
	})
	if err != nil {
		return nil, err
	}
	res := rep.Result
	return &Computed{Report: rep, Summary: Summary{
		Metrics: res.Metrics, AfterTax: rep.AfterTax, Counterpart: rep.Counterpart,
		Monthly: backtest.Monthly(res.Days), Deferred: res.Deferred, Universe: len(data.Codes),
		Dividends: len(res.Dividends), DividendNote: note, InSample: spec.InSample,
	}}, nil
}

// load builds the engine's data: the days, each day's scores from the model
// version, the opens and closes, the XJO and the dividends.
func (s *Service) load(ctx context.Context, spec Spec, progress Progress) (*backtest.Data, string, error) {
	dates, err := s.dates(ctx, spec.Start, spec.End)
	if err != nil {
		return nil, "", err
	}
	if len(dates) < 2 {
		return nil, "", apperr.FieldError("start", "fewer than 2 trading days with signals from %s to %s", day(spec.Start), day(spec.End))
	}
	scorer, err := s.pipe.Scorer(ctx, spec.ModelVersionID)
	if err != nil {
		return nil, "", err
	}
	defer scorer.Close()
	type dayScores struct {
		codes  []string
		scores []float64
	}
	perDay := make([]dayScores, len(dates))
	seen := map[string]bool{}
	for i, d := range dates {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		codes, scores, err := scorer.Day(ctx, d)
		if err != nil {
			return nil, "", fmt.Errorf("score %s: %w", day(d), err)
		}
		perDay[i] = dayScores{codes, scores}
		for _, c := range codes {
			seen[c] = true
		}
		if i%10 == 0 || i == len(dates)-1 {
			progress("load", i+1, len(dates), fmt.Sprintf("scoring %s with %s v%d", day(d), spec.ModelName, spec.ModelVersion))
		}
	}
	codes := make([]string, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	if len(codes) == 0 {
		return nil, "", apperr.FieldError("model", "model %s has no signals from %s to %s", spec.ModelName, day(spec.Start), day(spec.End))
	}
	data := backtest.NewData(dates, codes)
	data.BenchCode = Benchmark
	idx := make(map[string]int, len(codes))
	for i, c := range codes {
		idx[c] = i
	}
	at := make(map[time.Time]int, len(dates))
	for i, d := range dates {
		at[d] = i
	}
	for i, ds := range perDay {
		for k, c := range ds.codes {
			data.Scores[i][idx[c]] = ds.scores[k]
		}
	}
	q := db.New(s.pool)
	from, to := dates[0], dates[len(dates)-1]
	progress("load", len(dates), len(dates), "loading daily bars")
	bars, err := q.ListBacktestBars(ctx, db.ListBacktestBarsParams{Codes: append(slices.Clone(codes), Benchmark), FromDate: from, ToDate: to})
	if err != nil {
		return nil, "", err
	}
	// Deal prices go on the ASX grid as raw prices (backtest.Data.Factor).
	data.Factor = make([][]float64, len(codes))
	for c := range data.Factor {
		data.Factor[c] = make([]float64, len(dates))
		for t := range dates {
			data.Factor[c][t] = 1
		}
	}
	for _, b := range bars {
		t, ok := at[b.Date]
		if !ok {
			continue
		}
		if b.Code == Benchmark {
			data.Bench[t] = b.Close
			continue
		}
		c := idx[b.Code]
		data.Open[c][t], data.Close[c][t], data.Factor[c][t] = b.Open, b.Close, b.Factor
	}
	divs, err := q.ListBacktestDividends(ctx, db.ListBacktestDividendsParams{Codes: codes, FromDate: from, ToDate: to})
	if err != nil {
		return nil, "", err
	}
	paying := map[string]bool{}
	notStated := 0
	for _, d := range divs {
		data.Dividends = append(data.Dividends, backtest.Dividend{Code: d.Code, ExDate: d.ExDate, PayDate: d.PayDate,
			Amount: d.Amount, FrankingPct: d.FrankingPct})
		paying[d.Code] = true
		if !d.FrankingStated {
			notStated++
		}
	}
	note := fmt.Sprintf("Dividends come from the dividend table: %d events for %d of the %d instruments in the range; the others count no dividends or franking credits (prices are not adjusted for dividends, so their returns are understated by the yield).",
		len(divs), len(paying), len(codes))
	if notStated > 0 {
		note += fmt.Sprintf(" %d of the %d events have no franking %% stated by their source, so they carry no franking credit here.", notStated, len(divs))
	}
	if len(divs) == 0 {
		note = "No dividend data for these instruments in the range: dividend income and franking credits count as 0, and prices are not adjusted for dividends, so returns are understated by the yield."
	}
	return data, note, nil
}
