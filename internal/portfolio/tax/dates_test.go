package tax

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestDiscountEligible(t *testing.T) {
	tests := []struct {
		name     string
		acquired string
		sold     string
		want     bool
	}{
		{"twelve months less a day", "2024-07-01", "2025-06-30", false},
		{"anniversary is one day short", "2024-07-01", "2025-07-01", false},
		{"day after anniversary", "2024-07-01", "2025-07-02", true},
		{"year end", "2023-12-31", "2024-12-31", false},
		{"year end qualifies", "2023-12-31", "2025-01-01", true},
		{"leap day anniversary short", "2024-02-29", "2025-02-28", false},
		{"leap day qualifies on 1 March", "2024-02-29", "2025-03-01", true},
		{"28 Feb in a leap year short", "2024-02-28", "2025-02-28", false},
		{"28 Feb in a leap year qualifies", "2024-02-28", "2025-03-01", true},
		{"over a leap day short", "2023-02-28", "2024-02-29", false},
		{"over a leap day qualifies", "2023-02-28", "2024-03-01", true},
		{"same day", "2024-07-01", "2024-07-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DiscountEligible(testenv.Date(t, tt.acquired), testenv.Date(t, tt.sold)); got != tt.want {
				t.Errorf("DiscountEligible(%s, %s) = %v, want %v", tt.acquired, tt.sold, got, tt.want)
			}
		})
	}
}

func TestDiscountDate(t *testing.T) {
	tests := []struct{ acquired, want string }{
		{"2024-07-01", "2025-07-02"},
		{"2024-02-29", "2025-03-01"},
		{"2024-02-28", "2025-03-01"},
		{"2023-02-28", "2024-03-01"},
		{"2023-12-31", "2025-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.acquired, func(t *testing.T) {
			if got, want := DiscountDate(testenv.Date(t, tt.acquired)), testenv.Date(t, tt.want); !got.Equal(want) {
				t.Errorf("DiscountDate(%s) = %s, want %s", tt.acquired, got.Format(dateLayout), tt.want)
			}
		})
	}
}

func TestCivilDatesReadTheirOwnLocation(t *testing.T) {
	sydney := time.FixedZone("AEST", 10*60*60)
	// 09:00 on 1 July in Sydney is still 30 June in UTC.
	bought := time.Date(2024, time.July, 1, 9, 0, 0, 0, sydney)
	if got := DiscountEligible(bought, testenv.Date(t, "2025-07-01")); got {
		t.Errorf("DiscountEligible(1 Jul 2024 AEST, 2025-07-01) = true, want false")
	}
	if got, want := FinancialYear(bought), 2025; got != want {
		t.Errorf("FinancialYear(1 Jul 2024 AEST) = %d, want %d", got, want)
	}
}

func TestFinancialYear(t *testing.T) {
	tests := []struct {
		date string
		want int
	}{
		{"2024-07-01", 2025},
		{"2025-01-15", 2025},
		{"2025-06-30", 2025},
		{"2025-07-01", 2026},
		{"2024-12-31", 2025},
		{"2024-06-30", 2024},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			if got := FinancialYear(testenv.Date(t, tt.date)); got != tt.want {
				t.Errorf("FinancialYear(%s) = %d, want %d", tt.date, got, tt.want)
			}
		})
	}
}

func TestFYRange(t *testing.T) {
	start, end := FYRange(2025)
	if want := testenv.Date(t, "2024-07-01"); !start.Equal(want) {
		t.Errorf("FYRange(2025) start = %s, want %s", start, want)
	}
	if want := testenv.Date(t, "2025-06-30"); !end.Equal(want) {
		t.Errorf("FYRange(2025) end = %s, want %s", end, want)
	}
	if got := FinancialYear(start); got != 2025 {
		t.Errorf("FinancialYear(start) = %d, want 2025", got)
	}
	if got := FinancialYear(end); got != 2025 {
		t.Errorf("FinancialYear(end) = %d, want 2025", got)
	}
}

func TestFYLabel(t *testing.T) {
	tests := []struct {
		fy   int
		want string
	}{
		{2025, "2024–25"},
		{2010, "2009–10"},
		{2000, "1999–00"},
		{2001, "2000–01"},
	}
	for _, tt := range tests {
		if got := FYLabel(tt.fy); got != tt.want {
			t.Errorf("FYLabel(%d) = %q, want %q", tt.fy, got, tt.want)
		}
	}
}
