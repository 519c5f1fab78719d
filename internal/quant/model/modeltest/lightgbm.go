package modeltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/qlibpro/qlibpro/internal/quant/model"
)

// LightGBMTree is a regression tree in LightGBM's array layout, with a
// reference Predict that follows LightGBM's NumericalDecision.
type LightGBMTree struct {
	Feature, Decision, Left, Right []int
	Threshold, Gain, Leaf          []float64
}

// randomTree grows a tree by splitting a random leaf until it has n leaves,
// numbering nodes and leaves the way LightGBM does.
func randomTree(rng *rand.Rand, n, features int) LightGBMTree {
	var t LightGBMTree
	type slot struct{ node, side int } // where a leaf hangs: side 0 left, 1 right
	var parent []slot
	for k := range n - 1 {
		t.Feature = append(t.Feature, rng.IntN(features))
		t.Threshold = append(t.Threshold, math.Round(rng.NormFloat64()*1000)/1000)
		t.Gain = append(t.Gain, rng.Float64()*10)
		// Mix the missing-value rules (None, Zero, NaN) and default directions.
		t.Decision = append(t.Decision, rng.IntN(3)<<2|rng.IntN(2)<<1)
		t.Left = append(t.Left, 0)
		t.Right = append(t.Right, 0)
		if k == 0 {
			t.Left[0], t.Right[0] = ^0, ^1
			parent = append(parent, slot{0, 0}, slot{0, 1})
			continue
		}
		// Node k takes the place of leaf j, keeps it on the left and adds leaf
		// k+1 on the right.
		j := rng.IntN(len(parent))
		if p := parent[j]; p.side == 0 {
			t.Left[p.node] = k
		} else {
			t.Right[p.node] = k
		}
		t.Left[k], t.Right[k] = ^j, ^(k + 1)
		parent[j] = slot{k, 0}
		parent = append(parent, slot{k, 1})
	}
	for range max(n, 1) {
		t.Leaf = append(t.Leaf, rng.NormFloat64()*0.01)
	}
	return t
}

// Predict returns the tree's leaf value for row.
func (t LightGBMTree) Predict(row []float64) float64 {
	if len(t.Feature) == 0 {
		return t.Leaf[0]
	}
	node := 0
	for {
		f := row[t.Feature[node]]
		missing, defaultLeft := (t.Decision[node]>>2)&3, t.Decision[node]&2 != 0
		if math.IsNaN(f) && missing != 2 {
			f = 0
		}
		var goLeft bool
		if (missing == 1 && math.Abs(f) <= 1e-35) || (missing == 2 && math.IsNaN(f)) {
			goLeft = defaultLeft
		} else {
			goLeft = f <= t.Threshold[node]
		}
		child := t.Right[node]
		if goLeft {
			child = t.Left[node]
		}
		if child < 0 {
			return t.Leaf[^child]
		}
		node = child
	}
}

// LightGBMText writes a LightGBM v4 text model of random regression trees
// over names and returns it with its trees. The same seed gives the same
// model.
func LightGBMText(seed uint64, names []string, trees, leaves int) ([]byte, []LightGBMTree) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var ts []LightGBMTree
	var blocks, sizes []string
	for i := range trees {
		t := randomTree(rng, leaves, len(names))
		ts = append(ts, t)
		b := fmt.Sprintf("Tree=%d\nnum_leaves=%d\nnum_cat=0\nsplit_feature=%s\nsplit_gain=%s\nthreshold=%s\n"+
			"decision_type=%s\nleft_child=%s\nright_child=%s\nleaf_value=%s\nis_linear=0\nshrinkage=0.2\n\n\n",
			i, leaves, join(t.Feature), join(t.Gain), join(t.Threshold), join(t.Decision), join(t.Left), join(t.Right), join(t.Leaf))
		blocks = append(blocks, b)
		sizes = append(sizes, strconv.Itoa(len(b)))
	}
	header := fmt.Sprintf("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=%d\n"+
		"objective=regression\nfeature_names=%s\ntree_sizes=%s\n\n",
		len(names)-1, strings.Join(names, " "), strings.Join(sizes, " "))
	return []byte(header + strings.Join(blocks, "") + "end of trees\n"), ts
}

// RandomRows returns rows × cols values: 5% NaN, 5% zero, the rest normal
// rounded to three decimals so that some land exactly on thresholds.
func RandomRows(seed uint64, rows, cols int) model.Matrix {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := model.Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
	for i := range x.Data {
		switch r := rng.Float64(); {
		case r < 0.05:
			x.Data[i] = math.NaN()
		case r < 0.10:
			x.Data[i] = 0
		default:
			x.Data[i] = math.Round(rng.NormFloat64()*1000) / 1000
		}
	}
	return x
}

func join[T any](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " ")
}
