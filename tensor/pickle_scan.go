package tensor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// Before gopickle sees a pickle, scanPickle walks its opcodes once (the
// layout of every opcode's argument is fixed by the pickle protocol) to:
//   - find where the pickle ends, since legacy PyTorch files put several
//     pickles and raw data one after the other;
//   - check every length field against the bytes actually left, because
//     gopickle allocates whatever a length field says before reading;
//   - refuse GLOBAL and INST opcodes that name anything but allowed globals,
//     before any object is built. (STACK_GLOBAL takes its names from the
//     stack; those are checked when gopickle resolves them, see findGlobal.)

// Argument layouts.
const (
	pkNone   = iota
	pkFixed  // fixed number of bytes
	pkLine   // one newline-terminated line
	pkLines2 // two lines: module and name
	pkLen1   // 1-byte length, then that many bytes
	pkLen4   // 4-byte little-endian length (non-negative int32 or uint32), then bytes
	pkLen8   // 8-byte little-endian length, then bytes
	pkFrame  // 8-byte frame length; the frame's opcodes follow and are scanned
)

type pkOp struct {
	kind, n int
}

var pickleOps = map[byte]pkOp{
	'(': {pkNone, 0}, '.': {pkNone, 0}, '0': {pkNone, 0}, '1': {pkNone, 0}, '2': {pkNone, 0},
	'N': {pkNone, 0}, 'R': {pkNone, 0}, 'a': {pkNone, 0}, 'b': {pkNone, 0}, 'd': {pkNone, 0},
	'}': {pkNone, 0}, 'e': {pkNone, 0}, 'l': {pkNone, 0}, ']': {pkNone, 0}, 'o': {pkNone, 0},
	's': {pkNone, 0}, 't': {pkNone, 0}, ')': {pkNone, 0}, 'u': {pkNone, 0}, 'Q': {pkNone, 0},
	0x81: {pkNone, 0}, 0x85: {pkNone, 0}, 0x86: {pkNone, 0}, 0x87: {pkNone, 0},
	0x88: {pkNone, 0}, 0x89: {pkNone, 0}, 0x8f: {pkNone, 0}, 0x90: {pkNone, 0},
	0x91: {pkNone, 0}, 0x92: {pkNone, 0}, 0x93: {pkNone, 0}, 0x94: {pkNone, 0},
	0x97: {pkNone, 0}, 0x98: {pkNone, 0},

	0x80: {pkFixed, 1}, 'K': {pkFixed, 1}, 'h': {pkFixed, 1}, 'q': {pkFixed, 1}, 0x82: {pkFixed, 1},
	'M': {pkFixed, 2}, 0x83: {pkFixed, 2},
	'J': {pkFixed, 4}, 'j': {pkFixed, 4}, 'r': {pkFixed, 4}, 0x84: {pkFixed, 4},
	'G': {pkFixed, 8},

	'I': {pkLine, 0}, 'L': {pkLine, 0}, 'F': {pkLine, 0}, 'S': {pkLine, 0}, 'V': {pkLine, 0},
	'P': {pkLine, 0}, 'g': {pkLine, 0}, 'p': {pkLine, 0},
	'c': {pkLines2, 0}, 'i': {pkLines2, 0},

	0x8a: {pkLen1, 0}, 'U': {pkLen1, 0}, 0x8c: {pkLen1, 0}, 'C': {pkLen1, 0},
	0x8b: {pkLen4, 0}, 'T': {pkLen4, 0}, 'X': {pkLen4, 0}, 'B': {pkLen4, 0},
	0x8d: {pkLen8, 0}, 0x8e: {pkLen8, 0}, 0x96: {pkLen8, 0},
	0x95: {pkFrame, 0},
}

// maxPickleLine bounds text-mode arguments (ints, names, strings).
const maxPickleLine = 1 << 20

type pickleScanner struct {
	r     *bufio.Reader
	out   bytes.Buffer
	left  int64 // bytes the pickle may still use
	allow func(module, name string) bool
}

// scanPickle copies one pickle, STOP included, from r (at most limit bytes)
// and checks it as described above. allow decides GLOBAL and INST names.
func scanPickle(r *bufio.Reader, limit int64, allow func(module, name string) bool) ([]byte, error) {
	s := &pickleScanner{r: r, left: limit, allow: allow}
	for {
		if s.left == 0 {
			return nil, fmt.Errorf("pickle: truncated (no STOP opcode)")
		}
		op, err := s.take(1)
		if err != nil {
			return nil, err
		}
		spec, ok := pickleOps[op[0]]
		if !ok {
			return nil, fmt.Errorf("pickle: unknown opcode 0x%02x at byte %d", op[0], s.out.Len()-1)
		}
		switch spec.kind {
		case pkFixed:
			_, err = s.take(int64(spec.n))
		case pkLine:
			_, err = s.line()
		case pkLines2:
			var mod, name string
			if mod, err = s.line(); err == nil {
				if name, err = s.line(); err == nil && !s.allow(mod, name) {
					err = fmt.Errorf("%w: %s.%s", ErrUnsafePickle, mod, name)
				}
			}
		case pkLen1:
			var b []byte
			if b, err = s.take(1); err == nil {
				_, err = s.take(int64(b[0]))
			}
		case pkLen4:
			var b []byte
			if b, err = s.take(4); err == nil {
				n := int64(binary.LittleEndian.Uint32(b))
				if op[0] == 0x8b || op[0] == 'T' { // signed lengths
					n = int64(int32(binary.LittleEndian.Uint32(b)))
				}
				_, err = s.take(n)
			}
		case pkLen8, pkFrame:
			var b []byte
			if b, err = s.take(8); err == nil {
				n := binary.LittleEndian.Uint64(b)
				if n > uint64(s.left) {
					err = fmt.Errorf("pickle: truncated: length %d exceeds the %d bytes left", n, s.left)
				} else if spec.kind == pkLen8 {
					_, err = s.take(int64(n))
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if op[0] == '.' {
			return s.out.Bytes(), nil
		}
	}
}

// take copies n bytes to the output and returns them.
func (s *pickleScanner) take(n int64) ([]byte, error) {
	if n < 0 || n > s.left {
		return nil, fmt.Errorf("pickle: truncated: length %d exceeds the %d bytes left", n, s.left)
	}
	start := s.out.Len()
	if n <= 16 { // opcodes and fixed arguments: skip CopyN's overhead
		for range n {
			c, err := s.r.ReadByte()
			if err != nil {
				return nil, fmt.Errorf("pickle: %w", truncErr(err))
			}
			s.out.WriteByte(c)
		}
	} else if _, err := io.CopyN(&s.out, s.r, n); err != nil {
		return nil, fmt.Errorf("pickle: %w", truncErr(err))
	}
	s.left -= n
	return s.out.Bytes()[start:], nil
}

// line copies a newline-terminated argument and returns it without the newline.
func (s *pickleScanner) line() (string, error) {
	var b strings.Builder
	for {
		c, err := s.take(1)
		if err != nil {
			return "", err
		}
		if c[0] == '\n' {
			return b.String(), nil
		}
		if b.Len() >= maxPickleLine {
			return "", fmt.Errorf("pickle: text argument longer than %d bytes", maxPickleLine)
		}
		b.WriteByte(c[0])
	}
}
