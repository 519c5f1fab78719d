package corpaction

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// CSVHeader is the header of data/asx/corporate-actions.csv and of an
// admin's import file.
const CSVHeader = "code,ex_date,kind,ratio_or_amount,adjustment_factor,source,note"

var columns = []string{"code", "ex_date", "kind", "ratio_or_amount", "adjustment_factor", "source", "note"}

// Limits of one import file and of its cells.
const (
	MaxLines   = 5000
	maxRatio   = 200
	maxText    = 2000
	maxFactor  = 1000.0
	problemCap = 20
)

var codeRE = regexp.MustCompile(`^[A-Z0-9]{2,6}$`)

// lineProblem is one bad line of an import file.
type lineProblem struct {
	line int
	msg  string
}

// ReadCSV reads corporate actions in CSVHeader's layout (columns in any
// order, extra columns ignored). Every line is checked on its own; whether a
// code is listed is the caller's question. Any bad line makes the whole file
// an Invalid error naming the first lines at fault.
func ReadCSV(r io.Reader) ([]Action, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, apperr.FieldError("csv", "The file is empty; the first line must be %s.", CSVHeader)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range columns {
		if _, ok := col[c]; !ok {
			return nil, apperr.FieldError("csv", "The header lacks the %s column; it must be %s.", c, CSVHeader)
		}
	}
	var out []Action
	var bad []lineProblem
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if line-1 > MaxLines {
			return nil, apperr.FieldError("csv", "The file has more than %d lines; split it.", MaxLines)
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
		a, fields := Parse(Input{Code: get("code"), ExDate: get("ex_date"), Kind: get("kind"),
			Ratio: get("ratio_or_amount"), Factor: get("adjustment_factor"), Source: get("source"), Note: get("note")})
		if len(fields) > 0 {
			bad = append(bad, lineProblem{line, firstProblem(fields)})
			continue
		}
		out = append(out, a)
	}
	if len(bad) > 0 {
		return nil, problems(bad)
	}
	if len(out) == 0 {
		return nil, apperr.FieldError("csv", "The file has no corporate actions after the header.")
	}
	seen := map[string]int{}
	for i, a := range out {
		k := a.key()
		if j, ok := seen[k]; ok {
			return nil, apperr.FieldError("csv", "The file lists %s twice (lines %d and %d).", a.Label(), j+2, i+2)
		}
		seen[k] = i
	}
	return out, nil
}

// Input is one action as typed in a form or a CSV line.
type Input struct {
	Code, ExDate, Kind, Ratio, Factor, Source, Note string
}

// Parse checks in and returns the action, or the problems by field name
// (code, ex_date, kind, ratio, adjustment_factor, source, note).
func Parse(in Input) (Action, map[string]string) {
	errs := map[string]string{}
	a := Action{Kind: Kind(strings.ToLower(strings.TrimSpace(in.Kind))), Ratio: strings.TrimSpace(in.Ratio),
		Source: strings.TrimSpace(in.Source), Note: strings.TrimSpace(in.Note)}
	a.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if !codeRE.MatchString(a.Code) {
		errs["code"] = fmt.Sprintf("%q is not an ASX code (2–6 letters or digits).", clip(in.Code))
	}
	if !slices.Contains(Kinds, a.Kind) {
		errs["kind"] = "Kind must be one of split, consolidation, demerger, capital_return, rights or code_change."
	}
	if s := strings.TrimSpace(in.ExDate); s != "" {
		d, err := time.Parse(time.DateOnly, s)
		switch {
		case err != nil:
			errs["ex_date"] = "The ex-date must be a date like 2017-12-18."
		case d.Year() < 1990 || d.Year() > 2100:
			errs["ex_date"] = "The ex-date must be between 1990 and 2100."
		default:
			a.ExDate = &d
		}
	} else if a.Kind != KindCodeChange {
		errs["ex_date"] = "The ex-date is required (only a code change may leave it blank)."
	}
	if s := strings.TrimSpace(in.Factor); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			errs["adjustment_factor"] = "The adjustment factor must be a number, e.g. 0.2 for a 5:1 split."
		case f <= 0 || f >= maxFactor:
			errs["adjustment_factor"] = fmt.Sprintf("The adjustment factor must be above 0 and below %g.", maxFactor)
		default:
			a.Factor = &f
		}
	}
	if _, bad := errs["adjustment_factor"]; !bad {
		switch {
		case a.Kind == KindCodeChange && (a.Factor == nil || *a.Factor != 1):
			if a.Factor == nil {
				one := 1.0
				a.Factor = &one // a code change never moves prices
			} else {
				errs["adjustment_factor"] = "A code change does not adjust prices: its factor is 1."
			}
		case a.Kind == KindSplit && a.Factor != nil && *a.Factor >= 1:
			errs["adjustment_factor"] = "A split's factor is below 1 (0.2 for 5 new shares per share)."
		case a.Kind == KindConsolidation && a.Factor != nil && *a.Factor <= 1:
			errs["adjustment_factor"] = "A consolidation's factor is above 1 (10 for 1 new share per 10)."
		case (a.Kind == KindSplit || a.Kind == KindConsolidation) && a.Factor == nil:
			errs["adjustment_factor"] = "A split or consolidation needs its factor."
		}
	}
	if len(a.Ratio) > maxRatio {
		errs["ratio"] = fmt.Sprintf("The ratio or amount is longer than %d characters.", maxRatio)
	}
	if len(a.Source) > maxText {
		errs["source"] = fmt.Sprintf("The source is longer than %d characters.", maxText)
	}
	if len(a.Note) > maxText {
		errs["note"] = fmt.Sprintf("The note is longer than %d characters.", maxText)
	}
	if !utf8Valid(a.Ratio, a.Source, a.Note) {
		errs["note"] = "The text is not valid UTF-8."
	}
	if len(errs) > 0 {
		return Action{}, errs
	}
	return a, nil
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if strings.ToValidUTF8(s, "\uFFFD") != s || strings.ContainsRune(s, 0) {
			return false
		}
	}
	return true
}

// firstProblem returns the problem of the first field, in column order.
func firstProblem(errs map[string]string) string {
	for _, f := range []string{"code", "ex_date", "kind", "ratio", "adjustment_factor", "source", "note"} {
		if m, ok := errs[f]; ok {
			return m
		}
	}
	return "bad line"
}

// problems is the Invalid error listing bad lines, the first problemCap.
func problems(bad []lineProblem) error {
	msgs := make([]string, 0, min(len(bad), problemCap)+1)
	for i, p := range bad {
		if i == problemCap {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(bad)-problemCap))
			break
		}
		msgs = append(msgs, fmt.Sprintf("line %d: %s", p.line, strings.TrimSuffix(p.msg, ".")))
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "csv", Message: "The file was not imported: " + strings.Join(msgs, "; ") + "."}
}

// clip shortens text quoted back in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
