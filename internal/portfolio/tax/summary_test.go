package tax

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// row is a disposal reduced to what Summarise reads.
type row struct {
	sold         string
	gain         string
	discountable bool
}

func mustDisposals(t *testing.T, rows []row) []Disposal {
	t.Helper()
	out := make([]Disposal, 0, len(rows))
	for i, r := range rows {
		out = append(out, Disposal{
			ParcelID:     int64(i + 1),
			Code:         "BHP",
			Sold:         testenv.Date(t, r.sold),
			Gain:         testenv.Decimal(t, r.gain),
			Discountable: r.discountable,
		})
	}
	return out
}

func TestSummarise(t *testing.T) {
	half := decimal.New(5, -1)
	third := decimal.NewFromInt(1).Div(decimal.NewFromInt(3))
	type want struct {
		discountable, other, current, againstOther, againstDiscountable, discount, net, carried string
	}
	tests := []struct {
		name  string
		rows  []row
		prior string
		rate  decimal.Decimal
		want  want
	}{
		{"loss offset before discount", []row{
			{"2025-03-01", "10000", true}, {"2025-04-01", "-4000", false},
		}, "0", half, want{"10000", "0", "4000", "0", "4000", "3000", "3000", "0"}},
		{"losses against other gains first", []row{
			{"2025-03-01", "10000", true}, {"2025-03-02", "5000", false}, {"2025-04-01", "-4000", false},
		}, "0", half, want{"10000", "5000", "4000", "4000", "0", "5000", "6000", "0"}},
		{"losses spill into discountable gains", []row{
			{"2025-03-01", "10000", true}, {"2025-03-02", "1000", false}, {"2025-04-01", "-3000", false},
		}, "0", half, want{"10000", "1000", "3000", "1000", "2000", "4000", "4000", "0"}},
		{"prior losses after current", []row{
			{"2025-03-01", "10000", true}, {"2025-03-02", "2000", false}, {"2025-04-01", "-1000", false},
		}, "5000", half, want{"10000", "2000", "1000", "2000", "4000", "3000", "3000", "0"}},
		{"net loss carried forward", []row{
			{"2025-03-02", "2000", false}, {"2025-04-01", "-5000", false},
		}, "1000", half, want{"0", "2000", "5000", "2000", "0", "0", "0", "4000"}},
		{"prior losses partly used", []row{
			{"2025-03-01", "3000", true},
		}, "5000", half, want{"3000", "0", "0", "0", "3000", "0", "0", "2000"}},
		{"no discount for companies", []row{
			{"2025-03-01", "10000", true},
		}, "0", decimal.Zero, want{"10000", "0", "0", "0", "0", "0", "10000", "0"}},
		{"one third for super funds", []row{
			{"2025-03-01", "9000", true},
		}, "0", third, want{"9000", "0", "0", "0", "0", "3000", "6000", "0"}},
		{"discount rounds half a cent up", []row{
			{"2025-03-01", "1000.01", true},
		}, "0", half, want{"1000.01", "0", "0", "0", "0", "500.01", "500.00", "0"}},
		{"negative prior losses count as none", []row{
			{"2025-03-01", "100", false},
		}, "-50", half, want{"0", "100", "0", "0", "0", "0", "100", "0"}},
		{"rate above one is clamped", []row{
			{"2025-03-01", "100", true},
		}, "0", decimal.NewFromInt(2), want{"100", "0", "0", "0", "0", "100", "0", "0"}},
		{"nothing sold", nil, "700", half, want{"0", "0", "0", "0", "0", "0", "0", "700"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarise(mustDisposals(t, tt.rows), 2025, testenv.Decimal(t, tt.prior), tt.rate)
			assertDecimal(t, "DiscountableGains", s.DiscountableGains, tt.want.discountable)
			assertDecimal(t, "OtherGains", s.OtherGains, tt.want.other)
			if got, want := s.TotalGains, s.DiscountableGains.Add(s.OtherGains); !got.Equal(want) {
				t.Errorf("TotalGains = %s, want %s", got, want)
			}
			assertDecimal(t, "CurrentLosses", s.CurrentLosses, tt.want.current)
			assertDecimal(t, "LossesAgainstOther", s.LossesAgainstOther, tt.want.againstOther)
			assertDecimal(t, "LossesAgainstDiscountable", s.LossesAgainstDiscountable, tt.want.againstDiscountable)
			if got, want := s.LossesApplied(), s.LossesAgainstOther.Add(s.LossesAgainstDiscountable); !got.Equal(want) {
				t.Errorf("LossesApplied() = %s, want %s", got, want)
			}
			assertDecimal(t, "Discount", s.Discount, tt.want.discount)
			assertDecimal(t, "NetCapitalGain", s.NetCapitalGain, tt.want.net)
			assertDecimal(t, "LossCarriedForward", s.LossCarriedForward, tt.want.carried)
			if got, want := len(s.Disposals), len(tt.rows); got != want {
				t.Errorf("len(Disposals) = %d, want %d", got, want)
			}
		})
	}
}

func TestSummariseFinancialYearBoundary(t *testing.T) {
	disposals := mustDisposals(t, []row{
		{"2025-07-01", "200", false},
		{"2025-06-30", "100", false},
		{"2024-06-30", "50", false},
	})
	tests := []struct {
		fy      int
		gains   string
		parcels []int64
	}{
		{2024, "50", []int64{3}},
		{2025, "100", []int64{2}},
		{2026, "200", []int64{1}},
		{2027, "0", nil},
	}
	for _, tt := range tests {
		t.Run(FYLabel(tt.fy), func(t *testing.T) {
			s := Summarise(disposals, tt.fy, decimal.Zero, decimal.New(5, -1))
			if s.FY != tt.fy {
				t.Errorf("FY = %d, want %d", s.FY, tt.fy)
			}
			assertDecimal(t, "TotalGains", s.TotalGains, tt.gains)
			if len(s.Disposals) != len(tt.parcels) {
				t.Fatalf("len(Disposals) = %d, want %d", len(s.Disposals), len(tt.parcels))
			}
			for i, d := range s.Disposals {
				if d.ParcelID != tt.parcels[i] {
					t.Errorf("disposal %d parcel = %d, want %d", i, d.ParcelID, tt.parcels[i])
				}
			}
		})
	}
}

func TestSummariseSortsBySaleDate(t *testing.T) {
	disposals := mustDisposals(t, []row{
		{"2025-05-01", "1", false},
		{"2024-08-01", "1", false},
		{"2025-05-01", "1", false},
	})
	s := Summarise(disposals, 2025, decimal.Zero, decimal.New(5, -1))
	want := []int64{2, 1, 3}
	for i, d := range s.Disposals {
		if d.ParcelID != want[i] {
			t.Errorf("disposal %d parcel = %d, want %d", i, d.ParcelID, want[i])
		}
	}
}
