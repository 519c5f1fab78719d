package lgbm

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// textModel is what Load reads from a LightGBM text model besides the trees
// leaves builds: header fields, feature names and split gains. Reading the
// trees here as well lets Load refuse a damaged file that would make leaves
// panic or loop at prediction time.
type textModel struct {
	version   string
	numClass  int
	nFeatures int // max_feature_idx + 1
	objective string
	names     []string // feature_names, nil when absent
	average   bool     // random forest: the trees are averaged
	trees     int
	gains     []float64 // total gain of the splits on each feature
}

// maxFeatures bounds max_feature_idx so that a garbled header cannot make
// Load allocate without limit.
const maxFeatures = 1 << 20

// autoNamed reports whether the feature names are LightGBM's defaults
// (Column_0, Column_1, …), which is what Qlib's LGBModel saves because it
// trains on a bare numpy array.
func (t *textModel) autoNamed() bool {
	if t.names == nil {
		return true
	}
	for i, n := range t.names {
		if n != "Column_"+strconv.Itoa(i) {
			return false
		}
	}
	return true
}

// parseText reads and checks a LightGBM text model.
func parseText(blob []byte) (*textModel, error) {
	lines := strings.Split(strings.ReplaceAll(string(blob), "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "tree" {
		return nil, fmt.Errorf(`the first line is not "tree"`)
	}
	header, next := block(lines, 1)
	t, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	for i := next; i < len(lines); {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			i++
		case line == "end of trees":
			i = len(lines)
		case strings.HasPrefix(line, "Tree="):
			if line != "Tree="+strconv.Itoa(t.trees) {
				return nil, fmt.Errorf("found %q where Tree=%d should be", line, t.trees)
			}
			kv, after := block(lines, i+1)
			if err := t.addTree(kv); err != nil {
				return nil, fmt.Errorf("tree %d: %w", t.trees, err)
			}
			t.trees++
			i = after
		default:
			return nil, fmt.Errorf("unexpected line %q before the end of the trees", truncate(line))
		}
	}
	if t.trees == 0 {
		return nil, fmt.Errorf("the model has no trees")
	}
	if sizes := strings.Fields(header["tree_sizes"]); len(sizes) != t.trees {
		return nil, fmt.Errorf("tree_sizes lists %d trees but the file has %d", len(sizes), t.trees)
	}
	return t, nil
}

// block reads key=value lines from lines[start] up to the next blank line
// and returns them with the index after that line.
func block(lines []string, start int) (map[string]string, int) {
	kv := make(map[string]string)
	i := start
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			return kv, i + 1
		}
		k, v, _ := strings.Cut(line, "=")
		kv[k] = v
	}
	return kv, i
}

func parseHeader(h map[string]string) (*textModel, error) {
	t := &textModel{version: h["version"], objective: h["objective"]}
	switch t.version {
	case "v2", "v3", "v4":
	default:
		return nil, fmt.Errorf("model format version %q is not supported (want v2, v3 or v4)", t.version)
	}
	var err error
	if t.numClass, err = intField(h, "num_class"); err != nil {
		return nil, err
	}
	perIter, err := intField(h, "num_tree_per_iteration")
	if err != nil {
		return nil, err
	}
	if t.numClass < 1 || perIter != t.numClass {
		return nil, fmt.Errorf("num_class %d with num_tree_per_iteration %d is not supported", t.numClass, perIter)
	}
	maxIdx, err := intField(h, "max_feature_idx")
	if err != nil {
		return nil, err
	}
	if maxIdx < 0 || maxIdx >= maxFeatures {
		return nil, fmt.Errorf("max_feature_idx %d is out of range", maxIdx)
	}
	t.nFeatures = maxIdx + 1
	if names, ok := h["feature_names"]; ok {
		t.names = strings.Fields(names)
		if len(t.names) != t.nFeatures {
			return nil, fmt.Errorf("feature_names has %d names for %d features", len(t.names), t.nFeatures)
		}
	}
	_, t.average = h["average_output"]
	t.gains = make([]float64, t.nFeatures)
	return t, nil
}

// addTree checks one tree the way leaves will read it and adds its gains.
func (t *textModel) addTree(kv map[string]string) error {
	if v, ok := kv["is_linear"]; ok && v != "0" {
		return fmt.Errorf("linear trees are not supported")
	}
	leaves, err := intField(kv, "num_leaves")
	if err != nil {
		return err
	}
	if leaves < 1 || leaves > 1<<24 {
		return fmt.Errorf("num_leaves %d is out of range", leaves)
	}
	numCat, err := intField(kv, "num_cat")
	if err != nil {
		return err
	}
	if _, err := floats(kv, "leaf_value", leaves); err != nil {
		return err
	}
	if leaves == 1 {
		return nil
	}
	nodes := leaves - 1
	feature, err := ints(kv, "split_feature", nodes)
	if err != nil {
		return err
	}
	threshold, err := floats(kv, "threshold", nodes)
	if err != nil {
		return err
	}
	decision, err := ints(kv, "decision_type", nodes)
	if err != nil {
		return err
	}
	left, err := ints(kv, "left_child", nodes)
	if err != nil {
		return err
	}
	right, err := ints(kv, "right_child", nodes)
	if err != nil {
		return err
	}
	var gain []float64
	if _, ok := kv["split_gain"]; ok {
		if gain, err = floats(kv, "split_gain", nodes); err != nil {
			return err
		}
	}
	if err := checkShape(left, right, leaves); err != nil {
		return err
	}
	for i := range nodes {
		if feature[i] < 0 || feature[i] >= t.nFeatures {
			return fmt.Errorf("node %d splits on feature %d of %d", i, feature[i], t.nFeatures)
		}
		if decision[i] < 0 || decision[i] > 0xff || (decision[i]>>2)&3 == 3 {
			return fmt.Errorf("node %d has decision_type %d", i, decision[i])
		}
		if decision[i]&1 != 0 {
			if err := checkCategorical(kv, numCat, threshold[i]); err != nil {
				return fmt.Errorf("node %d: %w", i, err)
			}
		}
		if gain != nil && gain[i] > 0 {
			t.gains[feature[i]] += gain[i]
		}
	}
	return nil
}

// checkShape reports whether the child arrays form one tree: every node but
// the root and every leaf has exactly one parent. Following children from the
// root then reaches a leaf on every path.
func checkShape(left, right []int, leaves int) error {
	nodes := len(left)
	nodeParents := make([]int, nodes)
	leafParents := make([]int, leaves)
	for i := range nodes {
		for _, c := range []int{left[i], right[i]} {
			switch {
			case c > 0 && c < nodes:
				nodeParents[c]++
			case c < 0 && ^c < leaves:
				leafParents[^c]++
			default:
				return fmt.Errorf("node %d has child %d outside the tree", i, c)
			}
		}
	}
	for i := 1; i < nodes; i++ {
		if nodeParents[i] != 1 {
			return fmt.Errorf("node %d has %d parents", i, nodeParents[i])
		}
	}
	for i, n := range leafParents {
		if n != 1 {
			return fmt.Errorf("leaf %d has %d parents", i, n)
		}
	}
	return nil
}

// checkCategorical checks the bitset a categorical split points to.
func checkCategorical(kv map[string]string, numCat int, threshold float64) error {
	if numCat < 1 {
		return fmt.Errorf("categorical split in a tree with num_cat %d", numCat)
	}
	bounds, err := ints(kv, "cat_boundaries", numCat+1)
	if err != nil {
		return err
	}
	cats, err := ints(kv, "cat_threshold", -1)
	if err != nil {
		return err
	}
	idx := int(threshold)
	if float64(idx) != threshold || idx < 0 || idx >= numCat {
		return fmt.Errorf("categorical threshold %v is not a bitset index below %d", threshold, numCat)
	}
	if bounds[0] != 0 || bounds[numCat] != len(cats) {
		return fmt.Errorf("cat_boundaries do not cover cat_threshold")
	}
	for i := range numCat {
		if bounds[i+1] < bounds[i] {
			return fmt.Errorf("cat_boundaries decrease")
		}
	}
	if bounds[idx+1] == bounds[idx] {
		return fmt.Errorf("empty category bitset")
	}
	return nil
}

func intField(kv map[string]string, key string) (int, error) {
	v, ok := kv[key]
	if !ok {
		return 0, fmt.Errorf("no %s field", key)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", key, truncate(v))
	}
	return n, nil
}

// ints parses a space-separated integer list of length n (any length if n < 0).
func ints(kv map[string]string, key string, n int) ([]int, error) {
	fields, err := list(kv, key, n)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(fields))
	for i, f := range fields {
		if out[i], err = strconv.Atoi(f); err != nil {
			return nil, fmt.Errorf("%s: %q is not an integer", key, truncate(f))
		}
	}
	return out, nil
}

func floats(kv map[string]string, key string, n int) ([]float64, error) {
	fields, err := list(kv, key, n)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(fields))
	for i, f := range fields {
		if out[i], err = strconv.ParseFloat(f, 64); err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", key, truncate(f))
		}
	}
	return out, nil
}

func list(kv map[string]string, key string, n int) ([]string, error) {
	v, ok := kv[key]
	if !ok {
		return nil, fmt.Errorf("no %s field", key)
	}
	fields := strings.Fields(v)
	if n >= 0 && len(fields) != n {
		return nil, fmt.Errorf("%s has %d values, want %d", key, len(fields), n)
	}
	return fields, nil
}

// leavesText returns the model text leaves will accept: leaves knows format
// versions up to v3, and v4 (LightGBM 4) writes trees the same way.
func leavesText(blob []byte, version string) []byte {
	if version != "v4" {
		return blob
	}
	return bytes.Replace(blob, []byte("\nversion=v4\n"), []byte("\nversion=v3\n"), 1)
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
