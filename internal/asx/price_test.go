package asx

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestTickSize(t *testing.T) {
	tests := []struct {
		price string
		want  string
	}{
		{"0.001", "0.001"},
		{"0.099", "0.001"},
		{"0.10", "0.001"}, // "up to 10c" includes 10c
		{"0.1005", "0.005"},
		{"0.105", "0.005"},
		{"1.00", "0.005"},
		{"1.995", "0.005"},
		{"1.9999", "0.005"},
		{"2.00", "0.01"}, // "$2.00 and above"
		{"2.005", "0.01"},
		{"150.25", "0.01"},
	}
	for _, tt := range tests {
		if got := TickSize(testenv.Decimal(t, tt.price)); !got.Equal(testenv.Decimal(t, tt.want)) {
			t.Errorf("TickSize(%s) = %s, want %s", tt.price, got, tt.want)
		}
	}
}

func TestValidatePrice(t *testing.T) {
	tests := []struct {
		price   string
		wantMsg string // empty when valid
	}{
		{"0.001", ""},
		{"0.099", ""},
		{"0.10", ""},
		{"0.105", ""},
		{"1.995", ""},
		{"2.00", ""},
		{"2.01", ""},
		{"123.45", ""},
		{"2.005", "price 2.005 is not on the ASX price step of $0.01; nearest valid prices are 2.00 and 2.01"},
		{"0.1005", "price 0.1005 is not on the ASX price step of $0.005; nearest valid prices are 0.100 and 0.105"},
		{"0.101", "price 0.101 is not on the ASX price step of $0.005; nearest valid prices are 0.100 and 0.105"},
		{"0.0995", "price 0.0995 is not on the ASX price step of $0.001; nearest valid prices are 0.099 and 0.100"},
		{"1.997", "price 1.997 is not on the ASX price step of $0.005; nearest valid prices are 1.995 and 2.000"},
		{"0.0004", "price 0.0004 is not on the ASX price step of $0.001; the nearest valid price is 0.001"},
		{"0", "price must be greater than zero"},
		{"-1.50", "price must be greater than zero"},
	}
	for _, tt := range tests {
		t.Run(tt.price, func(t *testing.T) {
			err := ValidatePrice(testenv.Decimal(t, tt.price))
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ValidatePrice(%s) = %v, want nil", tt.price, err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("ValidatePrice(%s) = %v, want an *apperr.Error", tt.price, err)
			}
			if e.Code != apperr.Invalid || e.Field != "price" || e.Message != tt.wantMsg {
				t.Errorf("ValidatePrice(%s) = {%s, %q, %q}, want {invalid, \"price\", %q}", tt.price, e.Code, e.Field, e.Message, tt.wantMsg)
			}
		})
	}
}

func TestRoundToTick(t *testing.T) {
	tests := []struct {
		price string
		mode  RoundMode
		want  string
	}{
		{"2.004", Nearest, "2.00"},
		{"2.005", Nearest, "2.01"}, // halfway rounds up
		{"2.005", Down, "2.00"},
		{"2.001", Up, "2.01"},
		{"2.00", Up, "2.00"},
		{"1.995", Nearest, "1.995"},
		{"1.996", Down, "1.995"},
		{"1.996", Up, "2.000"},
		{"1.9975", Nearest, "2.00"},
		{"1.9974", Nearest, "1.995"},
		{"0.1005", Nearest, "0.100"},
		{"0.1025", Nearest, "0.105"},
		{"0.1005", Up, "0.105"},
		{"0.0995", Nearest, "0.100"},
		{"0.0994", Nearest, "0.099"},
		{"0.0004", Nearest, "0.001"}, // never below the smallest price
		{"0", Down, "0.001"},
		{"-3", Up, "0.001"},
		{"10", Nearest, "10"},
	}
	for _, tt := range tests {
		got := RoundToTick(testenv.Decimal(t, tt.price), tt.mode)
		if !got.Equal(testenv.Decimal(t, tt.want)) {
			t.Errorf("RoundToTick(%s, %d) = %s, want %s", tt.price, tt.mode, got, tt.want)
		}
	}
}

func TestTickSizeFloat(t *testing.T) {
	tests := []struct {
		price float64
		want  float64
	}{
		{0.05, 0.001},
		{0.1, 0.001},
		{0.30000000000000004 - 0.2, 0.001}, // 0.10000000000000003: binary noise, still 10c
		{0.1005, 0.005},
		{1.995, 0.005},
		{2.0, 0.01},
		{2 - 1e-12, 0.01}, // 1.999999999999: noise below 2.00
		{45.67, 0.01},
	}
	for _, tt := range tests {
		if got := TickSizeFloat(tt.price); got != tt.want {
			t.Errorf("TickSizeFloat(%v) = %v, want %v", tt.price, got, tt.want)
		}
	}
}

func TestRoundFloatToTick(t *testing.T) {
	tests := []struct {
		price float64
		want  string
	}{
		{2.005, "2.01"},
		{2.0099999999, "2.01"},
		{2.004, "2"},
		{1.9975, "2"},
		{1.996, "1.995"},
		{0.1005, "0.1"},
		{0.1025, "0.105"},
		{0.0995, "0.1"},
		{0.0001, "0.001"},
		{-1, "0.001"},
		{33.333333, "33.33"},
		{math.Inf(1), "+Inf"},
		{math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		got := RoundFloatToTick(tt.price)
		if s := strconv.FormatFloat(got, 'f', -1, 64); s != tt.want {
			t.Errorf("RoundFloatToTick(%v) = %s, want %s", tt.price, s, tt.want)
		}
	}
}

// checkRounding asserts the properties every rounding of p must have.
func checkRounding(t *testing.T, p decimal.Decimal) {
	t.Helper()
	nearest := RoundToTick(p, Nearest)
	if err := ValidatePrice(nearest); err != nil {
		t.Fatalf("RoundToTick(%s, Nearest) = %s, which ValidatePrice rejects: %v", p, nearest, err)
	}
	if p.LessThan(smallestPrice) {
		return
	}
	down, up := RoundToTick(p, Down), RoundToTick(p, Up)
	for _, r := range []decimal.Decimal{down, up} {
		if err := ValidatePrice(r); err != nil {
			t.Fatalf("rounding %s gave %s, which ValidatePrice rejects: %v", p, r, err)
		}
	}
	if down.GreaterThan(p) || up.LessThan(p) {
		t.Fatalf("RoundToTick(%s): Down %s and Up %s do not bracket it", p, down, up)
	}
	if tick := TickSize(p); up.Sub(down).GreaterThan(tick) {
		t.Fatalf("RoundToTick(%s): Down %s and Up %s are more than one step %s apart", p, down, up, tick)
	}
	if !nearest.Equal(down) && !nearest.Equal(up) {
		t.Fatalf("RoundToTick(%s, Nearest) = %s, neither Down %s nor Up %s", p, nearest, down, up)
	}
	if nearest.Sub(p).Abs().GreaterThan(p.Sub(down).Abs()) || nearest.Sub(p).Abs().GreaterThan(up.Sub(p).Abs()) {
		t.Fatalf("RoundToTick(%s, Nearest) = %s is not the closer of %s and %s", p, nearest, down, up)
	}
}

// TestRoundingProperties checks random prices at every precision up to eight
// places, and that the float helper agrees with the decimal rounding.
func TestRoundingProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 47))
	for range 20000 {
		places := rng.IntN(9)
		// Up to $5,000 with the chosen number of decimal places.
		p := decimal.New(rng.Int64N(5000*int64(math.Pow10(places)))+1, -int32(places))
		checkRounding(t, p)

		// Any float, not only short decimals, must round to a valid price.
		f := rng.Float64() * 5000
		if err := ValidatePrice(decimal.NewFromFloat(RoundFloatToTick(f))); err != nil {
			t.Fatalf("RoundFloatToTick(%v) = %v, which ValidatePrice rejects: %v", f, RoundFloatToTick(f), err)
		}

		want := RoundToTick(p, Nearest)
		got := RoundFloatToTick(p.InexactFloat64())
		if !decimal.NewFromFloat(got).Equal(want) {
			t.Fatalf("RoundFloatToTick(%s) = %v, want %s", p, got, want)
		}
	}
}

func FuzzRoundToTick(f *testing.F) {
	f.Add(int64(2005), uint8(3))
	f.Add(int64(1005), uint8(4))
	f.Add(int64(19975), uint8(4))
	f.Add(int64(4), uint8(4))
	f.Add(int64(0), uint8(0))
	f.Add(int64(-5), uint8(1))
	f.Fuzz(func(t *testing.T, units int64, places uint8) {
		checkRounding(t, decimal.New(units, -int32(places%16)))
	})
}
