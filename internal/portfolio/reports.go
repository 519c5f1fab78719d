package portfolio

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
)

// CGTReport is an account's capital gains for one financial year, worked
// through the ATO method statement with losses carried from earlier years.
type CGTReport struct {
	FY      int
	Label   string // "2024–25"
	Summary tax.Summary
	Years   []int // financial years with sales, newest first
}

var fyRe = regexp.MustCompile(`^(\d{4})(?:[-–/](\d{2}|\d{4}))?$`)

// ParseFY reads a financial year named by the year it ends ("2025") or as
// "2024-25"; "" is the current year. Years before 2000 or after next year
// are refused.
func ParseFY(raw string, today time.Time) (int, error) {
	current := tax.FinancialYear(today)
	if raw == "" {
		return current, nil
	}
	m := fyRe.FindStringSubmatch(raw)
	bad := apperr.FieldError("fy", "Unknown financial year %q: use the year it ends, such as 2025 for 2024–25.", clip(raw))
	if m == nil {
		return 0, bad
	}
	y, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		end, _ := strconv.Atoi(m[2])
		if len(m[2]) == 2 {
			end += (y + 1) / 100 * 100
		}
		if end != y+1 {
			return 0, bad
		}
		y = end
	}
	if y < 2000 || y > current+1 {
		return 0, apperr.FieldError("fy", "Financial year %d is out of range: choose 2000 to %d.", y, current+1)
	}
	return y, nil
}

// Disposals returns a's CGT events (current generation) as tax disposals.
func (s *Service) Disposals(ctx context.Context, a Account) ([]tax.Disposal, error) {
	rows, err := s.q.ListDisposals(ctx, db.ListDisposalsParams{AccountID: a.ID, Generation: a.Generation})
	if err != nil {
		return nil, err
	}
	out := make([]tax.Disposal, len(rows))
	for i, r := range rows {
		out[i] = tax.Disposal{ParcelID: r.ParcelID, Code: r.Code, Quantity: r.Quantity, Acquired: asx.Civil(r.Acquired),
			Sold: asx.Civil(r.Sold), CostBase: r.CostBase, Proceeds: r.Proceeds, Gain: r.Gain,
			Discountable: r.Discountable, Method: tax.Method(r.Method)}
	}
	return out, nil
}

// CGT returns the report of financial year fy. Net capital losses of earlier
// years are carried into it, year by year.
func (s *Service) CGT(ctx context.Context, a Account, fy int) (CGTReport, error) {
	ds, err := s.Disposals(ctx, a)
	if err != nil {
		return CGTReport{}, err
	}
	return Report(ds, fy), nil
}

// Report works out financial year fy from every disposal.
func Report(ds []tax.Disposal, fy int) CGTReport {
	r := CGTReport{FY: fy, Label: tax.FYLabel(fy)}
	for _, d := range ds {
		if y := tax.FinancialYear(d.Sold); !slices.Contains(r.Years, y) {
			r.Years = append(r.Years, y)
		}
	}
	slices.Sort(r.Years)
	carry := decimal.Zero
	for _, y := range r.Years {
		if y >= fy {
			break
		}
		carry = tax.Summarise(ds, y, carry, DiscountRate).LossCarriedForward
	}
	r.Summary = tax.Summarise(ds, fy, carry, DiscountRate)
	slices.Reverse(r.Years)
	return r
}

// CSV writes the report as the CGT schedule CSV.
func (r CGTReport) CSV(w io.Writer) error { return tax.CSV(w, r.Summary) }
