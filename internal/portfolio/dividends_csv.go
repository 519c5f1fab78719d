package portfolio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/decimaltext"
)

// DividendCSVHeader is the header of the dividend import file.
const DividendCSVHeader = "code,ex_date,pay_date,amount,franking_pct"

var dividendColumns = []string{"code", "ex_date", "pay_date", "amount", "franking_pct"}

// Bounds of a dividend line: dollars per share, and the franked percentage.
var (
	maxDividendAmount = decimal.NewFromInt(1000)
	maxFrankingPct    = decimal.NewFromInt(100)
)

// dividendLine is one good line of a dividend file.
type dividendLine struct {
	line  int
	event db.UpsertDividendEventParams
}

// lineProblem is one bad line of a dividend file.
type lineProblem struct {
	line int
	msg  string
}

// readDividendCSV reads a dividend file without the database: the header,
// then every line checked on its own (whether the code is listed is the
// caller's question). A missing header or a file without lines is an
// Invalid error; bad lines come back in line order.
func readDividendCSV(r io.Reader) ([]dividendLine, []lineProblem, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, apperr.FieldError("csv", "The file is empty; the first line must be %s.", DividendCSVHeader)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range dividendColumns {
		if _, ok := col[c]; !ok {
			return nil, nil, apperr.FieldError("csv", "The header lacks the %s column; it must be %s.", c, DividendCSVHeader)
		}
	}
	var lines []dividendLine
	var bad []lineProblem
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bad = append(bad, lineProblem{line, "not valid CSV"})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e, msg := parseDividend(get)
		if msg != "" {
			bad = append(bad, lineProblem{line, msg})
			continue
		}
		lines = append(lines, dividendLine{line, e})
	}
	if len(bad) == 0 && len(lines) == 0 {
		return nil, nil, tooMany([]string{"no dividend lines after the header"})
	}
	return lines, bad, nil
}

// parseDividend checks one line's fields and returns the event or what is
// wrong with it.
func parseDividend(get func(string) string) (db.UpsertDividendEventParams, string) {
	var e db.UpsertDividendEventParams
	code, err := normaliseCode(get("code"), false)
	if err != nil {
		return e, fmt.Sprintf("%q is not an ASX code", clip(get("code")))
	}
	ex, err1 := time.Parse(time.DateOnly, get("ex_date"))
	pay, err2 := time.Parse(time.DateOnly, get("pay_date"))
	amount, err3 := decimaltext.Parse(get("amount"))
	pct, err4 := decimaltext.Parse(strings.TrimSuffix(get("franking_pct"), "%"))
	switch {
	case err1 != nil:
		return e, "ex_date must be YYYY-MM-DD"
	case err2 != nil:
		return e, "pay_date must be YYYY-MM-DD"
	case pay.Before(ex):
		return e, "pay_date is before ex_date"
	case errors.Is(err3, decimaltext.ErrTooLong):
		return e, fmt.Sprintf("amount is longer than %d characters", decimaltext.MaxLen)
	case err3 != nil || !amount.IsPositive() || amount.GreaterThan(maxDividendAmount):
		return e, "amount must be a positive number of dollars per share, at most 1000"
	case amount.Exponent() < -6:
		return e, "amount has more than 6 decimal places"
	case errors.Is(err4, decimaltext.ErrTooLong):
		return e, fmt.Sprintf("franking_pct is longer than %d characters", decimaltext.MaxLen)
	case err4 != nil || pct.IsNegative() || pct.GreaterThan(maxFrankingPct):
		return e, "franking_pct must be from 0 to 100"
	}
	return db.UpsertDividendEventParams{Code: code, ExDate: ex, PayDate: pay, Amount: amount.Round(6), FrankingPct: pct.Round(2)}, ""
}

// byLine formats problems in line order.
func byLine(bad []lineProblem) []string {
	slices.SortStableFunc(bad, func(a, b lineProblem) int { return a.line - b.line })
	out := make([]string, len(bad))
	for i, p := range bad {
		out[i] = fmt.Sprintf("line %d: %s", p.line, p.msg)
	}
	return out
}

// tooMany is the Invalid error listing a file's problems, the first 20 of
// them.
func tooMany(problems []string) error {
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("and %d more", len(problems)-20))
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "csv", Message: "The file was not imported: " + strings.Join(problems, "; ") + "."}
}

// clip shortens text quoted back in a message, so that one long cell cannot
// make the message as long as the file.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
