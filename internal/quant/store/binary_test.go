package store

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// realArray builds array_send's form of a real[] (nil elements are NULL).
func realArray(vals []*float32) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, oidFloat4)
	b = binary.BigEndian.AppendUint32(b, uint32(len(vals)))
	b = binary.BigEndian.AppendUint32(b, 1)
	for _, v := range vals {
		if v == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1
			continue
		}
		b = binary.BigEndian.AppendUint32(b, 4)
		b = binary.BigEndian.AppendUint32(b, math.Float32bits(*v))
	}
	return b
}

func TestDecodeReals(t *testing.T) {
	f := func(v float32) *float32 { return &v }
	good := realArray([]*float32{f(1.5), f(float32(math.NaN())), nil, f(-3e-7), f(float32(math.Inf(1)))})
	got := make([]float64, 5)
	if err := decodeReals(got, good); err != nil {
		t.Fatal(err)
	}
	want := []float64{1.5, math.NaN(), math.NaN(), float64(float32(-3e-7)), math.Inf(1)}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	tests := []struct {
		name string
		b    []byte
		n    int
		want string
	}{
		{"Short", good[:8], 5, "too short"},
		{"WrongCount", good, 4, "has 5 values, want 4"},
		{"Truncated", good[:len(good)-3], 5, "4 bytes with 1 left"},
		{"Cut", good[:len(good)-8], 5, "ends at element 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeReals(make([]float64, tt.n), tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
