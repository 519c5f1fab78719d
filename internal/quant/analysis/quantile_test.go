package analysis

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

func TestBucketSizes(t *testing.T) {
	// Sizes follow pandas' qcut on ranks 1..n: edges 1 + j(n-1)/k, right-closed.
	tests := []struct {
		n, k int
		want []int
	}{
		{n: 5, k: 5, want: []int{1, 1, 1, 1, 1}},
		{n: 6, k: 5, want: []int{2, 1, 1, 1, 1}},  // edges 1 2 3 4 5 6
		{n: 7, k: 5, want: []int{2, 1, 1, 1, 2}},  // edges 1 2.2 3.4 4.6 5.8 7
		{n: 10, k: 5, want: []int{2, 2, 2, 2, 2}}, // edges 1 2.8 4.6 6.4 8.2 10
		{n: 11, k: 5, want: []int{3, 2, 2, 2, 2}}, // edges 1 3 5 7 9 11
		{n: 203, k: 5, want: []int{41, 40, 41, 40, 41}},
		{n: 2, k: 2, want: []int{1, 1}},
		{n: 12, k: 10, want: []int{2, 1, 1, 1, 1, 1, 1, 1, 1, 2}},
	}
	for _, tt := range tests {
		sizes := make([]int, tt.k)
		prev := 0
		for r := 1; r <= tt.n; r++ {
			b := bucket(r, tt.n, tt.k)
			if b < prev {
				t.Fatalf("n=%d k=%d: rank %d fell to bucket %d after bucket %d", tt.n, tt.k, r, b, prev)
			}
			prev = b
			sizes[b]++
		}
		if !slices.Equal(sizes, tt.want) {
			t.Errorf("n=%d k=%d: bucket sizes %v, want %v", tt.n, tt.k, sizes, tt.want)
		}
	}
}

func TestQuantiles(t *testing.T) {
	// Day 1: seven instruments, returns 10 × score, so bucket means are
	// (1+2)/2, 3, 4, 5, (6+7)/2 for sizes 2, 1, 1, 1, 2.
	// Day 2: five instruments with tied scores, ranked in input order, plus
	// one missing return; each bucket holds one instrument.
	// Day 3: four instruments, fewer than k: skipped.
	dates, score, ret := rows(t,
		day{"2020-01-02", []float64{0.7, 0.1, 0.5, 0.3, 0.6, 0.2, 0.4}, []float64{7, 1, 5, 3, 6, 2, 4}},
		day{"2020-01-03", []float64{1, 1, 1, 2, 2, 0}, []float64{1, 2, 3, 4, 5, nan}},
		day{"2020-01-06", []float64{1, 2, 3, 4}, []float64{1, 2, 3, 4}},
	)
	got, err := Quantiles(dates, score, ret, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got.K != 5 || got.Days != 2 || len(got.Daily) != 2 {
		t.Fatalf("K %d, Days %d, Daily %d; want 5, 2, 2", got.K, got.Days, len(got.Daily))
	}
	wantDaily := [][]float64{{1.5, 3, 4, 5, 6.5}, {1, 2, 3, 4, 5}}
	for i, want := range wantDaily {
		d := got.Daily[i]
		if !nearAll(d.Mean, want) {
			t.Errorf("day %d bucket means = %v, want %v", i, d.Mean, want)
		}
		if d.N != 7-2*i {
			t.Errorf("day %d N = %d, want %d", i, d.N, 7-2*i)
		}
	}
	if want := []float64{1.25, 2.5, 3.5, 4.5, 5.75}; !nearAll(got.Mean, want) {
		t.Errorf("Mean = %v, want %v", got.Mean, want)
	}
	if !near(got.LongShort, 4.5) {
		t.Errorf("LongShort = %v, want 4.5", got.LongShort)
	}
	if got := got.Daily[0].LongShort(); !near(got, 5) {
		t.Errorf("day 1 LongShort = %v, want 5", got)
	}

	t.Run("NoUsableDay", func(t *testing.T) {
		dates, score, ret := rows(t, day{"2020-01-02", []float64{1, 2}, []float64{1, 2}})
		got, err := Quantiles(dates, score, ret, 5)
		if err != nil {
			t.Fatal(err)
		}
		if got.Days != 0 || !math.IsNaN(got.LongShort) || !math.IsNaN(got.Mean[0]) {
			t.Errorf("Quantiles with no usable day = %+v, want NaN means", got)
		}
	})

	t.Run("ErrTooFewBuckets", func(t *testing.T) {
		_, err := Quantiles(dates, score, ret, 1)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Field != "quantiles" {
			t.Errorf("error = %v, want an invalid quantiles field error", err)
		}
	})
}

func nearAll(a, b []float64) bool {
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
