package store

import (
	"encoding/binary"
	"fmt"
	"math"
)

// oidFloat4 is PostgreSQL's type id of real.
const oidFloat4 = 700

// decodeReals reads a one-dimensional real[] in PostgreSQL's binary array
// form (what array_send returns) into dst, which must have one slot per
// element. The form is: dimensions, has-nulls flag and element type id; the
// size and lower bound of each dimension; then each element as a length (-1
// for NULL) and its bytes, big-endian. A NULL element reads as NaN.
func decodeReals(dst []float64, b []byte) error {
	const header = 12 + 8 // one dimension
	if len(b) < 12 {
		return fmt.Errorf("store: binary array of %d bytes is too short", len(b))
	}
	ndim, oid := int32(binary.BigEndian.Uint32(b[0:])), binary.BigEndian.Uint32(b[8:])
	if ndim == 0 && len(dst) == 0 {
		return nil
	}
	if ndim != 1 || oid != oidFloat4 || len(b) < header {
		return fmt.Errorf("store: want a one-dimensional real[], got %d dimensions of type %d", ndim, oid)
	}
	n := int(int32(binary.BigEndian.Uint32(b[12:])))
	if n != len(dst) {
		return fmt.Errorf("store: stored row has %d values, want %d", n, len(dst))
	}
	p := header
	for i := range dst {
		if p+4 > len(b) {
			return fmt.Errorf("store: binary array ends at element %d of %d", i, n)
		}
		size := int32(binary.BigEndian.Uint32(b[p:]))
		p += 4
		switch {
		case size == -1:
			dst[i] = math.NaN()
		case size == 4 && p+4 <= len(b):
			dst[i] = float64(math.Float32frombits(binary.BigEndian.Uint32(b[p:])))
			p += 4
		default:
			return fmt.Errorf("store: element %d of the binary array says %d bytes with %d left; want 4", i, size, len(b)-p)
		}
	}
	return nil
}
