package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestLongNumbersAreRefusedOverHTTP: the audit's 200,000-digit quantity, as
// a JSON number and as a form field, gets the field's "too long" message.
func TestLongNumbersAreRefusedOverHTTP(t *testing.T) {
	_, b, _ := paperApp(t)
	tok := b.mustAPIToken("digits@example.com", "D")
	digits := "1" + strings.Repeat("0", 200_000)

	for name, body := range map[string]string{
		"JSON number": `{"code":"BHP","side":"buy","quantity":` + digits + `}`,
		"JSON string": `{"code":"BHP","side":"buy","type":"limit","quantity":"1","limit_price":"` + digits + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			code, res, _ := b.api("POST", "/api/v1/orders", tok, body)
			if code != 400 {
				t.Fatalf("status %d, want 400: %.300s", code, res)
			}
			errs, _ := mustJSON(t, res)["errors"].(map[string]any)
			msg := ""
			for _, f := range []string{"quantity", "limit_price"} {
				if m, ok := errs[f].(string); ok {
					msg = m
				}
			}
			if !strings.Contains(msg, "too long") {
				t.Errorf("errors = %v, want a field saying the value is too long", errs)
			}
		})
	}
	t.Run("starting balance form", func(t *testing.T) {
		b.get("/portfolio/accounts")
		res := b.htmxPost("/portfolio/accounts", url.Values{"name": {"Long"}, "starting_balance": {digits}, "fee_schedule": {"commsec"}, "method": {"fifo"}})
		if res.StatusCode != 422 {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		if got := mustDoc(t, res.body).Find(`[data-testid="error-starting_balance"]`).Text(); !strings.Contains(got, "too long") {
			t.Errorf("inline error = %q", got)
		}
	})
}
