package tensor

import (
	"fmt"
	"strconv"
	"strings"
)

// A tiny parser for the Python literals that appear in .npy headers
// ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"): dicts,
// tuples, lists, strings, ints, True, False and None. Nothing is evaluated.

type pyTuple []any
type pyList []any
type pyDict struct {
	keys []string
	vals map[string]any
}

type pyParser struct {
	s     string
	i     int
	depth int
}

// parsePyLiteral parses s as one Python literal followed only by whitespace.
func parsePyLiteral(s string) (any, error) {
	p := &pyParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the literal", p.rest())
	}
	return v, nil
}

func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) value() (any, error) {
	p.space()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("literal ends early")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '(' || c == '[' || c == '{':
		if p.depth >= 32 {
			return nil, fmt.Errorf("literal nested too deeply")
		}
		p.depth++
		defer func() { p.depth-- }()
		return p.container(c)
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.int()
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	return nil, fmt.Errorf("unexpected %q", p.rest())
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case q:
			return b.String(), nil
		case '\\':
			// Escapes do not occur in npy headers; keep the next byte as is.
			if p.i >= len(p.s) {
				return nil, fmt.Errorf("unterminated string")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		default:
			b.WriteByte(c)
		}
	}
	return nil, fmt.Errorf("unterminated string")
}

func (p *pyParser) int() (any, error) {
	start := p.i
	if p.s[p.i] == '-' || p.s[p.i] == '+' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		return nil, fmt.Errorf("bad integer %q", p.s[start:p.i])
	}
	// Python 2 headers write longs as 3L.
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
		p.i++
	}
	return n, nil
}

func (p *pyParser) container(open byte) (any, error) {
	close := map[byte]byte{'(': ')', '[': ']', '{': '}'}[open]
	p.i++
	var items []any
	d := pyDict{vals: map[string]any{}}
	sawComma := false
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unterminated %c", open)
		}
		if p.s[p.i] == close {
			p.i++
			break
		}
		if len(items) > 0 || len(d.keys) > 0 {
			if p.s[p.i] != ',' {
				return nil, fmt.Errorf("expected ',' or %q at %q", close, p.rest())
			}
			p.i++
			sawComma = true
			p.space()
			if p.i < len(p.s) && p.s[p.i] == close {
				p.i++
				break
			}
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if open != '{' {
			items = append(items, v)
			continue
		}
		k, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", v)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, fmt.Errorf("expected ':' after key %q", k)
		}
		p.i++
		if v, err = p.value(); err != nil {
			return nil, err
		}
		if _, dup := d.vals[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		d.keys = append(d.keys, k)
		d.vals[k] = v
	}
	switch open {
	case '(':
		// "(3)" is just 3 in Python; only "(3,)" is a tuple.
		if len(items) == 1 && !sawComma {
			return items[0], nil
		}
		return pyTuple(items), nil
	case '[':
		return pyList(items), nil
	}
	return &d, nil
}
