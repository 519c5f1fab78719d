package expr

import (
	"errors"
	"fmt"
	"strings"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 200

// Parse parses one Qlib expression. Errors are *ParseError.
func Parse(src string) (Node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t.pos, "unexpected %s after expression", t.describe())
	}
	return n, nil
}

// MustParse is Parse for expressions fixed in source code; it panics on error.
func MustParse(src string) Node {
	n, err := Parse(src)
	if err != nil {
		panic(fmt.Sprintf("expr.MustParse(%q): %v", src, err))
	}
	return n
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(kind tokenKind, text string) error {
	t := p.peek()
	if t.kind != kind {
		return p.errorf(t.pos, "expected %q, found %s", text, t.describe())
	}
	p.next()
	return nil
}

func (p *parser) isOp(texts ...string) (token, bool) {
	t := p.peek()
	if t.kind != tokOp {
		return t, false
	}
	for _, s := range texts {
		if t.text == s {
			return t, true
		}
	}
	return t, false
}

// parseExpr parses a comparison, the loosest binding level. Python would
// chain a > b > c into (a > b) and (b > c); Qlib cannot evaluate that, so it is
// an error here.
func (p *parser) parseExpr() (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf(p.peek().pos, "expression nested more than %d levels deep", maxDepth)
	}
	left, err := p.parseBinary(precOr)
	if err != nil {
		return nil, err
	}
	t, ok := p.isOp(">", "<", ">=", "<=", "==", "!=")
	if !ok {
		return left, nil
	}
	p.next()
	right, err := p.parseBinary(precOr)
	if err != nil {
		return nil, err
	}
	if t2, ok := p.isOp(">", "<", ">=", "<=", "==", "!="); ok {
		return nil, p.errorf(t2.pos, "chained comparison; add parentheses")
	}
	return &Binary{Op: BinaryOp(t.text), L: left, R: right}, nil
}

var levelOps = map[int][]string{
	precOr:  {"|"},
	precAnd: {"&"},
	precAdd: {"+", "-"},
	precMul: {"*", "/"},
}

// parseBinary parses left-associative operators from level prec upwards.
func (p *parser) parseBinary(prec int) (Node, error) {
	if prec > precMul {
		return p.parseUnary()
	}
	left, err := p.parseBinary(prec + 1)
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.isOp(levelOps[prec]...)
		if !ok {
			return left, nil
		}
		p.next()
		right, err := p.parseBinary(prec + 1)
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: BinaryOp(t.text), L: left, R: right}
	}
}

func (p *parser) parseUnary() (Node, error) {
	t, ok := p.isOp("-")
	if !ok {
		return p.parsePrimary()
	}
	p.next()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf(t.pos, "expression nested more than %d levels deep", maxDepth)
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if num, ok := x.(*Number); ok {
		return &Number{Value: -num.Value}, nil
	}
	return &Neg{X: x}, nil
}

func (p *parser) parsePrimary() (Node, error) {
	t := p.next()
	switch t.kind {
	case tokField:
		return &Field{Name: strings.ToLower(t.text[1:])}, nil
	case tokNumber:
		return &Number{Value: t.num}, nil
	case tokLParen:
		n, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen, ")"); err != nil {
			return nil, err
		}
		return n, nil
	case tokIdent:
		return p.parseCall(t)
	}
	return nil, p.errorf(t.pos, "expected expression, found %s", t.describe())
}

func (p *parser) parseCall(name token) (Node, error) {
	if p.peek().kind != tokLParen {
		return nil, p.errorf(name.pos, "unknown name %q; fields start with $ and functions need arguments", name.text)
	}
	op, isBinary := binaryFuncs[name.text]
	if _, ok := funcs[name.text]; !ok && !isBinary {
		return nil, p.errorf(name.pos, "unknown function %q", name.text)
	}
	p.next()
	var args []Node
	if p.peek().kind != tokRParen {
		for {
			a, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if err := p.expect(tokRParen, ")"); err != nil {
		return nil, err
	}
	if isBinary {
		if len(args) != 2 {
			return nil, p.errorf(name.pos, "%s takes 2 arguments (a, b), got %d", name.text, len(args))
		}
		return &Binary{Op: op, L: args[0], R: args[1]}, nil
	}
	c := &Call{Name: name.text, Args: args}
	if err := checkCall(c); err != nil {
		return nil, &ParseError{Pos: name.pos, Msg: err.Error()}
	}
	return c, nil
}

// AsParseError returns the *ParseError in err's chain.
func AsParseError(err error) (*ParseError, bool) {
	var pe *ParseError
	ok := errors.As(err, &pe)
	return pe, ok
}
