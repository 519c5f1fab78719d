package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// ParseError is a syntax or operator error in an expression. Pos is the
// 0-based byte offset where the problem was found.
type ParseError struct {
	Pos int
	Msg string
}

// Error reads like `position 12: expected ")"`.
func (e *ParseError) Error() string {
	return fmt.Sprintf("position %d: %s", e.Pos, e.Msg)
}

// Unwrap exposes the error as an apperr.Invalid so that callers and the web
// layer can show it to the user who typed the expression.
func (e *ParseError) Unwrap() error {
	return &apperr.Error{Code: apperr.Invalid, Message: e.Error(), Field: "expression"}
}

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokField
	tokNumber
	tokIdent
	tokLParen
	tokRParen
	tokComma
	tokOp // + - * / > < >= <= == != & |
)

type token struct {
	kind tokenKind
	pos  int
	text string  // as written
	num  float64 // tokNumber only
}

func (t token) describe() string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return strconv.Quote(t.text)
}

// lex splits src into tokens, ending with tokEOF.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$':
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			if j == i+1 {
				return nil, &ParseError{Pos: j, Msg: `expected field name after "$"`}
			}
			toks = append(toks, token{kind: tokField, pos: i, text: src[i:j]})
			i = j
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			t, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.text)
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, pos: i, text: src[i:j]})
			i = j
		case c == '(':
			toks = append(toks, token{kind: tokLParen, pos: i, text: "("})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, pos: i, text: ")"})
			i++
		case c == ',':
			toks = append(toks, token{kind: tokComma, pos: i, text: ","})
			i++
		case strings.IndexByte("+-*/&|", c) >= 0:
			toks = append(toks, token{kind: tokOp, pos: i, text: src[i : i+1]})
			i++
		case c == '>' || c == '<' || c == '=' || c == '!':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{kind: tokOp, pos: i, text: src[i : i+2]})
				i += 2
				continue
			}
			if c == '=' || c == '!' {
				return nil, &ParseError{Pos: i, Msg: fmt.Sprintf("unexpected %q; did you mean %q?", string(c), string(c)+"=")}
			}
			toks = append(toks, token{kind: tokOp, pos: i, text: src[i : i+1]})
			i++
		default:
			r := strings.ToValidUTF8(src[i:min(i+4, len(src))], "\uFFFD")
			return nil, &ParseError{Pos: i, Msg: fmt.Sprintf("unexpected character %q", []rune(r)[0])}
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

// lexNumber reads a Python-style numeric literal at src[i:]: digits with an
// optional fraction and exponent, such as 5, 0.8, .5, 5. and 1e-12.
func lexNumber(src string, i int) (token, error) {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j < len(src) && src[j] == '.' {
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k >= len(src) || !isDigit(src[k]) {
			return token{}, &ParseError{Pos: i, Msg: fmt.Sprintf("malformed number %q", src[i:k])}
		}
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		j = k
	}
	if j < len(src) && isWordByte(src[j]) {
		return token{}, &ParseError{Pos: i, Msg: fmt.Sprintf("malformed number %q", src[i:j+1])}
	}
	text := src[i:j]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		if errors.Is(err, strconv.ErrRange) && v == 0 {
			// Underflow to zero is what Python does too.
			return token{kind: tokNumber, pos: i, text: text, num: v}, nil
		}
		return token{}, &ParseError{Pos: i, Msg: fmt.Sprintf("number %q is out of range", text)}
	}
	return token{kind: tokNumber, pos: i, text: text, num: v}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return c == '_' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
