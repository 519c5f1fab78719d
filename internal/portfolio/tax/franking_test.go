package tax

import (
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestFrankingCredit(t *testing.T) {
	tests := []struct {
		name                      string
		dividend, pct, rate       string
		wantCredit, wantGrossedUp string
	}{
		{"half franked at 30 %", "10000", "50", "0.30", "2142.86", "12142.86"},
		{"fully franked at 30 %", "10000", "100", "0.30", "4285.71", "14285.71"},
		{"fully franked at 25 %", "1000", "100", "0.25", "333.33", "1333.33"},
		{"70 cents fully franked", "0.70", "100", "0.3", "0.30", "1.00"},
		{"unfranked", "10000", "0", "0.30", "0", "10000"},
		{"no dividend", "0", "100", "0.30", "0", "0"},
		{"no company tax", "500", "100", "0", "0", "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dividend, pct, rate := testenv.Decimal(t, tt.dividend), testenv.Decimal(t, tt.pct), testenv.Decimal(t, tt.rate)
			credit, err := FrankingCredit(dividend, pct, rate)
			if err != nil {
				t.Fatalf("FrankingCredit: %v", err)
			}
			assertDecimal(t, "FrankingCredit", credit, tt.wantCredit)
			grossed, err := GrossUp(dividend, pct, rate)
			if err != nil {
				t.Fatalf("GrossUp: %v", err)
			}
			assertDecimal(t, "GrossUp", grossed, tt.wantGrossedUp)
		})
	}
}

func TestFrankingCreditInvalid(t *testing.T) {
	tests := []struct {
		name                string
		dividend, pct, rate string
		field               string
	}{
		{"negative dividend", "-1", "100", "0.30", "dividend"},
		{"percentage above 100", "100", "101", "0.30", "franked_pct"},
		{"negative percentage", "100", "-1", "0.30", "franked_pct"},
		{"rate of one", "100", "100", "1", "company_tax_rate"},
		{"rate as a percentage", "100", "100", "30", "company_tax_rate"},
		{"negative rate", "100", "100", "-0.1", "company_tax_rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dividend, pct, rate := testenv.Decimal(t, tt.dividend), testenv.Decimal(t, tt.pct), testenv.Decimal(t, tt.rate)
			_, err := FrankingCredit(dividend, pct, rate)
			assertAppErr(t, err, apperr.Invalid, tt.field)
			_, err = GrossUp(dividend, pct, rate)
			assertAppErr(t, err, apperr.Invalid, tt.field)
		})
	}
}
