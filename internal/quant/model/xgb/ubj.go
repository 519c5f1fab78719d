package xgb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

// XGBoost 1.7's UBJSON reader trusts every length in its input, so a
// truncated or garbled blob makes it read past the buffer and crash the
// process. checkModelBytes walks the document in Go first and refuses
// anything XGBoost could not read safely.

// maxDepth bounds nesting; a saved booster nests about six levels deep.
const maxDepth = 64

// checkModelBytes reports whether blob is a complete JSON or XGBoost UBJSON
// document.
func checkModelBytes(blob []byte) error {
	if len(blob) < 2 || blob[0] != '{' {
		return fmt.Errorf("does not start with an object")
	}
	if blob[1] == '"' {
		// XGBoost reads '{"' as JSON text and '{' plus a letter as UBJSON.
		if !json.Valid(blob) {
			return fmt.Errorf("invalid JSON")
		}
		return nil
	}
	c := ubjChecker{b: blob, pos: 1}
	if err := c.object(0); err != nil {
		return err
	}
	return nil
}

type ubjChecker struct {
	b   []byte
	pos int
}

func (c *ubjChecker) errorf(format string, args ...any) error {
	return fmt.Errorf("UBJSON at byte %d: %s", c.pos, fmt.Sprintf(format, args...))
}

// skip advances over n bytes that must all be present.
func (c *ubjChecker) skip(n int64) error {
	if n < 0 || n > int64(len(c.b)-c.pos) {
		return c.errorf("needs %d bytes, %d left", n, len(c.b)-c.pos)
	}
	c.pos += int(n)
	return nil
}

func (c *ubjChecker) next() (byte, error) {
	if c.pos >= len(c.b) {
		return 0, c.errorf("unexpected end")
	}
	c.pos++
	return c.b[c.pos-1], nil
}

func (c *ubjChecker) expect(want byte) error {
	got, err := c.next()
	if err != nil {
		return err
	}
	if got != want {
		return c.errorf("want %q, got %q", want, got)
	}
	return nil
}

// length reads the 'L'-marked int64 that XGBoost uses for every size.
func (c *ubjChecker) length() (int64, error) {
	if err := c.expect('L'); err != nil {
		return 0, err
	}
	start := c.pos
	if err := c.skip(8); err != nil {
		return 0, err
	}
	n := int64(binary.BigEndian.Uint64(c.b[start:c.pos]))
	if n < 0 {
		return 0, c.errorf("negative length %d", n)
	}
	return n, nil
}

func (c *ubjChecker) str() error {
	n, err := c.length()
	if err != nil {
		return err
	}
	return c.skip(n)
}

// scalarSize is the payload size of each scalar marker XGBoost reads.
var scalarSize = map[byte]int64{'Z': 0, 'T': 0, 'F': 0, 'i': 1, 'U': 1, 'C': 1, 'I': 2, 'l': 4, 'd': 4, 'L': 8}

// typedSize is the element size of each typed array XGBoost reads.
var typedSize = map[byte]int64{'d': 4, 'U': 1, 'l': 4, 'L': 8}

func (c *ubjChecker) value(depth int) error {
	marker, err := c.next()
	if err != nil {
		return err
	}
	switch marker {
	case '{':
		return c.object(depth + 1)
	case '[':
		return c.array(depth + 1)
	case 'S':
		return c.str()
	}
	size, ok := scalarSize[marker]
	if !ok {
		return c.errorf("unsupported marker %q", marker)
	}
	return c.skip(size)
}

func (c *ubjChecker) object(depth int) error {
	if depth > maxDepth {
		return c.errorf("nested deeper than %d", maxDepth)
	}
	for {
		if c.pos >= len(c.b) {
			return c.errorf("unterminated object")
		}
		if c.b[c.pos] == '}' {
			c.pos++
			return nil
		}
		if err := c.str(); err != nil {
			return err
		}
		if err := c.value(depth); err != nil {
			return err
		}
	}
}

func (c *ubjChecker) array(depth int) error {
	if depth > maxDepth {
		return c.errorf("nested deeper than %d", maxDepth)
	}
	if c.pos >= len(c.b) {
		return c.errorf("unterminated array")
	}
	switch c.b[c.pos] {
	case '$':
		c.pos++
		typ, err := c.next()
		if err != nil {
			return err
		}
		size, ok := typedSize[typ]
		if !ok {
			return c.errorf("unsupported typed array %q", typ)
		}
		if err := c.expect('#'); err != nil {
			return err
		}
		n, err := c.length()
		if err != nil {
			return err
		}
		if n > math.MaxInt64/size {
			return c.errorf("typed array of %d elements is too long", n)
		}
		return c.skip(n * size)
	case '#':
		c.pos++
		n, err := c.length()
		if err != nil {
			return err
		}
		if n > int64(len(c.b)-c.pos) {
			return c.errorf("array of %d elements in %d bytes", n, len(c.b)-c.pos)
		}
		for range n {
			if err := c.value(depth); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		if c.pos >= len(c.b) {
			return c.errorf("unterminated array")
		}
		if c.b[c.pos] == ']' {
			c.pos++
			return nil
		}
		if err := c.value(depth); err != nil {
			return err
		}
	}
}
