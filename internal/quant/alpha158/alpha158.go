// Package alpha158 is Qlib's Alpha158 factor set: 158 price and volume
// features and the LABEL0 forward return, defined as data in alpha158.tsv
// (a copy of Qlib's qlib/contrib/data/loader.py Alpha158DL with the default
// handler config) and computed with package expr.
package alpha158

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/qlibpro/qlibpro/internal/quant/expr"
)

//go:embed alpha158.tsv
var definitionsTSV string

// LabelName is the name of the label row in alpha158.tsv.
const LabelName = "LABEL0"

// Feature is one named expression.
type Feature struct {
	Name string
	Expr string // as written in alpha158.tsv
	Node expr.Node
}

type definitions struct {
	features []Feature
	label    Feature
	program  *expr.Program // the features in order, then the label
}

// defs parses and compiles the embedded file once. The file is part of the
// binary, so an error in it is a programming error caught by the tests.
var defs = sync.OnceValue(func() *definitions {
	d, err := parseDefinitions(definitionsTSV)
	if err != nil {
		panic(fmt.Sprintf("alpha158: embedded alpha158.tsv: %v", err))
	}
	return d
})

func parseDefinitions(tsv string) (*definitions, error) {
	d := &definitions{}
	seen := map[string]bool{}
	for i, line := range strings.Split(tsv, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, src, ok := strings.Cut(line, "\t")
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d: want NAME<TAB>EXPRESSION", i+1)
		}
		if seen[name] {
			return nil, fmt.Errorf("line %d: duplicate name %s", i+1, name)
		}
		seen[name] = true
		n, err := expr.Parse(src)
		if err != nil {
			return nil, fmt.Errorf("line %d (%s): %w", i+1, name, err)
		}
		f := Feature{Name: name, Expr: src, Node: n}
		if name == LabelName {
			d.label = f
			continue
		}
		d.features = append(d.features, f)
	}
	if d.label.Node == nil {
		return nil, fmt.Errorf("no %s row", LabelName)
	}
	nodes := make([]expr.Node, 0, len(d.features)+1)
	for _, f := range d.features {
		nodes = append(nodes, f.Node)
	}
	p, err := expr.Compile(append(nodes, d.label.Node)...)
	if err != nil {
		return nil, err
	}
	d.program = p
	return d, nil
}

// Features returns the 158 features in file order.
func Features() []Feature { return append([]Feature(nil), defs().features...) }

// Label returns LABEL0, the return from the next day's close to the one after.
func Label() Feature { return defs().label }

// Names returns the feature names in file order.
func Names() []string {
	fs := defs().features
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return names
}

// Program returns the compiled features followed by the label, for callers
// that evaluate many instruments into reused buffers with EvalInto.
func Program() *expr.Program { return defs().program }

// Lookback is the number of rows of history the features read before a row
// (60, for ROC60 and CORD60): computing the last rows of a series with this
// much history before them gives the same values as the full series.
func Lookback() int {
	n := 0
	for _, f := range defs().features {
		n = max(n, expr.MaxLookback(f.Node))
	}
	return n
}

// Compute evaluates every feature and the label over one instrument's series.
// features[k][t] is feature k (in Names order) on row t. Rows without enough
// history use the rows they have, as Qlib does; VWAP0 is NaN when the series
// has no vwap field, and the label is NaN on the last two rows.
func Compute(s expr.Series) (features [][]float64, label []float64, err error) {
	out, err := defs().program.Eval(s)
	if err != nil {
		return nil, nil, err
	}
	n := len(out) - 1
	return out[:n:n], out[n], nil
}
