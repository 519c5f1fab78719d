package alpha158

import (
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

func TestDefinitions(t *testing.T) {
	fs := Features()
	if len(fs) != 158 {
		t.Fatalf("Features() has %d entries, want 158", len(fs))
	}
	names := Names()
	for _, tt := range []struct {
		i    int
		want string
	}{{0, "KMID"}, {12, "VWAP0"}, {13, "ROC5"}, {157, "VSUMD60"}} {
		if names[tt.i] != tt.want {
			t.Errorf("Names()[%d] = %s, want %s", tt.i, names[tt.i], tt.want)
		}
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(names) {
		t.Errorf("feature names are not unique")
	}
	if l := Label(); l.Name != LabelName || l.Node.String() != "Ref($close,-2)/Ref($close,-1)-1" {
		t.Errorf("Label() = %s %s, want LABEL0 Ref($close,-2)/Ref($close,-1)-1", l.Name, l.Node)
	}
	if got := expr.MaxLookahead(Label().Node); got != 2 {
		t.Errorf("label lookahead = %d, want 2", got)
	}
	for _, f := range fs {
		if expr.MaxLookahead(f.Node) != 0 {
			t.Errorf("%s reads future rows", f.Name)
		}
	}
	if got := Lookback(); got != 60 {
		t.Errorf("Lookback() = %d, want 60", got)
	}
	if got := len(Program().Exprs()); got != 159 {
		t.Errorf("Program() has %d outputs, want 159", got)
	}
}

func TestParseDefinitionsErrors(t *testing.T) {
	tests := []struct {
		name, tsv string
	}{
		{"ErrNoTab", "KMID ($close-$open)/$open\nLABEL0\t$close\n"},
		{"ErrDuplicate", "A\t$close\nA\t$open\nLABEL0\t$close\n"},
		{"ErrBadExpression", "A\tMean($close)\nLABEL0\t$close\n"},
		{"ErrNoLabel", "A\t$close\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseDefinitions(tt.tsv); err == nil {
				t.Fatalf("parseDefinitions succeeded, want an error")
			}
		})
	}
}

func mustComputeBHP(t *testing.T) (bars, [][]float64, []float64) {
	t.Helper()
	b := mustLoadBars(t, filepath.Join(equitiesDir, "BHP.AX.csv.gz"))
	features, label, err := Compute(b.series())
	if err != nil {
		t.Fatal(err)
	}
	return b, features, label
}

func TestComputeAllFeatures(t *testing.T) {
	b, features, label := mustComputeBHP(t)
	var allNaN []string
	for k, name := range Names() {
		if len(features[k]) != len(b.dates) {
			t.Fatalf("%s has %d rows, want %d", name, len(features[k]), len(b.dates))
		}
		if !slices.ContainsFunc(features[k], func(v float64) bool { return !math.IsNaN(v) }) {
			allNaN = append(allNaN, name)
		}
	}
	t.Logf("%d features over %d days; all-NaN: %v", len(Names()), len(b.dates), allNaN)
	if !slices.Equal(allNaN, []string{"VWAP0"}) {
		t.Fatalf("all-NaN features = %v, want only VWAP0 (the data has no vwap)", allNaN)
	}
	n := len(label)
	if !math.IsNaN(label[n-1]) || !math.IsNaN(label[n-2]) || math.IsNaN(label[n-3]) {
		t.Fatalf("label tail = %v, want NaN only on the last two rows", label[n-3:])
	}
}

func TestComputeWithVWAP(t *testing.T) {
	s := expr.Series{Len: 3, Fields: map[string][]float64{
		"open": {1, 1, 1}, "high": {2, 2, 2}, "low": {1, 1, 1}, "close": {2, 1.5, 1}, "volume": {5, 6, 7},
		"vwap": {1.5, 1.5, 1.5},
	}}
	features, _, err := Compute(s)
	if err != nil {
		t.Fatal(err)
	}
	k := slices.Index(Names(), "VWAP0")
	if want := []float64{0.75, 1, 1.5}; !slices.Equal(features[k], want) {
		t.Fatalf("VWAP0 = %v, want %v", features[k], want)
	}
}

// TestComputeMatchesSingleExpressions checks the shared, buffer-reusing
// program against each expression compiled on its own.
func TestComputeMatchesSingleExpressions(t *testing.T) {
	b, features, label := mustComputeBHP(t)
	s := b.series()
	all := append(Features(), Label())
	for k, f := range all {
		alone, err := expr.Eval(f.Node, s)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		shared := label
		if k < len(features) {
			shared = features[k]
		}
		for day := range alone {
			if !(alone[day] == shared[day] || (math.IsNaN(alone[day]) && math.IsNaN(shared[day]))) {
				t.Fatalf("%s %s: shared program %v, alone %v", f.Name, b.dates[day], shared[day], alone[day])
			}
		}
	}
}

// TestLookbackTail computes the last year of BHP from only Lookback() rows of
// history before it and expects the full-history values.
func TestLookbackTail(t *testing.T) {
	b, features, label := mustComputeBHP(t)
	start := len(b.dates) - 250
	from := start - Lookback()
	tail := bars{
		dates: b.dates[from:], open: b.open[from:], high: b.high[from:],
		low: b.low[from:], close: b.close[from:], volume: b.volume[from:],
	}
	tf, tl, err := Compute(tail.series())
	if err != nil {
		t.Fatal(err)
	}
	for k, name := range Names() {
		for day := start; day < len(b.dates); day++ {
			if !agree(tf[k][day-from], features[k][day]) {
				t.Fatalf("%s %s: with %d rows of history %v, full history %v", name, b.dates[day], Lookback(), tf[k][day-from], features[k][day])
			}
		}
	}
	for day := start; day < len(b.dates); day++ {
		if !agree(tl[day-from], label[day]) {
			t.Fatalf("label %s: tail %v, full %v", b.dates[day], tl[day-from], label[day])
		}
	}
}

// TestUniverseComputes runs every instrument's first 300 rows (all of a
// shorter history) to cover the start of each series and the short ones.
func TestUniverseComputes(t *testing.T) {
	universe := mustLoadUniverse(t)
	p := Program()
	for i, b := range universe {
		b = b.between(b.dates[0], b.dates[min(300, len(b.dates))-1])
		n := len(b.dates)
		dst := make([][]float64, len(p.Exprs()))
		for k := range dst {
			dst[k] = make([]float64, n)
		}
		if err := p.EvalInto(dst, b.series()); err != nil {
			t.Fatalf("instrument %d: %v", i, err)
		}
		for k, name := range Names() {
			allNaN := !slices.ContainsFunc(dst[k], func(v float64) bool { return !math.IsNaN(v) })
			if want := wantAllNaN(name, n); allNaN != want {
				t.Fatalf("instrument %d (%d rows from %s): %s all-NaN = %v, want %v", i, n, b.dates[0], name, allNaN, want)
			}
		}
	}
}

// wantAllNaN says which features have no value on a series of n rows: VWAP0
// without vwap data, and ROCd when there is no row d days back.
func wantAllNaN(name string, n int) bool {
	if name == "VWAP0" {
		return true
	}
	d, err := strconv.Atoi(strings.TrimPrefix(name, "ROC"))
	return strings.HasPrefix(name, "ROC") && err == nil && d >= n
}
