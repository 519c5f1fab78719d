package decimaltext

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParse checks the bound: text over MaxLen is refused unread; what is
// accepted has an exponent within MaxLen, agrees with decimal.NewFromString,
// and reads back the same from its String form when that is short enough.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"100", "45.10", "-0.5", "1e3", "1E-32", "1e33", ".5", "5.", "+7", "\u22123", "0x10", "1_000", "99999999999999999999999999999999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		switch {
		case len(s) > MaxLen:
			if !errors.Is(err, ErrTooLong) {
				t.Fatalf("Parse(%d bytes) = %v, %v", len(s), d, err)
			}
			return
		case err != nil:
			if !errors.Is(err, ErrTooLong) && !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) error %v", s, err)
			}
			return
		}
		if e := d.Exponent(); e > MaxLen || e < -MaxLen {
			t.Fatalf("Parse(%q) exponent %d", s, e)
		}
		if want, err := decimal.NewFromString(s); err != nil || !want.Equal(d) {
			t.Fatalf("Parse(%q) = %s, NewFromString = %s, %v", s, d, want, err)
		}
		if out := d.String(); len(out) <= MaxLen {
			if again, err := Parse(out); err != nil || !again.Equal(d) {
				t.Fatalf("%s reads back as %s, %v", out, again, err)
			}
		}
	})
}
