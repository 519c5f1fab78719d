package xgb

import (
	"strings"
	"testing"
)

// ubjDoc is a small document in the subset of UBJSON that XGBoost writes:
// {"a": [$d#L 2 floats], "b": "xy", "c": [#L 1 int8]}.
var ubjDoc = []byte("{" +
	"L\x00\x00\x00\x00\x00\x00\x00\x01a" + "[$d#L\x00\x00\x00\x00\x00\x00\x00\x02" + "\x3f\x80\x00\x00\x40\x00\x00\x00" +
	"L\x00\x00\x00\x00\x00\x00\x00\x01b" + "SL\x00\x00\x00\x00\x00\x00\x00\x02xy" +
	"L\x00\x00\x00\x00\x00\x00\x00\x01c" + "[#L\x00\x00\x00\x00\x00\x00\x00\x01i\x05" +
	"}")

func TestCheckModelBytes(t *testing.T) {
	tests := []struct {
		name string
		blob []byte
		want string // empty: valid
	}{
		{"UBJ", ubjDoc, ""},
		{"JSON", []byte(`{"learner": {"x": 1}}`), ""},
		{"BadJSON", []byte(`{"learner": `), "invalid JSON"},
		{"NotObject", []byte("[1]"), "does not start with an object"},
		{"TooShort", []byte("{"), "does not start with an object"},
		{"HugeString", []byte("{L\x7f\x00\x00\x00\x00\x00\x00\x00a"), "needs"},
		{"NegativeLength", []byte("{L\xff\x00\x00\x00\x00\x00\x00\x00a"), "negative length"},
		{"HugeTypedArray", []byte("{L\x00\x00\x00\x00\x00\x00\x00\x01a[$d#L\x10\x00\x00\x00\x00\x00\x00\x00"), "needs"},
		{"HugeCountedArray", []byte("{L\x00\x00\x00\x00\x00\x00\x00\x01a[#L\x00\x00\x00\x00\x00\x10\x00\x00i\x01}"), "elements in"},
		{"UnknownMarker", []byte("{L\x00\x00\x00\x00\x00\x00\x00\x01aD\x00\x00\x00\x00\x00\x00\x00\x00}"), "unsupported marker"},
		{"Deep", []byte("{L\x00\x00\x00\x00\x00\x00\x00\x01a" + strings.Repeat("[", 100)), "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkModelBytes(tt.blob)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("checkModelBytes = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("checkModelBytes = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckModelBytesTruncated(t *testing.T) {
	for n := 1; n < len(ubjDoc); n++ {
		if err := checkModelBytes(ubjDoc[:n]); err == nil {
			t.Errorf("prefix of %d/%d bytes accepted, want an error", n, len(ubjDoc))
		}
	}
}
