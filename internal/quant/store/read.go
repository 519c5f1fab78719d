package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
	"github.com/qlibpro/qlibpro/internal/quant/dataset"
	"github.com/qlibpro/qlibpro/internal/quant/expr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// Span returns the first and last day with stored features; ok is false when
// the store is empty.
func (s *Store) Span(ctx context.Context) (first, last time.Time, ok bool, err error) {
	r, err := db.New(s.pool).GetFeatureSpan(ctx, s.name)
	if err != nil {
		return time.Time{}, time.Time{}, false, err
	}
	if r.LastDate.Year() <= 1 {
		return time.Time{}, time.Time{}, false, nil
	}
	return r.FirstDate, r.LastDate, true, nil
}

// Dates returns up to n days with stored features on or before onOrBefore,
// oldest first.
func (s *Store) Dates(ctx context.Context, onOrBefore time.Time, n int) ([]time.Time, error) {
	dates, err := db.New(s.pool).ListFeatureDates(ctx, db.ListFeatureDatesParams{
		FeatureSet: s.name, OnOrBefore: asx.Civil(onOrBefore), N: int32(n),
	})
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(dates)-1; i < j; i, j = i+1, j-1 {
		dates[i], dates[j] = dates[j], dates[i]
	}
	return dates, nil
}

// Day returns the stored features of every instrument on date, one row per
// code in code order, for scoring.
func (s *Store) Day(ctx context.Context, date time.Time) (codes []string, x model.Matrix, err error) {
	rows, err := db.New(s.pool).ListDayFeatures(ctx, db.ListDayFeaturesParams{FeatureSet: s.name, Date: asx.Civil(date)})
	if err != nil {
		return nil, model.Matrix{}, err
	}
	nf := len(s.features)
	x = model.Matrix{Rows: len(rows), Cols: nf, Data: make([]float64, len(rows)*nf)}
	codes = make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
		if err := decodeReals(x.Data[i*nf:(i+1)*nf], r.Vals); err != nil {
			return nil, model.Matrix{}, fmt.Errorf("%s %s: %w", r.Code, date.Format(time.DateOnly), err)
		}
	}
	return codes, x, nil
}

// Panel returns the stored features of every instrument on the days from
// from to to, both included, with LABEL0 computed from the closes after each
// day (missing where those closes do not exist yet).
func (s *Store) Panel(ctx context.Context, from, to time.Time) (*dataset.Panel, error) {
	return s.panel(ctx, from, to, LabelPrice)
}

func (s *Store) panel(ctx context.Context, from, to time.Time, labelKind string) (*dataset.Panel, error) {
	from, to = asx.Civil(from), asx.Civil(to)
	q := db.New(s.pool)
	codes, err := q.ListFeatureCodes(ctx, db.ListFeatureCodesParams{FeatureSet: s.name, FromDate: from, ToDate: to})
	if err != nil {
		return nil, err
	}
	n, err := q.CountFeatureRows(ctx, db.CountFeatureRowsParams{FeatureSet: s.name, FromDate: from, ToDate: to})
	if err != nil {
		return nil, err
	}
	cal, err := calendar.Load(ctx, q)
	if err != nil {
		return nil, err
	}
	b := dataset.NewBuilder(s.features)
	b.Grow(int(n))
	nf := len(s.features)
	cols := make([][]float64, nf)
	row := make([]float64, nf)
	for _, code := range codes {
		rows, err := q.ListFeatureRows(ctx, db.ListFeatureRowsParams{
			FeatureSet: s.name, Code: code, FromDate: from, ToDate: to,
		})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			continue
		}
		dates := make([]time.Time, len(rows))
		for k := range cols {
			cols[k] = grow(cols[k], len(rows))
		}
		for t, r := range rows {
			dates[t] = r.Date
			if err := decodeReals(row, r.Vals); err != nil {
				return nil, fmt.Errorf("%s %s: %w", code, r.Date.Format(time.DateOnly), err)
			}
			for k, v := range row {
				cols[k][t] = v
			}
		}
		label, err := s.labelsOn(ctx, q, cal, code, dates, labelKind)
		if err != nil {
			return nil, err
		}
		if err := b.Add(code, dates, cols, label); err != nil {
			return nil, err
		}
	}
	return b.Build(), nil
}

// labelsOn returns the label (LABEL0, or the total-return label) of code on
// each of dates (ascending), on cal.
func (s *Store) labelsOn(ctx context.Context, q *db.Queries, cal *calendar.Calendar, code string, dates []time.Time, labelKind string) ([]float64, error) {
	closes, err := q.ListClosesFrom(ctx, db.ListClosesFromParams{Code: code, Date: dates[0]})
	if err != nil {
		return nil, err
	}
	cd := make([]time.Time, len(closes))
	cv := make([]float64, len(closes))
	sim := make([]bool, len(closes))
	for i, c := range closes {
		cd[i], cv[i], sim[i] = c.Date, c.Close, c.Sim
	}
	var divs []float64
	if labelKind == LabelTotalReturn {
		if divs, err = dividendsAt(ctx, q, code, cd); err != nil {
			return nil, err
		}
		// Dividends are announced per share as traded; the closes are
		// adjusted (raw × factor), so the dividend is adjusted alike.
		for i, c := range closes {
			divs[i] *= c.Factor
		}
	}
	lab, err := s.labelAligned(cal, cd, cv, divs)
	if err != nil {
		return nil, err
	}
	s.unknownOnSim(lab, sim)
	return align(dates, cd, lab), nil
}

// unknownOnSim sets to NaN every label that reads a simulated bar (its own
// day or the days its horizon looks ahead to): model evidence — training
// windows, IC, Rank IC, quintiles — is measured on real prices only.
func (s *Store) unknownOnSim(lab []float64, sim []bool) {
	next := len(sim) // the first simulated bar at or after i
	for i := len(sim) - 1; i >= 0; i-- {
		if sim[i] {
			next = i
		}
		if next <= i+s.labelAhead {
			lab[i] = math.NaN()
		}
	}
}

// Label evaluates LABEL0 over one instrument's closes, one per row of its
// calendar-aligned series (NaN on the days it did not trade), oldest first.
func (s *Store) Label(closes []float64) ([]float64, error) {
	out, err := s.label.Eval(expr.Series{Len: len(closes), Fields: map[string][]float64{"close": closes}})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Labels holds LABEL0 by instrument and day.
type Labels map[string]map[time.Time]float64

// At returns the label of code on date, NaN when it is not known.
func (l Labels) At(code string, date time.Time) float64 {
	if v, ok := l[code][asx.Civil(date)]; ok {
		return v
	}
	return math.NaN()
}

// Labels computes LABEL0 of codes on every day from from on, on the market
// calendar: NaN on a day whose next or next-but-one trading day the
// instrument did not trade.
func (s *Store) Labels(ctx context.Context, codes []string, from time.Time) (Labels, error) {
	q := db.New(s.pool)
	cal, err := calendar.Load(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := q.ListCodesClosesFrom(ctx, db.ListCodesClosesFromParams{Codes: codes, FromDate: asx.Civil(from)})
	if err != nil {
		return nil, err
	}
	out := make(Labels, len(codes))
	for lo := 0; lo < len(rows); {
		hi := lo
		for hi < len(rows) && rows[hi].Code == rows[lo].Code {
			hi++
		}
		closes := make([]float64, hi-lo)
		dates := make([]time.Time, hi-lo)
		sim := make([]bool, hi-lo)
		for i := range closes {
			closes[i], dates[i], sim[i] = rows[lo+i].Close, rows[lo+i].Date, rows[lo+i].Sim
		}
		lab, err := s.labelAligned(cal, dates, closes, nil)
		if err != nil {
			return nil, err
		}
		s.unknownOnSim(lab, sim)
		m := make(map[time.Time]float64, hi-lo)
		for i, v := range lab {
			m[rows[lo+i].Date] = v
		}
		out[rows[lo].Code] = m
		lo = hi
	}
	return out, nil
}

// align returns, for each of want (ascending), the value at the same date in
// have (ascending), NaN when have lacks it.
func align(want, have []time.Time, vals []float64) []float64 {
	out := make([]float64, len(want))
	j := 0
	for i, d := range want {
		for j < len(have) && have[j].Before(d) {
			j++
		}
		if j < len(have) && have[j].Equal(d) {
			out[i] = vals[j]
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
