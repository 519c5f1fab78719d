package expr

import (
	"errors"
	"slices"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

func mustParse(t *testing.T, src string) Node {
	t.Helper()
	n, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return n
}

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"($close-$open)/$open", "($close-$open)/$open"},
		{"$a+$b*$c", "$a+$b*$c"},
		{"($a+$b)*$c", "($a+$b)*$c"},
		{"$a-($b-$c)", "$a-($b-$c)"},
		{"$a-$b-$c", "$a-$b-$c"},
		{"$a/($b*$c)", "$a/($b*$c)"},
		{"-$a*$b", "-$a*$b"},
		{"-($a*$b)", "-($a*$b)"},
		{"- - $a", "--$a"},
		{"2*-1", "2*-1"},
		{"--1", "1"},
		{"-(3)", "-3"},
		{"$a > $b + 1", "$a>$b+1"},
		{"$a + 1 >= $b * 2", "$a+1>=$b*2"},
		{"($a > 1) & ($b < 2)", "($a>1)&($b<2)"},
		{"$a > 1 & $b", "$a>1&$b"},
		{"$a & $b | $c", "$a&$b|$c"},
		{"$a | $b & $c", "$a|$b&$c"},
		{"($a | $b) & $c", "($a|$b)&$c"},
		{"($a>$b)>$c", "($a>$b)>$c"},
		{"$a>($b>$c)", "$a>($b>$c)"},
		{"$a == $b", "$a==$b"},
		{"$a != -$b", "$a!=-$b"},
		{"Mean( $Close , 5 )", "Mean($close,5)"},
		{"Add($a, Mul($b, 2))", "$a+$b*2"},
		{"Sub($a, Sub($b, $c))", "$a-($b-$c)"},
		{"Gt($a, 1)", "$a>1"},
		{"Quantile($close, 5, 0.8)", "Quantile($close,5,0.8)"},
		{"1e-12", "1e-12"},
		{".5", "0.5"},
		{"5.", "5"},
		{"1E3", "1000"},
		{"$high-$low+1e-12", "$high-$low+1e-12"},
		{"Ref($close, -2)/Ref($close, -1) - 1", "Ref($close,-2)/Ref($close,-1)-1"},
		{"EMA($close, 0.5)", "EMA($close,0.5)"},
		{"If($close > $open, 1, -1)", "If($close>$open,1,-1)"},
		{"Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 5)", "Corr($close/Ref($close,1),Log($volume/Ref($volume,1)+1),5)"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			n := mustParse(t, tt.src)
			if got := n.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			again := mustParse(t, tt.want)
			if got := again.String(); got != tt.want {
				t.Fatalf("round trip String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParsePrecedence(t *testing.T) {
	// The tree shape, not only the printed form: $a+$b*$c must multiply first.
	n := mustParse(t, "$a+$b*$c>1")
	cmp, ok := n.(*Binary)
	if !ok || cmp.Op != OpGt {
		t.Fatalf("root = %#v, want a > comparison", n)
	}
	add, ok := cmp.L.(*Binary)
	if !ok || add.Op != OpAdd {
		t.Fatalf("left of > = %s, want an addition", cmp.L)
	}
	if mul, ok := add.R.(*Binary); !ok || mul.Op != OpMul {
		t.Fatalf("right of + = %s, want a multiplication", add.R)
	}
	neg := mustParse(t, "-$a*$b")
	if b, ok := neg.(*Binary); !ok || b.Op != OpMul {
		t.Fatalf("-$a*$b root = %s, want a multiplication of a negation", neg)
	}
	if num, ok := mustParse(t, "-2.5").(*Number); !ok || num.Value != -2.5 {
		t.Fatalf("-2.5 should parse to the literal -2.5")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src     string
		wantPos int
		wantMsg string
	}{
		{"", 0, "expected expression, found end of input"},
		{"Mean($close)", 0, "Mean takes 2 arguments (x, window), got 1"},
		{"$a + Mean($close, 5, 1)", 5, "Mean takes 2 arguments (x, window), got 3"},
		{"Mean($close, $open)", 0, "Mean window must be an integer literal from 1 to 1000000, got $open"},
		{"Mean($close, 0)", 0, "Mean window must be an integer literal from 1 to 1000000, got 0"},
		{"Mean($close, 2.5)", 0, "Mean window must be an integer literal from 1 to 1000000, got 2.5"},
		{"Ref($close, 1.5)", 0, "Ref shift must be an integer literal from -1000000 to 1000000, got 1.5"},
		{"Quantile($close, 5, 1.5)", 0, "Quantile q must be a numeric literal from 0 to 1, got 1.5"},
		{"EMA($close, 1.5)", 0, "EMA span must be an integer literal >= 1 or a literal between 0 and 1, got 1.5"},
		{"Add($a)", 0, "Add takes 2 arguments (a, b), got 1"},
		{"$close + Foo($open)", 9, `unknown function "Foo"`},
		{"close", 0, `unknown name "close"; fields start with $ and functions need arguments`},
		{"($close + 1", 11, `expected ")", found end of input`},
		{"Mean($close, 5", 14, `expected ")", found end of input`},
		{"$close +", 8, "expected expression, found end of input"},
		{"$close $open", 7, `unexpected "$open" after expression`},
		{"Mean(,)", 5, `expected expression, found ","`},
		{"$", 1, `expected field name after "$"`},
		{"$a > $b > $c", 8, "chained comparison; add parentheses"},
		{"1e", 0, `malformed number "1e"`},
		{"2x", 0, `malformed number "2x"`},
		{"1e999", 0, `number "1e999" is out of range`},
		{"$a # 1", 3, `unexpected character '#'`},
		{"$a = 1", 3, `unexpected "="; did you mean "=="?`},
		{"$a ! 1", 3, `unexpected "!"; did you mean "!="?`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Parse(tt.src)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v, want *ParseError", tt.src, err)
			}
			if pe.Pos != tt.wantPos || pe.Msg != tt.wantMsg {
				t.Fatalf("Parse(%q) = position %d %q, want position %d %q", tt.src, pe.Pos, pe.Msg, tt.wantPos, tt.wantMsg)
			}
			if code := apperr.CodeOf(err); code != apperr.Invalid {
				t.Fatalf("apperr.CodeOf = %q, want %q", code, apperr.Invalid)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("Mean($close, 5")
	if got, want := err.Error(), `position 14: expected ")", found end of input`; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if got, want := apperr.MessageOf(err), err.Error(); got != want {
		t.Fatalf("apperr.MessageOf = %q, want %q", got, want)
	}
}

func TestParseDepthLimit(t *testing.T) {
	deep := ""
	for range maxDepth + 5 {
		deep += "("
	}
	if _, err := Parse(deep + "1"); err == nil {
		t.Fatalf("Parse of %d nested parentheses succeeded, want an error", maxDepth+5)
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"Corr($close, Log($volume+1), 5) + $Close", []string{"close", "volume"}},
		{"1+2", nil},
		{"$vwap/$close", []string{"close", "vwap"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := Fields(mustParse(t, tt.src)); !slices.Equal(got, tt.want) {
				t.Fatalf("Fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLookback(t *testing.T) {
	tests := []struct {
		src         string
		back, ahead int
	}{
		{"$close", 0, 0},
		{"Mean($close, 5)", 4, 0},
		{"Ref($close, 5)", 5, 0},
		{"Mean(Ref($close, 1), 5)", 5, 0},
		{"Std(Mean($close, 5), 10)", 13, 0},
		{"Delta($close, 3)", 3, 0},
		{"Ref($close, -2)/Ref($close, -1) - 1", 0, 2},
		{"Ref(Ref($close, 3), -1)", 2, 0},
		{"Mean(Ref($close, -2), 5)", 2, 2},
		{"Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 20)", 20, 0},
		{"Quantile($close, 60, 0.8)/$close", 59, 0},
		{"EMA($close, 0.5)", 19, 0},
		{"If($close > Ref($close, 2), Max($high, 10), 0)", 9, 0},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			n := mustParse(t, tt.src)
			if got := MaxLookback(n); got != tt.back {
				t.Errorf("MaxLookback = %d, want %d", got, tt.back)
			}
			if got := MaxLookahead(n); got != tt.ahead {
				t.Errorf("MaxLookahead = %d, want %d", got, tt.ahead)
			}
		})
	}
}
