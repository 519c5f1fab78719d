package pipeline

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The .npy format (numpy/lib/format.py, version 1.0 and 2.0): a magic
// string, a version, the length of a header that is a Python dict literal
// {'descr': …, 'fortran_order': False, 'shape': (rows,), } padded with
// spaces and a newline so that the data starts on a multiple of 64 bytes,
// then the records, little-endian.

// npyHeader returns the preamble and header of an array of rows records:
// datetime64[D] "datetime", unicode "instrument" of codeLen characters, then
// one float64 per name.
func npyHeader(names []string, codeLen int, rows int64) []byte {
	var d strings.Builder
	d.WriteString("{'descr': [('datetime', '<M8[D]'), ('instrument', '<U")
	fmt.Fprint(&d, codeLen)
	d.WriteString("')")
	for _, n := range names {
		d.WriteString(", (")
		d.WriteString(pyString(n))
		d.WriteString(", '<f8')")
	}
	fmt.Fprintf(&d, "], 'fortran_order': False, 'shape': (%d,), }", rows)
	header := d.String()

	version, pre := byte(1), 10 // magic 6, version 2, length 2
	if len(header)+1+pre+63 > math.MaxUint16 {
		version, pre = 2, 12 // length 4
	}
	pad := 64 - (pre+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	out := append([]byte("\x93NUMPY"), version, 0)
	if version == 1 {
		out = binary.LittleEndian.AppendUint16(out, uint16(len(header))) // #nosec G115 -- checked above
	} else {
		out = binary.LittleEndian.AppendUint32(out, uint32(len(header))) // #nosec G115 -- a header of 158 names is a few KB
	}
	return append(out, header...)
}

// pyString writes s as a Python string literal in ASCII.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r < 0x10000:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// unixDay is a day in seconds: datetime64[D] counts days since 1970-01-01.
const unixDay = 24 * 60 * 60

// appendNPYRows appends one record per trading day of f.
func appendNPYRows(buf []byte, f instrumentFactors, codeLen int) []byte {
	code := make([]byte, 0, 4*codeLen)
	for _, r := range f.Code {
		code = binary.LittleEndian.AppendUint32(code, uint32(r)) // #nosec G115 -- a rune is at most 0x10FFFF
	}
	code = append(code, make([]byte, 4*codeLen-len(code))...)
	size := 8 + len(code) + 8*len(f.Values)
	buf = slices.Grow(buf, size*len(f.Dates))
	for i, d := range f.Dates {
		rec := buf[len(buf) : len(buf)+size]
		binary.LittleEndian.PutUint64(rec, uint64(d.Unix()/unixDay)) // #nosec G115 -- two's complement, as numpy reads int64
		copy(rec[8:], code)
		vals := rec[8+len(code):]
		row := f.Rows[i]
		for k, col := range f.Values {
			binary.LittleEndian.PutUint64(vals[8*k:], math.Float64bits(col[row]))
		}
		buf = buf[:len(buf)+size]
	}
	return buf
}
