package fees

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// FuzzParseSchedule checks schedule JSON: no panic; every refusal an
// Invalid error; an accepted schedule valid, charging whole, non-negative
// cents on either side of its bands, and the same after a JSON round trip.
func FuzzParseSchedule(f *testing.F) {
	for _, name := range Names() {
		s, _ := Named(name)
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	for _, s := range []string{
		`{"kind":"flat","fee":9.5}`,
		`{"kind":"percentage","buy_rate":"0.0005","sell_rate":0.0015,"minimum":"5"}`,
		`{"kind":"tiered","tiers":[{"up_to":1000,"fee":5},{"up_to":500,"fee":10}],"buy_rate":0.001}`,
		`{"kind":"flat","fee":-1}`,
		`{"kind":"flat","fee":"0.001"}`,
		`{"kind":"percentage","buy_rate":0.12}`,
		`{"kind":"flat","fee":1,"buy_rate":0.001}`,
		`{"kind":"flat","fee":1}{}`,
		`{"kind":"flat","fees":1}`,
		`{"kind":"tiered","tiers":[{"up_to":"1e10000","fee":"1e-10000"}],"minimum":5}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	values := []decimal.Decimal{decimal.New(1, -2), decimal.NewFromInt(999), decimal.NewFromInt(1000),
		decimal.New(2500001, -2), decimal.NewFromInt(1_000_000)}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSchedule(data)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("ParseSchedule error %v is not Invalid", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted schedule does not validate: %v", err)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSchedule(b)
		if err != nil {
			t.Fatalf("%s written back is refused: %v", b, err)
		}
		trades := values
		for _, tier := range s.Tiers {
			trades = append(trades, tier.UpTo, tier.UpTo.Add(decimal.New(1, -2)))
		}
		for _, side := range []Side{Buy, Sell} {
			for _, v := range trades {
				fee := s.Fee(side, v)
				if fee.IsNegative() || !fee.Equal(fee.Round(2)) {
					t.Fatalf("%s of %s costs %s", side, v, fee)
				}
				if got := again.Fee(side, v); !got.Equal(fee) {
					t.Fatalf("%s of %s costs %s, %s after a round trip", side, v, fee, got)
				}
			}
		}
	})
}
