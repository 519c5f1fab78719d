package auth_test

import (
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/auth"
)

func TestPasswordPolicyContextWords(t *testing.T) {
	const email, name = "zebedee.q@quartermain-holdings.example", "Zebedee Quartermain"
	tests := []struct {
		pw   string
		ok   bool
		want string
	}{
		{"quartermainzebedee", false, "too easy"}, // the name's parts, reversed
		{"Quartermain2026!", false, "too easy"},   // a name part and a year
		{"zebedee.q.2026.zebedee", false, "too easy"},
		{"holdings quartermain 99", false, "too easy"}, // the email's domain words
		{"qlibpro2026qlibpro", false, "too easy"},      // the product's name
		{"QlibProQlibPro2026", false, "too easy"},
		{"qlibpro demo trader 2026", false, "published demo password"},
		{"Qlibpro-Demo-Trader-2026", false, "published demo password"},
		{"qlibpro demo trader 2027", false, "too easy"}, // close to it
		{goodPassword, true, ""},
		{"a brand new passphrase 77", true, ""},
		{"happy trader on a windy beach", true, ""}, // a context word inside a strong phrase is fine
	}
	for _, tt := range tests {
		err := auth.CheckPasswordPolicy(tt.pw, email, name)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err = %v, want ok=%v", tt.pw, err, tt.ok)
			continue
		}
		if err != nil && (apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(apperr.MessageOf(err), tt.want)) {
			t.Errorf("%q: %v, want Invalid mentioning %q", tt.pw, err, tt.want)
		}
	}
}
