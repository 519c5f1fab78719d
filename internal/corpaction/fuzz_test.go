package corpaction_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/corpaction"
)

// FuzzReadCSV checks the admin's corporate-action import on any bytes: no
// panic; either an Invalid error with a short message (no input quoted back
// at length), or at least one action, each with an ASX code, a known kind, an
// ex-date unless it is a code change, and a factor in (0, 1000) that agrees
// with the kind (below 1 for a split, above 1 for a consolidation, exactly 1
// for a code change).
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		corpaction.CSVHeader + "\nREH,2017-12-18,split,5:1,0.2,asx,\n",
		corpaction.CSVHeader + "\nPDN,2024-04-11,consolidation,1-for-10,10,x,y\nAOV,,code_change,GUD -> AOV,,coverage,\n",
		corpaction.CSVHeader + "\nBHP,2015-05-18,demerger,S32,0.94,x,\"quoted, note\"\n",
		"note,code,kind,ex_date,adjustment_factor,source,ratio_or_amount,extra\n,rio,RIGHTS,2020-01-01,1e-300,,,\n",
		corpaction.CSVHeader + "\nREH,2017-12-18,split,5:1,5,asx,\nREH,2017-12-18,split,5:1,0.2,asx,\n",
		corpaction.CSVHeader + "\n\"unterminated,2017-12-18,split\n",
		"\ufeff" + corpaction.CSVHeader + "\nXYZ,2100-12-31,capital_return,A$2,NaN,,\n",
		"",
	} {
		f.Add(s)
	}
	code := regexp.MustCompile(`^[A-Z0-9]{2,6}$`)
	f.Fuzz(func(t *testing.T, in string) {
		actions, err := corpaction.ReadCSV(strings.NewReader(in))
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("error %v is %v, want Invalid", err, apperr.CodeOf(err))
			}
			if n := len(err.Error()); n > 2000 {
				t.Fatalf("message of %d bytes", n)
			}
			return
		}
		if len(actions) == 0 {
			t.Fatal("no error and no actions")
		}
		for _, a := range actions {
			if !code.MatchString(a.Code) {
				t.Fatalf("code %q", a.Code)
			}
			if a.ExDate == nil && a.Kind != corpaction.KindCodeChange {
				t.Fatalf("%s without an ex-date", a.Kind)
			}
			if a.Factor == nil {
				if a.Kind == corpaction.KindSplit || a.Kind == corpaction.KindConsolidation || a.Kind == corpaction.KindCodeChange {
					t.Fatalf("%s without a factor", a.Kind)
				}
				continue
			}
			switch x := *a.Factor; {
			case !(x > 0 && x < 1000):
				t.Fatalf("factor %v", x)
			case a.Kind == corpaction.KindSplit && x >= 1, a.Kind == corpaction.KindConsolidation && x <= 1,
				a.Kind == corpaction.KindCodeChange && x != 1:
				t.Fatalf("%s with factor %v", a.Kind, x)
			}
		}
	})
}
