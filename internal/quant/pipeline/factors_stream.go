package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/quant/calendar"
)

// StreamQuery asks StreamFactors for factor values: the expression or set,
// and either Symbols or All (every equity with bars). Zero From or To leaves
// that end of the range open.
type StreamQuery struct {
	FactorsQuery
	All    bool
	Format Format
	// Workers evaluate instruments in parallel; zero means GOMAXPROCS.
	Workers int
}

// Format is how StreamFactors writes values.
type Format int

// The formats of StreamFactors.
const (
	// CSV is a header "date,code,<names>" and one line per row, values as
	// shortest round-trip decimals, empty where missing, inf/-inf.
	CSV Format = iota
	// NPY is one NumPy .npy array of records (datetime64[D] "datetime",
	// unicode "instrument", then one float64 per name, NaN where missing),
	// which numpy.load reads and pandas.DataFrame takes as it is.
	NPY
)

// ParseFormat returns the format named csv or npy.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "csv":
		return CSV, nil
	case "npy":
		return NPY, nil
	}
	return 0, apperr.FieldError("format", "unknown format %q (want csv or npy)", s)
}

// StreamStats reports what a stream wrote.
type StreamStats struct {
	Instruments int
	Rows        int64
	Bytes       int64
}

// StreamFactors writes the factor values of the query to w: each
// instrument's trading days in the range, instruments in code order and days
// in date order (the row order of Qlib's D.features), evaluated exactly as
// Factors does, on the market calendar, in float64.
//
// There is no limit on symbols, years or values: each instrument's bars are
// read, evaluated and written on their own (a few workers at once, each
// holding one instrument and reading on its own connection), so memory does
// not grow with the request. Every worker reads the same snapshot of the
// database. Errors are those of Factors, without its limits.
func StreamFactors(ctx context.Context, pool *pgxpool.Pool, q StreamQuery, w io.Writer) (StreamStats, error) {
	p, err := planFactors(q.FactorsQuery)
	if err != nil {
		return StreamStats{}, err
	}
	if !q.From.IsZero() {
		p.from = asx.Civil(q.From)
	}
	if !q.To.IsZero() {
		p.to = asx.Civil(q.To)
	}
	if !p.from.IsZero() && !p.to.IsZero() && p.to.Before(p.from) {
		return StreamStats{}, apperr.FieldError("to", "the end date %s is before the start date %s",
			p.to.Format(time.DateOnly), p.from.Format(time.DateOnly))
	}
	workers := q.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, int(pool.Config().MaxConns)-1))
	// One snapshot, one transaction per worker: the rows counted for the
	// .npy header are the rows written, and no bar changes half-way.
	snap, err := db.BeginSnapshot(ctx, pool, workers)
	if err != nil {
		return StreamStats{}, err
	}
	defer snap.Close(ctx)
	dq := snap.Queries(0)
	codes, err := streamCodes(ctx, dq, q)
	if err != nil {
		return StreamStats{}, err
	}
	if p.cal, err = calendar.Load(ctx, dq); err != nil {
		return StreamStats{}, err
	}

	var st StreamStats
	cw := &countingWriter{w: w}
	appendRows := appendCSVRows
	header := int64(-1) // the rows an .npy header announces
	switch q.Format {
	case CSV:
		hw := csv.NewWriter(cw)
		if err := hw.Write(append([]string{"date", "code"}, p.names...)); err != nil {
			return st, err
		}
		if hw.Flush(); hw.Error() != nil {
			return st, hw.Error()
		}
	case NPY:
		rows, err := p.countRows(ctx, dq, codes)
		if err != nil {
			return st, err
		}
		header = rows
		codeLen := 1
		for _, c := range codes {
			codeLen = max(codeLen, utf8.RuneCountInString(c))
		}
		if _, err := cw.Write(npyHeader(p.names, codeLen, rows)); err != nil {
			return st, err
		}
		appendRows = func(buf []byte, f instrumentFactors) []byte { return appendNPYRows(buf, f, codeLen) }
	}
	err = inOrder(ctx, len(codes), workers, func(w int, ev *factorEval, i int, buf []byte) ([]byte, int, error) {
		f, err := p.instrument(ctx, snap.Queries(w), codes[i], ev)
		if err != nil {
			return buf, 0, err
		}
		return appendRows(buf, f), len(f.Dates), nil
	}, func(buf []byte, rows int) error {
		st.Instruments++
		st.Rows += int64(rows)
		_, err := cw.Write(buf)
		return err
	})
	st.Bytes = cw.n
	if err == nil && header >= 0 && st.Rows != header {
		// Cannot happen inside one snapshot; the file would not load.
		return st, fmt.Errorf("factors: wrote %d rows under an .npy header of %d", st.Rows, header)
	}
	return st, err
}

// countRows returns the number of rows StreamFactors writes for codes.
func (p *factorPlan) countRows(ctx context.Context, dq *db.Queries, codes []string) (int64, error) {
	from, to := p.from, p.to
	if from.IsZero() {
		from = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	return dq.CountBarsBetween(ctx, db.CountBarsBetweenParams{Codes: codes, FromDate: from, ToDate: to})
}

// streamCodes returns the query's instruments: its symbols, checked, or
// every equity with bars.
func streamCodes(ctx context.Context, dq *db.Queries, q StreamQuery) ([]string, error) {
	codes := symbolList(q.Symbols)
	switch {
	case q.All && len(codes) > 0:
		return nil, apperr.FieldError("symbols", "give symbols or all equities, not both")
	case q.All:
		return dq.ListEquityCodes(ctx)
	case len(codes) == 0:
		return nil, apperr.FieldError("symbols", "give at least one symbol, or all equities")
	}
	return codes, checkSymbols(ctx, dq, codes)
}

// inOrder runs work(w, i) for i in 0..n-1 on workers goroutines (w is the
// worker's number, from 0) and hands each result to write in the order of
// i. A job is dispatched only with one of 2×workers buffers, returned once
// its result is written, so at most that many instruments are in memory and
// the job write waits for always holds one. The first error stops the rest.
func inOrder(ctx context.Context, n, workers int,
	work func(w int, ev *factorEval, i int, buf []byte) ([]byte, int, error),
	write func(buf []byte, rows int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		i   int
		buf []byte
	}
	type result struct {
		i, rows int
		buf     []byte
		err     error
	}
	free := make(chan []byte, 2*workers)
	for range cap(free) {
		free <- nil
	}
	jobs := make(chan job)
	results := make(chan result, cap(free))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var ev factorEval
			for j := range jobs {
				buf, rows, err := work(w, &ev, j.i, j.buf[:0])
				results <- result{j.i, rows, buf, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range n {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{i, buf}:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pending := map[int]result{}
	next := 0
	var firstErr error
	for r := range results {
		if firstErr != nil {
			continue // drain what the workers still finish
		}
		pending[r.i] = r
		for firstErr == nil {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if firstErr = p.err; firstErr == nil {
				firstErr = write(p.buf, p.rows)
			}
			if firstErr != nil {
				cancel()
				break
			}
			free <- p.buf
		}
	}
	if firstErr != nil || next == n {
		return firstErr
	}
	return ctx.Err()
}

// appendCSVRows appends one CSV line per trading day of f.
func appendCSVRows(buf []byte, f instrumentFactors) []byte {
	for i, d := range f.Dates {
		buf = d.AppendFormat(buf, time.DateOnly)
		buf = append(buf, ',')
		buf = append(buf, f.Code...)
		row := f.Rows[i]
		for _, col := range f.Values {
			buf = append(buf, ',')
			buf = appendValue(buf, col[row])
		}
		buf = append(buf, '\n')
	}
	return buf
}

// appendValue writes v as pandas' to_csv reads back: empty when missing,
// inf/-inf, otherwise the shortest decimal that parses back to v.
func appendValue(buf []byte, v float64) []byte {
	switch {
	case v != v:
		return buf
	case math.IsInf(v, 1):
		return append(buf, "inf"...)
	case math.IsInf(v, -1):
		return append(buf, "-inf"...)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, 64)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
