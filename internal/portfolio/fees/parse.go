package fees

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

// ParseSchedule decodes a schedule from JSON, as stored in a database row, and
// validates it. Unknown fields are rejected so that a misspelt key does not
// silently become a zero fee. Amounts may be JSON strings or numbers.
func ParseSchedule(data []byte) (Schedule, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Schedule
	if err := dec.Decode(&s); err != nil {
		return Schedule{}, apperr.Wrap(err, apperr.Invalid, "brokerage schedule is not valid JSON")
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return Schedule{}, apperr.New(apperr.Invalid, "brokerage schedule has data after the JSON object")
	}
	if err := s.Validate(); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// Validate reports the first problem with s as an apperr Invalid error naming
// the JSON field at fault: an unknown kind, fields that do not belong to the
// kind, tiers out of order, negative or sub-cent fees, or a rate outside 0–5 %.
func (s Schedule) Validate() error {
	switch s.Kind {
	case Tiered:
		return s.validateTiered()
	case Flat:
		return s.validateFlat()
	case Percentage:
		return s.validatePercentage()
	case "":
		return apperr.FieldError("kind", "brokerage schedule needs a kind: tiered, flat or percentage")
	}
	return apperr.FieldError("kind", "unknown brokerage schedule kind %q: use tiered, flat or percentage", s.Kind)
}

func (s Schedule) validateTiered() error {
	if len(s.Tiers) == 0 {
		return apperr.FieldError("tiers", "a tiered schedule needs at least one tier")
	}
	if !s.FlatFee.IsZero() {
		return apperr.FieldError("fee", "a tiered schedule sets fees per tier, not a single fee")
	}
	prev := decimal.Zero
	for i, t := range s.Tiers {
		field := fmt.Sprintf("tiers[%d].up_to", i)
		if !t.UpTo.IsPositive() {
			return apperr.FieldError(field, "tier %d must cover a positive trade value", i+1)
		}
		if i > 0 && !t.UpTo.GreaterThan(prev) {
			return apperr.FieldError(field, "tier %d (up to %s) must be above tier %d (up to %s)",
				i+1, t.UpTo, i, prev)
		}
		if err := checkAmount(fmt.Sprintf("tiers[%d].fee", i), t.Fee); err != nil {
			return err
		}
		prev = t.UpTo
	}
	if err := s.checkRates(); err != nil {
		return err
	}
	if s.BuyRate.IsZero() && s.SellRate.IsZero() && s.Minimum.IsZero() {
		return apperr.FieldError("buy_rate", "a tiered schedule needs a rate or a minimum for trades above the last tier")
	}
	return nil
}

func (s Schedule) validateFlat() error {
	switch {
	case len(s.Tiers) > 0:
		return apperr.FieldError("tiers", "a flat schedule has no tiers")
	case !s.BuyRate.IsZero():
		return apperr.FieldError("buy_rate", "a flat schedule has no rates")
	case !s.SellRate.IsZero():
		return apperr.FieldError("sell_rate", "a flat schedule has no rates")
	case !s.Minimum.IsZero():
		return apperr.FieldError("minimum", "a flat schedule has no minimum")
	}
	return checkAmount("fee", s.FlatFee)
}

func (s Schedule) validatePercentage() error {
	if len(s.Tiers) > 0 {
		return apperr.FieldError("tiers", "a percentage schedule has no tiers")
	}
	if !s.FlatFee.IsZero() {
		return apperr.FieldError("fee", "a percentage schedule has no flat fee: use minimum")
	}
	return s.checkRates()
}

// checkRates validates the buy and sell rates and the minimum.
func (s Schedule) checkRates() error {
	if err := checkRate("buy_rate", s.BuyRate); err != nil {
		return err
	}
	if err := checkRate("sell_rate", s.SellRate); err != nil {
		return err
	}
	return checkAmount("minimum", s.Minimum)
}

// checkRate caps rates at 5 % of trade value: anything higher is far more likely
// a percentage typed as a number (0.12 for 0.12 %) than a real price.
func checkRate(field string, r decimal.Decimal) error {
	if r.IsNegative() || r.GreaterThan(decimal.New(5, -2)) {
		return apperr.FieldError(field, "rate %s is outside 0 to 0.05 (write 0.12 %% as 0.0012)", r)
	}
	return nil
}

// checkAmount requires a non-negative amount in whole cents.
func checkAmount(field string, d decimal.Decimal) error {
	if d.IsNegative() {
		return apperr.FieldError(field, "fee %s must not be negative", d)
	}
	if !d.Equal(d.Round(2)) {
		return apperr.FieldError(field, "fee %s must be in whole cents", d)
	}
	return nil
}
