package backtest_test

import (
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

func assertField(t *testing.T, err error, field string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.Invalid || ae.Field != field {
		t.Fatalf("error %v, want Invalid naming %q", err, field)
	}
	if ae.Message == "" {
		t.Errorf("error naming %s has no message", field)
	}
}
