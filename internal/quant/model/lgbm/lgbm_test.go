package lgbm_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/model"
	"github.com/qlibpro/qlibpro/internal/quant/model/lgbm"
)

var alpha158 = []string{"KMID", "KLEN", "ROC5"}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustTable reads a whitespace-separated table of numbers.
func mustTable(t testing.TB, name string) [][]float64 {
	t.Helper()
	var rows [][]float64
	for _, line := range strings.Split(strings.TrimSpace(string(mustRead(t, name))), "\n") {
		var row []float64
		for _, f := range strings.Fields(line) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows
}

func columns(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "Column_" + strconv.Itoa(i)
	}
	return names
}

func matrix(rows [][]float64) model.Matrix {
	m := model.Matrix{Rows: len(rows), Cols: len(rows[0])}
	for _, r := range rows {
		m.Data = append(m.Data, r...)
	}
	return m
}

func mustLoad(t testing.TB, blob []byte, features []string) *lgbm.Model {
	t.Helper()
	m, err := lgbm.Load(blob, features)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

func mustPredict(t testing.TB, m model.Model, x model.Matrix) []float64 {
	t.Helper()
	got, err := m.Predict(x)
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	return got
}

// leafValues returns each tree's leaf_value list, read straight from the text.
func leafValues(t *testing.T, blob []byte) [][]float64 {
	t.Helper()
	var trees [][]float64
	for _, line := range strings.Split(string(blob), "\n") {
		v, ok := strings.CutPrefix(line, "leaf_value=")
		if !ok {
			continue
		}
		var leaves []float64
		for _, f := range strings.Fields(v) {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			leaves = append(leaves, x)
		}
		trees = append(trees, leaves)
	}
	return trees
}

func TestBreastCancerMatchesLightGBM(t *testing.T) {
	blob := mustRead(t, "lg_breast_cancer.txt")
	m := mustLoad(t, blob, columns(30))
	data := mustTable(t, "lg_breast_cancer_data.txt")
	leafIdx := mustTable(t, "lg_breast_cancer_pred_leaves.txt")
	trees := leafValues(t, blob)
	got := mustPredict(t, m, matrix(data))
	for i, leaves := range leafIdx {
		// LightGBM chose these leaves; the raw score is the sum of their values.
		var want float64
		for k, leaf := range leaves {
			want += trees[k][int(leaf)]
		}
		if math.Abs(got[i]-want) > 1e-9 {
			t.Errorf("row %d: raw score %.12f, want %.12f", i, got[i], want)
		}
	}
}

func TestDARTMatchesLightGBM(t *testing.T) {
	m := mustLoad(t, mustRead(t, "lg_dart_breast_cancer.model"), columns(30))
	got := mustPredict(t, m, matrix(mustTable(t, "breast_cancer_test.tsv")))
	for i, row := range mustTable(t, "lg_dart_breast_cancer_true_predictions.txt") {
		// LightGBM's predict() applies the binary objective's sigmoid.
		if p := 1 / (1 + math.Exp(-got[i])); math.Abs(p-row[0]) > 1e-9 {
			t.Errorf("row %d: sigmoid(raw) = %.12f, LightGBM predicted %.12f", i, p, row[0])
		}
	}
}

func TestAlpha158Model(t *testing.T) {
	m := mustLoad(t, mustRead(t, "alpha158_small.txt"), alpha158)
	nan := math.NaN()
	x := model.Matrix{Rows: 5, Cols: 3, Data: []float64{
		-0.01, 0.02, 0.98, // ROC5 ≤ 1.015, KMID ≤ -0.0045; KLEN ≤ 0.0305
		0.01, 0.05, 1.10, // ROC5 > 1.015; KLEN > 0.0305
		0.002, nan, 1.0, // KMID > -0.0045; KLEN missing goes left (NaN missing type)
		nan, 0.04, nan, // missing KMID and ROC5 count as 0 (missing type None)
		nan, math.Inf(1), nan, // +Inf is treated as NaN
	}}
	want := []float64{-0.0125 + 0.0022, 0.0184 - 0.0041, 0.0031 + 0.0022, 0.0031 - 0.0041, 0.0031 + 0.0022}
	got := mustPredict(t, m, x)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("row %d = %v, want %v", i, got[i], want[i])
		}
	}
	imp := m.FeatureImportance()
	if imp[0].Feature != "ROC5" || imp[0].Gain != 41.5 || imp[1].Feature != "KMID" || imp[2].Gain != 5.5 {
		t.Errorf("FeatureImportance = %+v, want ROC5 41.5, KMID 12.25, KLEN 5.5", imp)
	}
	md := m.Metadata()
	if md["trees"] != 2 || md["objective"] != "regression" || md["named_features"] != true {
		t.Errorf("Metadata = %v", md)
	}
}

func TestTreeSizesAreByteLengths(t *testing.T) {
	// LightGBM itself locates trees by tree_sizes, so the hand-written model
	// must get them right even though leaves only counts them.
	text := string(mustRead(t, "alpha158_small.txt"))
	var sizes []int
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "tree_sizes="); ok {
			for _, f := range strings.Fields(v) {
				n, _ := strconv.Atoi(f)
				sizes = append(sizes, n)
			}
		}
	}
	pos := strings.Index(text, "Tree=0")
	for i, n := range sizes {
		block := text[pos : pos+n]
		if !strings.HasPrefix(block, "Tree="+strconv.Itoa(i)+"\n") || !strings.HasSuffix(block, "\n\n\n") {
			t.Fatalf("tree %d: %d bytes from offset %d do not span one tree block: %q", i, n, pos, block)
		}
		pos += n
	}
	if !strings.HasPrefix(text[pos:], "end of trees") {
		t.Errorf("after the trees comes %q, want end of trees", text[pos:min(pos+20, len(text))])
	}
}

func TestFeatureListChecks(t *testing.T) {
	blob := mustRead(t, "alpha158_small.txt")
	tests := []struct {
		name     string
		blob     []byte
		features []string
		want     string
	}{
		{"Missing", blob, []string{"KMID", "KLEN"}, "missing from the list: ROC5"},
		{"Extra", blob, []string{"KMID", "KLEN", "ROC5", "VSUMP5"}, "not in the model: VSUMP5"},
		{"Renamed", blob, []string{"KMID", "KLEN", "ROC10"}, "missing from the list: ROC5; not in the model: ROC10"},
		{"OutOfOrder", blob, []string{"KLEN", "KMID", "ROC5"}, `out of order: 2 positions differ, first at position 1 (model has "KMID", list has "KLEN")`},
		{"Duplicate", blob, []string{"KMID", "KMID", "ROC5"}, `"KMID" is listed twice`},
		{"UnnamedCount", mustRead(t, "lg_breast_cancer.txt"), columns(29), "reads 30 features, the list has 29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lgbm.Load(tt.blob, tt.features)
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.want) {
				t.Errorf("Load = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
	// A Qlib model names its features Column_0, …; any names of the right
	// count are accepted.
	if _, err := lgbm.Load(mustRead(t, "lg_breast_cancer.txt"), columns(30)[:0:0]); err == nil {
		t.Error("Load with an empty list succeeded")
	}
	named := make([]string, 30)
	for i := range named {
		named[i] = "F" + strconv.Itoa(i)
	}
	mustLoad(t, mustRead(t, "lg_breast_cancer.txt"), named)
}

func TestCorruptModels(t *testing.T) {
	good := string(mustRead(t, "alpha158_small.txt"))
	replace := func(old, new string) []byte {
		if !strings.Contains(good, old) {
			t.Fatalf("test model lacks %q", old)
		}
		return []byte(strings.Replace(good, old, new, 1))
	}
	tests := []struct {
		name string
		blob []byte
		want string
	}{
		{"Empty", nil, "first line"},
		{"Binary", []byte{0x00, 0xff, 0x10}, "first line"},
		{"XGBoostJSON", []byte(`{"learner": {}}`), "first line"},
		{"Version", replace("version=v3", "version=v9"), "version"},
		{"Multiclass", replace("num_class=1\nnum_tree_per_iteration=1", "num_class=3\nnum_tree_per_iteration=3"), "3 classes"},
		{"NamesCount", replace("feature_names=KMID KLEN ROC5", "feature_names=KMID KLEN"), "2 names for 3 features"},
		{"ShortLeafValues", replace("leaf_value=-0.0125 0.0031 0.0184", "leaf_value=-0.0125 0.0031"), "leaf_value has 2 values"},
		{"ChildOutside", replace("left_child=1 -1", "left_child=1 -9"), "outside the tree"},
		{"Cycle", replace("left_child=1 -1\nright_child=-3 -2", "left_child=1 1\nright_child=-3 -2"), "parents"},
		{"FeatureOutside", replace("split_feature=2 0", "split_feature=7 0"), "feature 7 of 3"},
		{"BadNumber", replace("threshold=1.0150000000000001", "threshold=abc"), "not a number"},
		{"Linear", replace("is_linear=0", "is_linear=1"), "linear trees"},
		{"TreeSizes", replace("tree_sizes=367 298", "tree_sizes=367"), "tree_sizes lists 1 trees"},
		{"Truncated", []byte(good[:len(good)/3]), "tree"},
		{"NoTrees", []byte(good[:strings.Index(good, "Tree=0")]), "no trees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lgbm.Load(tt.blob, alpha158)
			if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestTruncatedNeverPanics(t *testing.T) {
	blob := mustRead(t, "lg_breast_cancer.txt")
	for n := 0; n < len(blob); n += 97 {
		if m, err := lgbm.Load(blob[:n], columns(30)); err == nil {
			// A cut right after a tree can still be a complete model; it must work.
			mustPredict(t, m, matrix(mustTable(t, "lg_breast_cancer_data.txt")))
		}
	}
}

func TestVersion4(t *testing.T) {
	v3 := mustRead(t, "alpha158_small.txt")
	v4 := bytes.Replace(v3, []byte("version=v3"), []byte("version=v4"), 1)
	m := mustLoad(t, v4, alpha158)
	x := model.Matrix{Rows: 1, Cols: 3, Data: []float64{0.01, 0.05, 1.10}}
	if got := mustPredict(t, m, x)[0]; math.Abs(got-(0.0184-0.0041)) > 1e-12 {
		t.Errorf("v4 model predicts %v, want %v", got, 0.0184-0.0041)
	}
	saved, err := m.Save()
	if err != nil || !bytes.Equal(saved, v4) {
		t.Errorf("Save = %d bytes, %v; want the uploaded v4 text unchanged", len(saved), err)
	}
}

func TestFitRefused(t *testing.T) {
	m := mustLoad(t, mustRead(t, "alpha158_small.txt"), alpha158)
	err := m.Fit(context.Background(), model.Matrix{}, model.Matrix{}, nil)
	if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "trained elsewhere") {
		t.Errorf("Fit = %v, want Invalid trained elsewhere", err)
	}
}

func TestPredictWrongColumns(t *testing.T) {
	m := mustLoad(t, mustRead(t, "alpha158_small.txt"), alpha158)
	_, err := m.Predict(model.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}})
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("Predict with 2 columns = %v, want Invalid", err)
	}
}

func TestConcurrentAndParallelPredict(t *testing.T) {
	m := mustLoad(t, mustRead(t, "lg_breast_cancer.txt"), columns(30))
	base := mustTable(t, "lg_breast_cancer_data.txt")
	// 10k rows: enough for Predict to split the work across goroutines.
	var rows [][]float64
	for i := range 10_000 {
		rows = append(rows, base[i%len(base)])
	}
	big := matrix(rows)
	small := mustPredict(t, m, matrix(base))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := m.Predict(big)
			if err != nil {
				t.Errorf("Predict: %v", err)
				return
			}
			for i, v := range got {
				if v != small[i%len(base)] {
					t.Errorf("row %d = %v, want %v", i, v, small[i%len(base)])
					return
				}
			}
		})
	}
	wg.Wait()
}
