package dataset

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

var nan = math.NaN()

// dates are the days ss (see testenv.Date).
func dates(t *testing.T, ss ...string) []time.Time {
	t.Helper()
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		out[i] = testenv.Date(t, s)
	}
	return out
}

// near reports whether a and b are equal to 1e-12, treating NaN as equal to NaN.
func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func nearSlices(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}

// instrument is one Builder.Add call.
type instrument struct {
	code     string
	dates    []time.Time
	features [][]float64
	label    []float64
}

// mustBuild builds a panel from instruments added in the given order.
func mustBuild(t *testing.T, features []string, ins ...instrument) *Panel {
	t.Helper()
	b := NewBuilder(features)
	for _, in := range ins {
		if err := b.Add(in.code, in.dates, in.features, in.label); err != nil {
			t.Fatalf("Add(%s): %v", in.code, err)
		}
	}
	return b.Build()
}

// flatRow is a panel row in comparable form.
type flatRow struct {
	date  string
	code  string
	x     []float64
	label float64
}

func flatten(p *Panel) []flatRow {
	var out []flatRow
	for _, r := range p.All() {
		out = append(out, flatRow{r.Date.Format(time.DateOnly), r.Code, r.X, r.Label})
	}
	return out
}

func assertRows(t *testing.T, p *Panel, want []flatRow) {
	t.Helper()
	got := flatten(p)
	if len(got) != len(want) {
		t.Fatalf("got %d rows %v, want %d rows %v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.date != w.date || g.code != w.code || !nearSlices(g.x, w.x) || !near(g.label, w.label) {
			t.Errorf("row %d: got %v, want %v", i, g, w)
		}
	}
	if p.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", p.Len(), len(want))
	}
}

func assertDates(t *testing.T, p *Panel, want ...string) {
	t.Helper()
	var got []string
	for _, d := range p.Dates {
		got = append(got, d.Format(time.DateOnly))
	}
	if len(got) != len(want) {
		t.Fatalf("Dates = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Dates = %v, want %v", got, want)
		}
	}
}

// assertFieldError checks that err is an invalid-input error about field
// whose message is want (or any message when want is empty).
func assertFieldError(t *testing.T, err error, field, want string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *apperr.Error", err)
	}
	if e.Code != apperr.Invalid || e.Field != field {
		t.Errorf("error code/field = %s/%q, want %s/%q", e.Code, e.Field, apperr.Invalid, field)
	}
	if want != "" && e.Message != want {
		t.Errorf("message = %q, want %q", e.Message, want)
	}
}

// samplePanel: three instruments added out of code order, with gaps and
// missing labels.
//
//	2020-01-02: BHP(1, 0.1)  CBA(7, 0.5)
//	2020-01-03: ANZ(4, 0.2)  BHP(2, NaN)
//	2020-01-06: ANZ(5, 0.4)  BHP(3, 0.3)  CBA(8, 0.6)
//	2020-01-07: ANZ(6, NaN)
func samplePanel(t *testing.T) *Panel {
	t.Helper()
	return mustBuild(t, []string{"f0", "f1"},
		instrument{"BHP", dates(t, "2020-01-02", "2020-01-03", "2020-01-06"),
			[][]float64{{1, 2, 3}, {10, 20, 30}}, []float64{0.1, nan, 0.3}},
		instrument{"ANZ", dates(t, "2020-01-03", "2020-01-06", "2020-01-07"),
			[][]float64{{4, 5, 6}, {40, 50, 60}}, []float64{0.2, 0.4, nan}},
		instrument{"CBA", dates(t, "2020-01-02", "2020-01-06"),
			[][]float64{{7, 8}, {70, 80}}, []float64{0.5, 0.6}},
	)
}
