package portfolio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/decimaltext"
)

// DividendCSVHeader is the header of the short dividend import file.
const DividendCSVHeader = "code,ex_date,pay_date,amount,franking_pct"

// DividendCSVHeaderShipped is the header of data/asx/dividends.csv, which the
// import also reads: the amount column is named for its unit, and kind and
// source are kept.
const DividendCSVHeaderShipped = "code,ex_date,pay_date,amount_aud_per_share,franking_pct,kind,source"

// DividendKinds are the kinds a dividend can have.
var DividendKinds = []string{"interim", "final", "special", "other"}

// Bounds of a dividend line: dollars per share, the franked percentage and
// the length of the source note.
var (
	maxDividendAmount = decimal.NewFromInt(1000)
	maxFrankingPct    = decimal.NewFromInt(100)
)

const maxDividendSource = 500

// dividendLine is one good line of a dividend file.
type dividendLine struct {
	line  int
	event db.UpsertDividendEventParams // Kind "" when the file has no kind column or cell
	// keepSource: the file has no source column, so an event it updates
	// keeps the source it has.
	keepSource bool
}

// lineProblem is one bad line of a dividend file.
type lineProblem struct {
	line int
	msg  string
}

// readDividendCSV reads a dividend file without the database: the header,
// then every line checked on its own (whether the code is listed is the
// caller's question). A missing header or a file without lines is an
// Invalid error; bad lines come back in line order, and lines without an
// ex-date (the shipped file has three: the source gave none) are skipped.
// MaxDividendLines bounds one import file (each line costs a few queries in
// the import's one transaction, which must finish within a request).
const MaxDividendLines = 5000

func readDividendCSV(r io.Reader) (lines []dividendLine, bad, skipped []lineProblem, err error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, nil, apperr.FieldError("csv", "The file is empty; the first line must be %s.", DividendCSVHeader)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["amount"]; !ok {
		if i, ok := col["amount_aud_per_share"]; ok {
			col["amount"] = i
		}
	}
	for _, c := range []string{"code", "ex_date", "pay_date", "amount", "franking_pct"} {
		if _, ok := col[c]; !ok {
			return nil, nil, nil, apperr.FieldError("csv", "The header lacks the %s column; it must be %s or %s.", c, DividendCSVHeader, DividendCSVHeaderShipped)
		}
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if line-1 > MaxDividendLines {
			return nil, nil, nil, apperr.FieldError("csv", "The file has more than %d dividends; split it.", MaxDividendLines)
		}
		if err != nil {
			bad = append(bad, lineProblem{line, "not valid CSV"})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if get("ex_date") == "" && get("code") != "" {
			skipped = append(skipped, lineProblem{line, get("code") + " has no ex_date, so no holder can be entitled; not loaded"})
			continue
		}
		e, msg := parseDividend(get)
		if msg != "" {
			bad = append(bad, lineProblem{line, msg})
			continue
		}
		_, hasSource := col["source"]
		lines = append(lines, dividendLine{line: line, event: e, keepSource: !hasSource})
	}
	if len(bad) == 0 && len(lines) == 0 {
		return nil, nil, nil, tooMany([]string{"no dividend lines with an ex_date after the header"})
	}
	return lines, bad, skipped, nil
}

// parseDividend checks one line's fields and returns the event or what is
// wrong with it. A blank franking_pct is "not stated" (FrankingStated
// false, the percentage 0), not unfranked.
func parseDividend(get func(string) string) (db.UpsertDividendEventParams, string) {
	var e db.UpsertDividendEventParams
	code, err := normaliseCode(get("code"), false)
	if err != nil {
		return e, fmt.Sprintf("%q is not an ASX code", clip(get("code")))
	}
	ex, err1 := time.Parse(time.DateOnly, get("ex_date"))
	pay, err2 := time.Parse(time.DateOnly, get("pay_date"))
	amount, err3 := decimaltext.Parse(get("amount"))
	var pct decimal.NullDecimal
	var err4 error
	if raw := strings.TrimSpace(strings.TrimSuffix(get("franking_pct"), "%")); raw != "" {
		pct.Decimal, err4 = decimaltext.Parse(raw)
		pct.Valid = err4 == nil
	}
	kind := strings.ToLower(get("kind"))
	switch {
	case err1 != nil:
		return e, "ex_date must be YYYY-MM-DD"
	case get("pay_date") == "":
		return e, "pay_date is missing (the day holders are paid)"
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
	case err4 != nil || pct.Valid && (pct.Decimal.IsNegative() || pct.Decimal.GreaterThan(maxFrankingPct)):
		return e, "franking_pct must be from 0 to 100 (or blank when not stated)"
	case kind != "" && !slices.Contains(DividendKinds, kind):
		return e, fmt.Sprintf("kind %q is not one of %s", clip(get("kind")), strings.Join(DividendKinds, ", "))
	case len(get("source")) > maxDividendSource:
		return e, fmt.Sprintf("source is longer than %d characters", maxDividendSource)
	case !utf8.ValidString(get("source")):
		return e, "source is not valid UTF-8"
	}
	if pct.Valid {
		pct.Decimal = pct.Decimal.Round(2)
	}
	return db.UpsertDividendEventParams{Code: code, ExDate: ex, PayDate: pay, Amount: amount.Round(6),
		FrankingPct: pct.Decimal, FrankingStated: pct.Valid,
		Kind: kind, Source: get("source")}, ""
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
