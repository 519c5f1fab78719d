package portfolio

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/fees"
)

// fuzzToday is the trading day the order fuzz targets place orders on.
var fuzzToday = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// maxMessage bounds a field message: no message quotes a long input back.
const maxMessage = 300

// FuzzParseOrder checks the order fields people and programs type (what
// validate reads before asking the database whether the code is listed):
// no panic; problems only for known fields, each a short message, and an
// Invalid error; an accepted order within the documented bounds; and its
// fields written back out read as the same order.
func FuzzParseOrder(f *testing.F) {
	for _, s := range [][9]string{
		{"BHP", "buy", "", "100", "", "", "", "", ""},
		{"bhp ", "Buy", "limit", "1,000", "$45.01", "", "gtc", "2026-12-24", ""},
		{"CBA", "sell", "stop_limit", "10", "150.00", "149.5", "day", "", ""},
		{"TAH", "sell", "stop", "1", "", "0.805", "", "", "5"},
		{"BHP", "buy", "limit", "1.5", "45.005", "", "", "", ""},
		{"BHP", "buy", "market", "-3", "45", "", "gtc", "2026-01-01", ""},
		{"ZZZZZZZ", "short", "iceberg", "1e9000", "0.0001", "1e-33", "ioc", "soon", "x"},
		{"WTC", "sell", "", "10000000", "", "", "gtc", "2027-11-24", "10000001"},
		{"BHP", "buy", "limit", "1", "100000.01", "", "", "", ""},
		{"", "", "", "", "", "", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])
	}
	f.Fuzz(func(t *testing.T, code, side, typ, qty, limit, stop, tif, expires, pick string) {
		in := OrderInput{Code: code, Side: side, Type: typ, Quantity: qty, LimitPrice: limit, StopPrice: stop, TIF: tif, Expires: expires}
		if pick != "" {
			in.Picks = []PickInput{{ParcelID: 7, Quantity: pick}}
		}
		sp, errs := parseOrder(in, fuzzToday)
		if len(errs) > 0 {
			checkProblems(t, errs, OrderFields)
			if err := invalid(errs); apperr.CodeOf(err) != apperr.Invalid || apperr.MessageOf(err) == "" {
				t.Fatalf("invalid(%v) = %v", errs, err)
			}
			return
		}
		checkSpec(t, sp)
		again, errs := parseOrder(writeOrder(sp), fuzzToday)
		if len(errs) > 0 {
			t.Fatalf("%+v written back as %+v is refused: %v", sp, writeOrder(sp), errs)
		}
		if string(again.hash(1)) != string(sp.hash(1)) {
			t.Fatalf("%+v written back reads as %+v", sp, again)
		}
	})
}

func checkProblems(t *testing.T, errs map[string]string, fields []string) {
	t.Helper()
	for field, msg := range errs {
		if !slices.Contains(fields, field) {
			t.Fatalf("problem for unknown field %q: %q", field, msg)
		}
		if msg == "" || len(msg) > maxMessage {
			t.Fatalf("%s: message of %d bytes: %.100q", field, len(msg), msg)
		}
	}
}

// checkSpec holds an accepted order to OrderInput's documented rules.
func checkSpec(t *testing.T, sp spec) {
	t.Helper()
	whole := func(d decimal.Decimal) bool { return d.IsPositive() && d.Equal(d.Truncate(0)) }
	switch {
	case !codeRe.MatchString(sp.code):
		t.Fatalf("code %q", sp.code)
	case sp.side != sideBuy && sp.side != sideSell:
		t.Fatalf("side %q", sp.side)
	case !slices.Contains([]string{Market, Limit, Stop, StopLimit}, sp.typ):
		t.Fatalf("type %q", sp.typ)
	case !whole(sp.qty) || sp.qty.GreaterThan(maxQuantity):
		t.Fatalf("quantity %s", sp.qty)
	case sp.limit.Valid != (sp.typ == Limit || sp.typ == StopLimit):
		t.Fatalf("%s order with limit %v", sp.typ, sp.limit)
	case sp.stop.Valid != (sp.typ == Stop || sp.typ == StopLimit):
		t.Fatalf("%s order with stop %v", sp.typ, sp.stop)
	case sp.tif == Day && !sp.expires.IsZero():
		t.Fatalf("day order expiring %v", sp.expires)
	case sp.tif == GTC && (sp.expires.Before(fuzzToday) || sp.expires.After(fuzzToday.AddDate(1, 0, 0))):
		t.Fatalf("gtc order expiring %v", sp.expires)
	case sp.tif != Day && sp.tif != GTC:
		t.Fatalf("tif %q", sp.tif)
	case len(sp.picks) > 0 && sp.side != sideSell:
		t.Fatalf("picks on a %s", sp.side)
	}
	for _, p := range []decimal.NullDecimal{sp.limit, sp.stop} {
		if p.Valid && (p.Decimal.GreaterThan(maxOrderPrice) || asx.ValidatePrice(p.Decimal) != nil) {
			t.Fatalf("price %s", p.Decimal)
		}
	}
	for _, p := range sp.picks {
		if !whole(p.Quantity) {
			t.Fatalf("picked quantity %s", p.Quantity)
		}
	}
}

// writeOrder is the order as a form would hold it.
func writeOrder(sp spec) OrderInput {
	in := OrderInput{Code: sp.code, Side: sp.side, Type: sp.typ, Quantity: sp.qty.String(), TIF: sp.tif}
	if sp.limit.Valid {
		in.LimitPrice = sp.limit.Decimal.String()
	}
	if sp.stop.Valid {
		in.StopPrice = sp.stop.Decimal.String()
	}
	if sp.tif == GTC {
		in.Expires = sp.expires.Format(time.DateOnly)
	}
	for _, p := range sp.picks {
		in.Picks = append(in.Picks, PickInput{ParcelID: p.ParcelID, Quantity: p.Quantity.String()})
	}
	return in
}

// FuzzNewAccount checks the new-account form: problems only for its fields,
// an accepted balance within $0.01–$100,000,000 in cents, a known schedule
// and method, and the balance written back reading the same.
func FuzzNewAccount(f *testing.F) {
	for _, s := range [][4]string{
		{"Paper account", "", "", ""},
		{"Small caps", "25,000", "selfwealth", "min_gain"},
		{"", "-5", "commsec", "fifo"},
		{"x", "$100,000,000.00", "QLIB", "LIFO"},
		{"x", "0.001", "etrade", "specific"},
		{"x", "1e9000", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, name, balance, schedule, method string) {
		p, err := NewAccount{Name: name, StartingBalance: balance, FeeSchedule: schedule, Method: method}.validate()
		if err != nil {
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
				t.Fatalf("error %v", err)
			}
			checkProblems(t, ae.Fields, []string{"name", "starting_balance", "fee_schedule", "method"})
			return
		}
		b := p.StartingBalance
		if !b.IsPositive() || b.GreaterThan(maxBalance) || !b.Equal(b.Round(2)) {
			t.Fatalf("balance %s", b)
		}
		if _, err := fees.Named(p.FeeSchedule); err != nil {
			t.Fatalf("schedule %q", p.FeeSchedule)
		}
		if again, err := parseBalance(b.StringFixed(2)); err != nil || !again.Equal(b) {
			t.Fatalf("balance %s written back reads as %s, %v", b, again, err)
		}
	})
}

// FuzzReadDividendCSV checks the dividend import's reader: no panic; a bad
// file is an Invalid error on "csv"; every line read is within the
// documented bounds and reads back the same when written out; bad lines
// are reported in order with short messages.
func FuzzReadDividendCSV(f *testing.F) {
	for _, s := range []string{
		DividendCSVHeader + "\nBHP,2025-09-04,2025-09-25,1.10,100\nCBA,2025-08-14,2025-09-29,2.60,100\n",
		"\ufeffCode, Ex_Date ,pay_date,amount,franking_pct\nbhp,2025-09-04,2025-09-25,0.000001,50%\n",
		DividendCSVHeader + "\nZZZZ,2025-09-04,2025-09-25,1,50\nBHP,2025-13-01,2025-09-25,1,50\nBHP,2025-09-04,2025-09-25,1,150\n",
		DividendCSVHeader + "\nBHP,2025-09-25,2025-09-04,1,50\nBHP,2025-09-04,2025-09-25,1.0000001,50\n\"unterminated\n",
		"code,ex_date\nBHP,2025-09-04\n",
		DividendCSVHeader + "\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		lines, bad, skipped, err := readDividendCSV(strings.NewReader(data))
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "csv" {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(lines)+len(bad) == 0 {
			t.Fatal("no lines and no problems without an error")
		}
		for _, p := range skipped {
			if p.line < 2 || len(p.msg) > maxMessage {
				t.Fatalf("skipped %d: %.100q", p.line, p.msg)
			}
		}
		last := 1
		var out strings.Builder
		cw := csv.NewWriter(&out)
		_ = cw.Write(strings.Split(DividendCSVHeaderShipped, ","))
		for _, l := range lines {
			e := l.event
			switch {
			case l.line <= last:
				t.Fatalf("line %d after line %d", l.line, last)
			case !codeRe.MatchString(e.Code):
				t.Fatalf("code %q", e.Code)
			case e.PayDate.Before(e.ExDate):
				t.Fatalf("paid %v before ex %v", e.PayDate, e.ExDate)
			case !e.Amount.IsPositive() || e.Amount.GreaterThan(maxDividendAmount) || !e.Amount.Equal(e.Amount.Round(6)):
				t.Fatalf("amount %s", e.Amount)
			case e.FrankingPct.IsNegative() || e.FrankingPct.GreaterThan(maxFrankingPct) || !e.FrankingStated && !e.FrankingPct.IsZero():
				t.Fatalf("franking %s (stated %v)", e.FrankingPct, e.FrankingStated)
			case e.Kind != "" && !slices.Contains(DividendKinds, e.Kind):
				t.Fatalf("kind %q", e.Kind)
			case len(e.Source) > maxDividendSource:
				t.Fatalf("source of %d bytes", len(e.Source))
			}
			last = l.line
			pct := ""
			if e.FrankingStated {
				pct = e.FrankingPct.String()
			}
			_ = cw.Write([]string{e.Code, e.ExDate.Format(time.DateOnly), e.PayDate.Format(time.DateOnly), e.Amount.String(), pct, e.Kind, e.Source})
		}
		cw.Flush()
		for _, p := range bad {
			if p.line < 2 || p.msg == "" || len(p.msg) > maxMessage {
				t.Fatalf("problem %d: %.100q (%d bytes)", p.line, p.msg, len(p.msg))
			}
		}
		if msg := apperr.MessageOf(tooMany(byLine(bad))); len(bad) > 0 && len(msg) > 22*(maxMessage+20) {
			t.Fatalf("file message of %d bytes", len(msg))
		}
		if len(lines) == 0 {
			return
		}
		again, bad, _, err := readDividendCSV(strings.NewReader(out.String()))
		if err != nil || len(bad) > 0 || len(again) != len(lines) {
			t.Fatalf("written back: %d lines, problems %v, %v", len(again), bad, err)
		}
		for i := range again {
			a, b := again[i].event, lines[i].event
			if a.Code != b.Code || !a.ExDate.Equal(b.ExDate) || !a.PayDate.Equal(b.PayDate) || !a.Amount.Equal(b.Amount) ||
				!sameFranking(franking(a.FrankingPct, a.FrankingStated), franking(b.FrankingPct, b.FrankingStated)) || a.Kind != b.Kind || a.Source != strings.TrimSpace(b.Source) {
				t.Fatalf("line %d written back reads as %+v, was %+v", i, a, b)
			}
		}
	})
}

// FuzzParseFY checks financial years: accepted years are 2000 to next
// year, and both spellings of an accepted year read as it.
func FuzzParseFY(f *testing.F) {
	for _, s := range []string{"", "2025", "2024-25", "2024–25", "2024/2025", "1999-00", "2099-00", "2025-27", "20250", "٢٠٢٥", "2026"} {
		f.Add(s)
	}
	current := 2027 // the financial year of fuzzToday
	f.Fuzz(func(t *testing.T, raw string) {
		y, err := ParseFY(raw, fuzzToday)
		if err != nil {
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != "fy" || len(ae.Message) > maxMessage {
				t.Fatalf("error %v", err)
			}
			return
		}
		if y < 2000 || y > current+1 {
			t.Fatalf("ParseFY(%q) = %d", raw, y)
		}
		for _, s := range []string{strconv.Itoa(y), fmt.Sprintf("%d-%02d", y-1, y%100), fmt.Sprintf("%d/%d", y-1, y)} {
			if again, err := ParseFY(s, fuzzToday); err != nil || again != y {
				t.Fatalf("ParseFY(%q) = %d; %q reads as %d, %v", raw, y, s, again, err)
			}
		}
	})
}
