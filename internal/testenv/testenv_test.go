package testenv

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestImportsNothingOfTheModule keeps testenv a leaf: in-package tests
// (package asx, package hub …) import it, and could not if it imported a
// package that imports theirs.
func TestImportsNothingOfTheModule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "github.com/qlibpro/qlibpro/") {
				t.Errorf("%s imports %s; testenv must import nothing of the module", f, p)
			}
		}
	}
}

func TestLiterals(t *testing.T) {
	if got, want := Date(t, "2026-11-24"), Day(2026, time.November, 24); got != want {
		t.Errorf("Date = %v, want %v (Day)", got, want)
	}
	aest := time.FixedZone("AEST", 10*60*60)
	if got := DateIn(t, "2026-06-02", aest); got.Format(time.RFC3339) != "2026-06-02T00:00:00+10:00" {
		t.Errorf("DateIn = %s, want midnight AEST", got.Format(time.RFC3339))
	}
	if got := TimeIn(t, "2026-06-02 09:59:30", aest); got.Format(time.RFC3339) != "2026-06-02T09:59:30+10:00" {
		t.Errorf("TimeIn = %s, want 09:59:30 AEST", got.Format(time.RFC3339))
	}
	if got := TimeIn(t, "2026-06-02 10:00", aest); got.Format(time.RFC3339) != "2026-06-02T10:00:00+10:00" {
		t.Errorf("TimeIn to the minute = %s, want 10:00 AEST", got.Format(time.RFC3339))
	}
	if got := Decimal(t, "19.95"); got.String() != "19.95" {
		t.Errorf("Decimal = %s", got)
	}
}
