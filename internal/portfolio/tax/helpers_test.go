package tax

import (
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/shopspring/decimal"
)

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

func mustDecimal(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}
	return d
}

func mustParcel(t *testing.T, id int64, code, acquired, quantity, costBase string) Parcel {
	t.Helper()
	return Parcel{
		ID:       id,
		Code:     code,
		Acquired: mustDate(t, acquired),
		Quantity: mustDecimal(t, quantity),
		CostBase: mustDecimal(t, costBase),
	}
}

func assertDecimal(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(mustDecimal(t, want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// assertAppErr checks err's code and, when field is not empty, its field.
func assertAppErr(t *testing.T, err error, code apperr.Code, field string) *apperr.Error {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error = %v, want *apperr.Error with code %q", err, code)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if field != "" && e.Field != field {
		t.Errorf("field = %q, want %q (message %q)", e.Field, field, e.Message)
	}
	return e
}
