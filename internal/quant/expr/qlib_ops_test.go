package expr

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestQlibOps compares every operator with values that real pandas computed
// the way Qlib's operators do (testdata/qlib_ops.py) on two 60-row series
// with NaN gaps, ties and a constant stretch. Missing values must match
// exactly and values to 1e-9 relative.
func TestQlibOps(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "qlib_ops.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, body := rows[0], rows[1:]
	column := func(c int) []float64 {
		out := make([]float64, len(body))
		for r, row := range body {
			out[r] = math.NaN()
			if row[c] != "" {
				v, err := strconv.ParseFloat(row[c], 64)
				if err != nil {
					t.Fatalf("row %d column %s: %v", r, header[c], err)
				}
				out[r] = v
			}
		}
		return out
	}
	s := Series{Len: len(body), Fields: map[string][]float64{"x": column(0), "y": column(1)}}
	for c := 2; c < len(header); c++ {
		src := header[c]
		t.Run(src, func(t *testing.T) {
			got, err := Eval(mustParse(t, src), s)
			if err != nil {
				t.Fatal(err)
			}
			for r, want := range column(c) {
				if !closeEnough(got[r], want, 1e-9) {
					t.Fatalf("row %d = %.17g, Qlib gives %.17g", r, got[r], want)
				}
			}
		})
	}
}
