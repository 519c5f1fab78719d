// Package asxdata reads ASX daily price files (the shipped data/asx set and
// Yahoo-style or ASX-style CSV exports) and writes them to the database with COPY.
package asxdata

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Bar is one trading day of one instrument. Volume is nil for indices.
type Bar struct {
	Code                   string
	Date                   time.Time
	Open, High, Low, Close float64
	Volume                 *int64
}

// RowError is a bad row in an input file.
type RowError struct {
	Line int
	Msg  string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Format names an input layout.
type Format string

// Supported formats. Shipped is data/asx's Date,Open,High,Low,Close[,Volume];
// Yahoo adds Adj Close; ASX is the ASX's own export (Date,Open,High,Low,Last,Volume)
// with day-first dates.
const (
	FormatShipped Format = "shipped"
	FormatYahoo   Format = "yahoo"
	FormatASX     Format = "asx"
)

// openMaybeGzip opens path, transparently gunzipping *.gz files.
func openMaybeGzip(path string) (io.ReadCloser, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the files to import on the command line
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, closeBoth{zr, f}}, nil
}

type closeBoth struct{ a, b io.Closer }

func (c closeBoth) Close() error { return errors.Join(c.a.Close(), c.b.Close()) }

// ReadBars parses one instrument's daily bars in format. It returns every good
// bar and every bad row; the caller decides whether bad rows abort the file.
// A header that does not match the format is an error for the whole file.
func ReadBars(r io.Reader, code string, format Format) ([]Bar, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("line 1: cannot read header: %w", err)
	}
	cols, err := columns(header, format)
	if err != nil {
		return nil, nil, err
	}
	var bars []Bar
	var bad []RowError
	seen := map[time.Time]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad = append(bad, RowError{line, err.Error()})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		b, err := parseRow(rec, cols, code, format)
		if err != nil {
			bad = append(bad, RowError{line, err.Error()})
			continue
		}
		if seen[b.Date] {
			bad = append(bad, RowError{line, "duplicate date " + b.Date.Format(time.DateOnly)})
			continue
		}
		seen[b.Date] = true
		bars = append(bars, b)
	}
	return bars, bad, nil
}

type colIndex struct{ date, open, high, low, close, volume int }

func columns(header []string, format Format) (colIndex, error) {
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	closeName := "close"
	if format == FormatASX {
		closeName = "last"
		if _, ok := idx["last"]; !ok {
			closeName = "close"
		}
	}
	c := colIndex{volume: -1}
	for name, dst := range map[string]*int{"date": &c.date, "open": &c.open, "high": &c.high, "low": &c.low, closeName: &c.close} {
		i, ok := idx[name]
		if !ok {
			return c, fmt.Errorf("line 1: header has no %q column (got %s)", name, strings.Join(header, ","))
		}
		*dst = i
	}
	if i, ok := idx["volume"]; ok {
		c.volume = i
	}
	return c, nil
}

var dateLayouts = map[Format][]string{
	FormatShipped: {time.DateOnly},
	FormatYahoo:   {time.DateOnly},
	FormatASX:     {"02/01/2006", "2/1/2006", time.DateOnly, "20060102"},
}

func parseRow(rec []string, c colIndex, code string, format Format) (Bar, error) {
	get := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	b := Bar{Code: code}
	var err error
	raw := get(c.date)
	for _, layout := range dateLayouts[format] {
		if b.Date, err = time.Parse(layout, raw); err == nil {
			break
		}
	}
	if err != nil {
		return b, fmt.Errorf("date %q is not a date", raw)
	}
	for _, f := range []struct {
		name string
		i    int
		dst  *float64
	}{{"open", c.open, &b.Open}, {"high", c.high, &b.High}, {"low", c.low, &b.Low}, {"close", c.close, &b.Close}} {
		v, err := strconv.ParseFloat(get(f.i), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return b, fmt.Errorf("%s %q is not a positive price", f.name, get(f.i))
		}
		*f.dst = v
	}
	if b.High < b.Low {
		return b, fmt.Errorf("high %v is below low %v", b.High, b.Low)
	}
	if raw := get(c.volume); raw != "" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 0 || v != math.Trunc(v) || v > math.MaxInt64/2 {
			return b, fmt.Errorf("volume %q is not a whole non-negative number", raw)
		}
		n := int64(v)
		b.Volume = &n
	}
	return b, nil
}
