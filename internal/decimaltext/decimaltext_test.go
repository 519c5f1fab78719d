package decimaltext

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	long := "1" + strings.Repeat("0", 200_000)
	tests := []struct {
		in      string
		want    string // "" when an error is expected
		wantErr error
	}{
		{"100", "100", nil},
		{"45.10", "45.1", nil},
		{"-3", "-3", nil},
		{"1e3", "1000", nil},
		{".5", "0.5", nil},
		{strings.Repeat("9", MaxLen), strings.Repeat("9", MaxLen), nil},
		{strings.Repeat("9", MaxLen+1), "", ErrTooLong},
		{long, "", ErrTooLong},
		{"0." + long, "", ErrTooLong},
		{"1e33", "", ErrTooLong},
		{"1e-33", "", ErrTooLong},
		{"1e9000", "", ErrTooLong},
		{"", "", ErrSyntax},
		{"abc", "", ErrSyntax},
		{"1..2", "", ErrSyntax},
		{"1e", "", ErrSyntax},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse = %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("Parse = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// The audit's numbers (docs/benchmarks.md): decimal.NewFromString on a
// quantity of N digits, against Parse, which refuses it unread.
func BenchmarkParseLongDigits(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"200k", 200_000}, {"800k", 800_000}} {
		s := "1" + strings.Repeat("0", size.n-1)
		b.Run("NewFromString/"+size.name, func(b *testing.B) {
			for b.Loop() {
				_, _ = decimal.NewFromString(s)
			}
		})
		b.Run("Parse/"+size.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(s); !errors.Is(err, ErrTooLong) {
					b.Fatal(err)
				}
			}
		})
	}
}
