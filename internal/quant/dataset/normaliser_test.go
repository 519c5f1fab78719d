package dataset

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
)

// robustPanel has five instruments on one day:
//
//	f0: 1 2 3 4 100        median 3,   |dev| 2 1 0 1 97      → MAD 1
//	f1: all missing        median NaN
//	f2: 1 2 3 4 NaN        median 2.5, |dev| 1.5 .5 .5 1.5   → MAD 1
func robustPanel(t *testing.T) *Panel {
	t.Helper()
	f0 := []float64{1, 2, 3, 4, 100}
	f2 := []float64{1, 2, 3, 4, nan}
	var ins []instrument
	for i, code := range []string{"A", "B", "C", "D", "E"} {
		ins = append(ins, instrument{code, dates(t, "2020-01-02"),
			[][]float64{{f0[i]}, {nan}, {f2[i]}}, []float64{float64(i)}})
	}
	return mustBuild(t, []string{"f0", "f1", "f2"}, ins...)
}

func TestFitNormaliser(t *testing.T) {
	n, err := FitNormaliser(robustPanel(t))
	if err != nil {
		t.Fatal(err)
	}
	s := (1 + 1e-12) * 1.4826
	if want := []float64{3, nan, 2.5}; !nearSlices(n.Center, want) {
		t.Errorf("Center = %v, want %v", n.Center, want)
	}
	if want := []float64{s, nan, s}; !nearSlices(n.Scale, want) {
		t.Errorf("Scale = %v, want %v", n.Scale, want)
	}
	if n.Clip != 3 {
		t.Errorf("Clip = %v, want 3", n.Clip)
	}

	t.Run("ErrEmpty", func(t *testing.T) {
		_, err := FitNormaliser(NewBuilder([]string{"f"}).Build())
		assertFieldError(t, err, "train", "")
	})
}

func TestFeatureNormaliserApply(t *testing.T) {
	raw := robustPanel(t)
	n, err := FitNormaliser(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := n.Apply(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := (1 + 1e-12) * 1.4826
	assertRows(t, p, []flatRow{
		{"2020-01-02", "A", []float64{-2 / s, 0, -1.5 / s}, 0},
		{"2020-01-02", "B", []float64{-1 / s, 0, -0.5 / s}, 1},
		{"2020-01-02", "C", []float64{0, 0, 0.5 / s}, 2},
		{"2020-01-02", "D", []float64{1 / s, 0, 1.5 / s}, 3},
		{"2020-01-02", "E", []float64{3, 0, 0}, 4}, // 97/s clipped; NaN filled
	})
	if got := raw.X(4); got[0] != 100 || !math.IsNaN(got[2]) {
		t.Errorf("Apply changed the source panel: X(4) = %v", got)
	}

	t.Run("Transform", func(t *testing.T) {
		row := []float64{math.Inf(1), 5, math.Inf(-1)}
		if err := n.Transform(row); err != nil {
			t.Fatal(err)
		}
		if want := []float64{3, 0, -3}; !nearSlices(row, want) {
			t.Errorf("Transform = %v, want %v", row, want)
		}
		assertFieldError(t, n.Transform([]float64{1}), "features", "row has 1 features; the normaliser was fitted on 3")
	})

	t.Run("ErrFeatureMismatch", func(t *testing.T) {
		other := mustBuild(t, []string{"f0", "fx", "f2"},
			instrument{"A", dates(t, "2020-01-02"), [][]float64{{1}, {2}, {3}}, nil})
		_, err := n.Apply(other)
		assertFieldError(t, err, "features", "panel feature 1 is fx; the normaliser has f1 there")
	})

	t.Run("AfterDropAndSplit", func(t *testing.T) {
		// Rows reached through a window and a drop must normalise the same
		// as the rows of the full panel.
		q := DropMissingLabel(samplePanel(t))
		m, err := FitNormaliser(q)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Apply(q)
		if err != nil {
			t.Fatal(err)
		}
		for i := range q.Len() {
			want := slices.Clone(q.X(i))
			if err := m.Transform(want); err != nil {
				t.Fatal(err)
			}
			if got := r.X(i); !nearSlices(got, want) {
				t.Errorf("row %d = %v, want %v", i, got, want)
			}
		}
	})
}

func TestFeatureNormaliserJSON(t *testing.T) {
	n := &FeatureNormaliser{
		Features: []string{"KMID", "ROC5", "VSUMP60"},
		Center:   []float64{0.25, nan, math.Inf(1)},
		Scale:    []float64{1.4826e-12, nan, math.Inf(-1)},
		Clip:     3,
	}
	data, err := json.Marshal(n)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	want := `{"method":"robust_zscore","features":["KMID","ROC5","VSUMP60"],` +
		`"center":[0.25,"NaN","+Inf"],"scale":[1.4826e-12,"NaN","-Inf"],"clip":3}`
	if string(data) != want {
		t.Errorf("JSON = %s, want %s", data, want)
	}
	var got FeatureNormaliser
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if !slices.Equal(got.Features, n.Features) || !nearSlices(got.Center, n.Center) ||
		!nearSlices(got.Scale, n.Scale) || got.Clip != n.Clip {
		t.Errorf("round trip = %+v, want %+v", got, *n)
	}

	t.Run("FittedRoundTrip", func(t *testing.T) {
		fitted, err := FitNormaliser(robustPanel(t))
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(fitted)
		if err != nil {
			t.Fatal(err)
		}
		var back FeatureNormaliser
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !nearSlices(back.Center, fitted.Center) || !nearSlices(back.Scale, fitted.Scale) {
			t.Errorf("round trip = %+v, want %+v", back, *fitted)
		}
	})

	errs := []struct {
		name, in, want string
	}{
		{"ErrMethod", `{"method":"zscore","features":[],"center":[],"scale":[],"clip":3}`, "method"},
		{"ErrLengths", `{"method":"robust_zscore","features":["a"],"center":[1,2],"scale":[1],"clip":3}`, "centres"},
		{"ErrClip", `{"method":"robust_zscore","features":[],"center":[],"scale":[],"clip":0}`, "clip"},
		{"ErrNumber", `{"method":"robust_zscore","features":["a"],"center":["x"],"scale":[1],"clip":3}`, "not a number"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var n FeatureNormaliser
			err := json.Unmarshal([]byte(tt.in), &n)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Unmarshal(%s) error = %v, want one mentioning %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"Empty", nil, nan},
		{"One", []float64{7}, 7},
		{"Odd", []float64{5, 1, 3}, 3},
		{"Even", []float64{4, 1, 3, 2}, 2.5},
		{"Duplicates", []float64{2, 2, 2, 1, 2, 3}, 2},
		{"Infinite", []float64{math.Inf(1), 1, math.Inf(1)}, math.Inf(1)},
		{"BothInfinities", []float64{math.Inf(-1), math.Inf(1)}, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(slices.Clone(tt.in)); !near(got, tt.want) {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}

	t.Run("AgainstSort", func(t *testing.T) {
		// A deterministic spread of values with many repeats.
		for n := 1; n <= 60; n++ {
			a := make([]float64, n)
			for i := range a {
				a[i] = float64((i*37 + n*11) % 7)
			}
			sorted := slices.Clone(a)
			sort.Float64s(sorted)
			want := sorted[n/2]
			if n%2 == 0 {
				want = (sorted[n/2-1] + sorted[n/2]) / 2
			}
			if got := median(a); got != want {
				t.Errorf("n=%d: median = %v, want %v", n, got, want)
			}
		}
	})
}
