package expr

import (
	"math"
	"testing"
)

// FuzzParse checks that the parser never panics, that the canonical form of
// whatever it accepts parses back to the same canonical form, and that
// accepted expressions compile and evaluate without panicking.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"($close-$open)/$open",
		"Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 5)",
		"Quantile($close, 5, 0.8)/$close",
		"Ref($close, -2)/Ref($close, -1) - 1",
		"($a > 1) & ($b < 2) | Not($c)",
		"-(-$a*--2)",
		"If($a>=$b, EMA($a, 0.5), WMA($b, 3))",
		"Mean($close)",
		"1e-12 + .5 - 5.",
		"$a > $b > $c",
	} {
		f.Add(seed)
	}
	series := Series{Len: 6, Fields: map[string][]float64{
		"a": {1, 2, math.NaN(), 4, 4, -1},
		"b": {0, 2, 3, math.Inf(1), 5, 6},
	}}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			if _, ok := AsParseError(err); !ok {
				t.Fatalf("Parse(%q) error %v is not a *ParseError", src, err)
			}
			return
		}
		canon := n.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its canonical form %q fails: %v", src, canon, err)
		}
		if got := again.String(); got != canon {
			t.Fatalf("canonical form of %q is %q, which prints back as %q", src, canon, got)
		}
		if MaxLookback(n) < 0 || MaxLookahead(n) < 0 {
			t.Fatalf("negative reach for %q", src)
		}
		if _, err := Eval(n, series); err != nil {
			t.Fatalf("Eval(%q): %v", canon, err)
		}
	})
}
