package tax

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func mustParcel(t *testing.T, id int64, code, acquired, quantity, costBase string) Parcel {
	t.Helper()
	return Parcel{
		ID:       id,
		Code:     code,
		Acquired: testenv.Date(t, acquired),
		Quantity: testenv.Decimal(t, quantity),
		CostBase: testenv.Decimal(t, costBase),
	}
}

func assertDecimal(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(testenv.Decimal(t, want)) {
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
