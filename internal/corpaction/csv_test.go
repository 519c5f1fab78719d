package corpaction_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/corpaction"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestReadCSVShipped(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.DataDir(t), "corporate-actions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	actions, err := corpaction.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 35 {
		t.Fatalf("read %d actions, want the 35 the data README lists", len(actions))
	}
	kinds := map[corpaction.Kind]int{}
	codes := map[string]bool{}
	for _, a := range actions {
		kinds[a.Kind]++
		codes[a.Code] = true
	}
	want := map[corpaction.Kind]int{"split": 1, "consolidation": 10, "demerger": 9, "capital_return": 3, "rights": 3, "code_change": 9}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%s: %d actions, want %d", k, kinds[k], n)
		}
	}
	if len(codes) != 32 {
		t.Errorf("%d codes, want 32", len(codes))
	}
	for _, a := range actions {
		if a.Code == "REH" {
			m, ok := a.ShareMultiplier()
			if !ok || m != 5 || a.ExDate.Format("2006-01-02") != "2017-12-18" {
				t.Errorf("REH = %+v, multiplier %v; want a 5:1 split on 2017-12-18", a, m)
			}
		}
		if a.Code == "PDN" {
			m, ok := a.ShareMultiplier()
			if !ok || m != 0.1 {
				t.Errorf("PDN multiplier %v, want 0.1 (1-for-10)", m)
			}
		}
	}
}

func TestReadCSVBad(t *testing.T) {
	head := corpaction.CSVHeader + "\n"
	for _, tc := range []struct{ name, in, want string }{
		{"Empty", "", "The file is empty"},
		{"NoKindColumn", "code,ex_date\nBHP,2020-01-01\n", "lacks the kind column"},
		{"OnlyHeader", head, "no corporate actions"},
		{"BadCode", head + "bh p,2020-01-01,split,5:1,0.2,,\n", `line 2: "bh p" is not an ASX code`},
		{"BadDate", head + "BHP,18/12/2017,split,5:1,0.2,,\n", "line 2: The ex-date must be a date"},
		{"NoDate", head + "BHP,,split,5:1,0.2,,\n", "ex-date is required"},
		{"BadKind", head + "BHP,2020-01-01,merger,,0.9,,\n", "Kind must be one of"},
		{"BadFactor", head + "BHP,2020-01-01,demerger,,abc,,\n", "must be a number"},
		{"NegativeFactor", head + "BHP,2020-01-01,demerger,,-1,,\n", "above 0"},
		{"SplitAboveOne", head + "BHP,2020-01-01,split,1:5,5,,\n", "split's factor is below 1"},
		{"ConsolidationBelowOne", head + "BHP,2020-01-01,consolidation,,0.1,,\n", "consolidation's factor is above 1"},
		{"SplitWithoutFactor", head + "BHP,2020-01-01,split,5:1,,,\n", "needs its factor"},
		{"CodeChangeMoves", head + "BHP,2020-01-01,code_change,X -> BHP,0.5,,\n", "code change does not adjust"},
		{"Twice", head + "BHP,2020-01-01,split,5:1,0.2,,\nBHP,2020-01-01,split,5:1,0.2,,\n", "lists BHP split 2020-01-01 twice (lines 2 and 3)"},
		{"SecondLineBad", head + "BHP,2020-01-01,split,5:1,0.2,,\nCBA,2020-13-01,split,5:1,0.2,,\n", "line 3:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := corpaction.ReadCSV(strings.NewReader(tc.in))
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("err = %v, want an Invalid error", err)
			}
			if !strings.Contains(ae.Message, tc.want) {
				t.Errorf("message %q, want it to contain %q", ae.Message, tc.want)
			}
		})
	}
}

func TestReadCSVCodeChangeDefaultsToOne(t *testing.T) {
	actions, err := corpaction.ReadCSV(strings.NewReader(corpaction.CSVHeader + "\nxyz,,code_change,SQ2 -> XYZ,,coverage.csv,\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := actions[0]
	if a.Code != "XYZ" || a.ExDate != nil || a.Factor == nil || *a.Factor != 1 {
		t.Errorf("got %+v, want XYZ with no ex-date and factor 1", a)
	}
}
