package tax

import (
	"fmt"
	"time"

	"github.com/qlibpro/qlibpro/internal/asx"
)

// DiscountDate returns the first sale date on which shares acquired on
// acquired qualify for the CGT discount.
//
// The ATO requires the shares to be held for at least 12 months not counting
// the day of acquisition or the day of disposal. The 12 months therefore
// start the day after acquisition and must end before the day of sale, so the
// first qualifying sale date is (acquired + 1 day) + 12 calendar months:
// bought 1 July 2024, the first discountable sale is 2 July 2025.
//
// Where that day does not exist the date rolls forward: shares bought on
// 28 or 29 February 2024 count from 29 February or 1 March 2024 and first
// qualify on 1 March 2025, the day after the 12 months (to 28 February 2025)
// are complete.
func DiscountDate(acquired time.Time) time.Time {
	return asx.Civil(acquired).AddDate(0, 0, 1).AddDate(1, 0, 0)
}

// DiscountEligible reports whether shares acquired on acquired and sold on
// sold were held long enough for the CGT discount. Whether a sale made a gain
// (only gains are discounted) is for the caller to decide.
func DiscountEligible(acquired, sold time.Time) bool {
	return !asx.Civil(sold).Before(DiscountDate(acquired))
}

// FinancialYear returns the Australian financial year containing d, named by
// the calendar year in which it ends: 1 July 2024 to 30 June 2025 is 2025.
func FinancialYear(d time.Time) int {
	y, m, _ := d.Date()
	if m >= time.July {
		return y + 1
	}
	return y
}

// FYRange returns the first and last days of financial year fy as civil dates
// at midnight UTC; both days belong to the year.
func FYRange(fy int) (start, end time.Time) {
	return time.Date(fy-1, time.July, 1, 0, 0, 0, 0, time.UTC),
		time.Date(fy, time.June, 30, 0, 0, 0, 0, time.UTC)
}

// FYLabel returns the ATO's label for financial year fy, such as "2024–25"
// (with an en dash) for 2025.
func FYLabel(fy int) string {
	return fmt.Sprintf("%d–%02d", fy-1, fy%100)
}
