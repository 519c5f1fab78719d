package fees

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

func mustNamed(t *testing.T, name string) Schedule {
	t.Helper()
	s, err := Named(name)
	if err != nil {
		t.Fatalf("Named(%q): %v", name, err)
	}
	return s
}

func TestScheduleFee(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		side     Side
		value    string
		want     string
	}{
		{"commsec zero value", CommSec, Buy, "0", "0"},
		{"commsec negative value", CommSec, Buy, "-50", "0"},
		{"commsec small", CommSec, Buy, "0.01", "5"},
		{"commsec exactly 1000", CommSec, Buy, "1000", "5"},
		{"commsec 1000.01", CommSec, Buy, "1000.01", "10"},
		{"commsec exactly 3000", CommSec, Sell, "3000", "10"},
		{"commsec 3000.01", CommSec, Sell, "3000.01", "19.95"},
		{"commsec exactly 10000", CommSec, Buy, "10000", "19.95"},
		{"commsec 10000.01", CommSec, Buy, "10000.01", "29.95"},
		{"commsec exactly 25000", CommSec, Buy, "25000", "29.95"},
		{"commsec 25000.01", CommSec, Buy, "25000.01", "30.00"},
		{"commsec 100000", CommSec, Sell, "100000", "120"},
		{"commsec rounds to nearest cent", CommSec, Buy, "30004.17", "36.01"},
		{"selfwealth small", SelfWealth, Buy, "10", "9.50"},
		{"selfwealth large", SelfWealth, Sell, "1000000", "9.50"},
		{"selfwealth zero", SelfWealth, Sell, "0", "0"},
		{"qlib buy minimum", Qlib, Buy, "1000", "5"},
		{"qlib buy at minimum", Qlib, Buy, "10000", "5"},
		{"qlib buy above minimum", Qlib, Buy, "50000", "25"},
		{"qlib half cent rounds up", Qlib, Buy, "50010", "25.01"},
		{"qlib sell minimum", Qlib, Sell, "3000", "5"},
		{"qlib sell", Qlib, Sell, "10000", "15"},
		{"qlib sell rounds", Qlib, Sell, "12345.67", "18.52"},
		{"qlib zero", Qlib, Buy, "0", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNamed(t, tt.schedule)
			got := s.Fee(tt.side, testenv.Decimal(t, tt.value))
			want := testenv.Decimal(t, tt.want)
			if !got.Equal(want) {
				t.Errorf("%s.Fee(%s, %s) = %s, want %s", tt.schedule, tt.side, tt.value, got, want)
			}
		})
	}
}

func TestNamed(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, name := range Names() {
			s := mustNamed(t, name)
			if s.Name != name {
				t.Errorf("Named(%q).Name = %q, want %q", name, s.Name, name)
			}
			if err := s.Validate(); err != nil {
				t.Errorf("Named(%q).Validate() = %v, want nil", name, err)
			}
		}
	})
	t.Run("CaseInsensitive", func(t *testing.T) {
		if got := mustNamed(t, " CommSec ").Name; got != CommSec {
			t.Errorf("Named(\" CommSec \").Name = %q, want %q", got, CommSec)
		}
	})
	t.Run("FreshCopy", func(t *testing.T) {
		a := mustNamed(t, CommSec)
		a.Tiers[0].Fee = decimal.NewFromInt(99)
		b := mustNamed(t, CommSec)
		if got, want := b.Tiers[0].Fee, decimal.NewFromInt(5); !got.Equal(want) {
			t.Errorf("second Named tier fee = %s, want %s", got, want)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := Named("nabtrade")
		if got, want := apperr.CodeOf(err), apperr.Invalid; got != want {
			t.Errorf("Named(nabtrade) code = %q, want %q (err %v)", got, want, err)
		}
	})
	t.Run("Sorted", func(t *testing.T) {
		if names := Names(); !slices.IsSorted(names) {
			t.Errorf("Names() = %v, want sorted", names)
		}
	})
}

func TestScheduleJSONRoundTrip(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			want := mustNamed(t, name)
			data, err := json.Marshal(want)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := ParseSchedule(data)
			if err != nil {
				t.Fatalf("ParseSchedule(%s): %v", data, err)
			}
			for _, v := range []string{"0", "999.99", "1000.01", "25000.01", "123456.78"} {
				value := testenv.Decimal(t, v)
				for _, side := range []Side{Buy, Sell} {
					if g, w := got.Fee(side, value), want.Fee(side, value); !g.Equal(w) {
						t.Errorf("round-tripped Fee(%s, %s) = %s, want %s (json %s)", side, v, g, w, data)
					}
				}
			}
			again, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("Marshal again: %v", err)
			}
			if string(again) != string(data) {
				t.Errorf("JSON after round trip = %s, want %s", again, data)
			}
		})
	}
}

func TestParseSchedule(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		tests := []struct {
			name  string
			json  string
			side  Side
			value string
			want  string
		}{
			{"numbers", `{"kind":"percentage","buy_rate":0.001,"sell_rate":0.002,"minimum":6}`, Sell, "1000", "6"},
			{"strings", `{"kind":"flat","fee":"7.25"}`, Buy, "50", "7.25"},
			{"free flat", `{"kind":"flat"}`, Buy, "50", "0"},
			{"tiered minimum only", `{"kind":"tiered","tiers":[{"up_to":"500","fee":"3"}],"minimum":"8"}`, Buy, "600", "8"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, err := ParseSchedule([]byte(tt.json))
				if err != nil {
					t.Fatalf("ParseSchedule(%s): %v", tt.json, err)
				}
				if got, want := s.Fee(tt.side, testenv.Decimal(t, tt.value)), testenv.Decimal(t, tt.want); !got.Equal(want) {
					t.Errorf("Fee(%s, %s) = %s, want %s", tt.side, tt.value, got, want)
				}
			})
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name  string
			json  string
			field string
		}{
			{"not json", `{`, ""},
			{"trailing data", `{"kind":"flat","fee":"1"} {}`, ""},
			{"unknown field", `{"kind":"flat","fees":"1"}`, ""},
			{"no kind", `{"fee":"1"}`, "kind"},
			{"unknown kind", `{"kind":"sliding"}`, "kind"},
			{"tiered without tiers", `{"kind":"tiered","buy_rate":"0.001","sell_rate":"0.001"}`, "tiers"},
			{"tiers descending", `{"kind":"tiered","tiers":[{"up_to":"3000","fee":"10"},{"up_to":"1000","fee":"5"}],"buy_rate":"0.001","sell_rate":"0.001"}`, "tiers[1].up_to"},
			{"tiers repeated", `{"kind":"tiered","tiers":[{"up_to":"1000","fee":"5"},{"up_to":"1000","fee":"6"}],"buy_rate":"0.001","sell_rate":"0.001"}`, "tiers[1].up_to"},
			{"tier zero bound", `{"kind":"tiered","tiers":[{"up_to":"0","fee":"5"}],"buy_rate":"0.001","sell_rate":"0.001"}`, "tiers[0].up_to"},
			{"tier negative fee", `{"kind":"tiered","tiers":[{"up_to":"1000","fee":"-5"}],"buy_rate":"0.001","sell_rate":"0.001"}`, "tiers[0].fee"},
			{"tier sub-cent fee", `{"kind":"tiered","tiers":[{"up_to":"1000","fee":"5.001"}],"buy_rate":"0.001","sell_rate":"0.001"}`, "tiers[0].fee"},
			{"tiered nothing above", `{"kind":"tiered","tiers":[{"up_to":"1000","fee":"5"}]}`, "buy_rate"},
			{"tiered with flat fee", `{"kind":"tiered","tiers":[{"up_to":"1000","fee":"5"}],"fee":"3","buy_rate":"0.001","sell_rate":"0.001"}`, "fee"},
			{"flat negative", `{"kind":"flat","fee":"-1"}`, "fee"},
			{"flat with rate", `{"kind":"flat","fee":"9.5","buy_rate":"0.001"}`, "buy_rate"},
			{"flat with tiers", `{"kind":"flat","fee":"9.5","tiers":[{"up_to":"1","fee":"1"}]}`, "tiers"},
			{"flat with minimum", `{"kind":"flat","fee":"9.5","minimum":"1"}`, "minimum"},
			{"rate as percent", `{"kind":"percentage","buy_rate":"0.12","sell_rate":"0.0012"}`, "buy_rate"},
			{"negative rate", `{"kind":"percentage","buy_rate":"0.001","sell_rate":"-0.001"}`, "sell_rate"},
			{"negative minimum", `{"kind":"percentage","buy_rate":"0.001","sell_rate":"0.001","minimum":"-5"}`, "minimum"},
			{"percentage with fee", `{"kind":"percentage","buy_rate":"0.001","sell_rate":"0.001","fee":"5"}`, "fee"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := ParseSchedule([]byte(tt.json))
				e, ok := apperr.As(err)
				if !ok {
					t.Fatalf("ParseSchedule(%s) error = %v, want *apperr.Error", tt.json, err)
				}
				if e.Code != apperr.Invalid {
					t.Errorf("code = %q, want %q", e.Code, apperr.Invalid)
				}
				if e.Field != tt.field {
					t.Errorf("field = %q, want %q (message %q)", e.Field, tt.field, e.Message)
				}
			})
		}
	})
}
