package wordvec

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/neurolatent/neurolatent/internal/inflate"
	"github.com/neurolatent/neurolatent/latent"
)

// Format is a word-vector file format. Its values are constants, safe for
// concurrent use.
type Format int

const (
	// GloVe text: one vector per line, "word x1 x2 ... xD", no header; D
	// comes from the first line.
	GloVe Format = iota
	// Word2Vec text: a header line "N D", then N lines as in GloVe.
	Word2Vec
	// Word2VecBinary: a header line "N D", then per vector the word, a
	// space and D little-endian float32 (an optional newline before each
	// word is skipped), as word2vec's -binary 1 writes.
	Word2VecBinary
)

// String returns the name ParseFormat accepts.
func (f Format) String() string {
	switch f {
	case GloVe:
		return "glove"
	case Word2Vec:
		return "word2vec"
	case Word2VecBinary:
		return "word2vec-bin"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat parses "glove", "word2vec" (text) or "word2vec-bin" (binary).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "glove", "glove-text":
		return GloVe, nil
	case "word2vec", "word2vec-text", "w2v":
		return Word2Vec, nil
	case "word2vec-bin", "word2vec-binary", "w2v-bin", "bin":
		return Word2VecBinary, nil
	}
	return 0, fmt.Errorf("wordvec: unknown format %q (want glove, word2vec or word2vec-bin)", s)
}

// Options tunes reading. The zero value reads everything. A plain value,
// safe for concurrent use.
type Options struct {
	// Limit stops after the first Limit vectors of the file (0: all), like
	// gensim's limit. The rest of the file is not read, so a gzip
	// checksum is verified only when the whole file is.
	Limit int
	// MaxInflateRatio bounds how far gzip-compressed input may expand:
	// beyond its first 64 MiB, to at most this many times the compressed
	// bytes (0: 100; 1032 or more: no bound, as deflate cannot expand
	// more). Word vectors compress about 3-fold; the bound stops
	// decompression bombs.
	MaxInflateRatio float64
}

// Embeddings are word vectors in file order. Embeddings are a plain value:
// safe for concurrent use as long as no goroutine modifies them (a Bank from
// Bank shares their memory).
type Embeddings struct {
	Words   []string
	Vectors latent.Vectors
	// Duplicates counts the vectors dropped because their word came
	// earlier in the file: as gensim does, the first occurrence is kept, so
	// that row i is the i-th distinct word.
	Duplicates int
}

// Bank returns a latent.Bank over the embeddings (sharing their memory).
func (e *Embeddings) Bank() (*latent.Bank, error) {
	return latent.NewBank(e.Vectors, e.Words)
}

// Errors that callers can test for with errors.Is.
var (
	// ErrFormat reports a file that does not follow its format; the error
	// names the file and the line (text) or vector and byte offset (binary).
	ErrFormat = errors.New("malformed word-vector file")
)

// Limits on what a file may declare, so that a corrupt header cannot make
// the reader allocate without bound: memory grows with the vectors
// actually read, never with a header's claims.
const (
	maxDim     = 1 << 20
	maxWordLen = 1 << 16
	// maxPrealloc is the most components allocated up front from a
	// header's counts (4 MiB of float32); the rest grow with the data.
	maxPrealloc = 1 << 20
	// maxLine bounds a text line: a word and maxDim components of up to
	// 64 bytes each.
	maxLine = maxWordLen + 64*maxDim
)

// ReadFile reads a word-vector file. Files compressed with gzip (.gz) are
// recognised by their first bytes and decompressed.
func ReadFile(path string, f Format, opt *Options) (*Embeddings, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wordvec: %w", err)
	}
	defer fh.Close()
	return Read(fh, f, path, opt)
}

// Read reads word vectors in format f from r; name (a file name) goes into
// errors. Gzip-compressed input is recognised and decompressed (a bad
// checksum, trailing garbage or an expansion beyond MaxInflateRatio is an
// error). An empty input, a line with the wrong number of components, a
// number that does not parse or is not finite, invalid UTF-8 in a word, a
// line longer than 64 MiB or a header that does not match the data is an
// error that names the line. Memory grows with the vectors read: a header
// that announces more vectors than the file holds costs nothing.
func Read(r io.Reader, f Format, name string, opt *Options) (*Embeddings, error) {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.Limit < 0 {
		return nil, fmt.Errorf("wordvec: %s: Limit = %d", name, o.Limit)
	}
	if o.MaxInflateRatio < 0 || math.IsNaN(o.MaxInflateRatio) {
		return nil, fmt.Errorf("wordvec: %s: MaxInflateRatio = %v", name, o.MaxInflateRatio)
	}
	if name == "" {
		name = "input"
	}
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); inflate.IsGzip(magic) {
		ratio := o.MaxInflateRatio
		if ratio == 0 {
			ratio = inflate.DefaultRatio
		}
		zr, err := inflate.NewGzip(br, ratio, "wordvec.Options.MaxInflateRatio")
		if err != nil {
			return nil, fmt.Errorf("wordvec: %s: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		br.Discard(3)
	}
	rd := &reader{br: br, name: name, limit: o.Limit, seen: map[string]struct{}{}}
	var err error
	switch f {
	case GloVe, Word2Vec:
		err = rd.readText(f == Word2Vec)
	case Word2VecBinary:
		err = rd.readBinary()
	default:
		return nil, fmt.Errorf("wordvec: %s: unknown format %v", name, f)
	}
	if err != nil {
		return nil, err
	}
	if len(rd.words) == 0 {
		return nil, fmt.Errorf("wordvec: %s: %w: no vectors", name, latent.ErrEmpty)
	}
	return &Embeddings{
		Words:      rd.words,
		Vectors:    latent.Vectors{N: len(rd.words), D: rd.dim, Data: rd.data},
		Duplicates: rd.dups,
	}, nil
}

type reader struct {
	br    *bufio.Reader
	name  string
	limit int

	line int    // current line (text)
	buf  []byte // a line longer than br's buffer

	dim   int
	words []string
	data  []float32
	seen  map[string]struct{}
	dups  int
	read  int // vectors read, duplicates included
}

func (rd *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("wordvec: %s: line %d: %w: %s", rd.name, rd.line, ErrFormat, fmt.Sprintf(format, args...))
}

// nextLine returns the next line without its line ending (valid until the
// next call), or io.EOF.
func (rd *reader) nextLine() ([]byte, error) {
	rd.buf = rd.buf[:0]
	for {
		b, err := rd.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			rd.buf = append(rd.buf, b...)
			if len(rd.buf) > maxLine {
				return nil, fmt.Errorf("wordvec: %s: line %d: %w: line longer than %d MiB (not a word-vector file?)", rd.name, rd.line+1, ErrFormat, maxLine>>20)
			}
			continue
		}
		if len(rd.buf) > 0 {
			rd.buf = append(rd.buf, b...)
			b = rd.buf
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("wordvec: %s: line %d: %w", rd.name, rd.line+1, err)
		}
		if len(b) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		rd.line++
		return bytes.TrimRight(b, " \t\r\n"), nil
	}
}

// isBlank reports whether b is nothing but spaces and tabs.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// nextField splits the first field (up to a space or tab) off b.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	b = b[i:]
	j := 0
	for j < len(b) && b[j] != ' ' && b[j] != '\t' {
		j++
	}
	return b[:j], b[j:]
}

// parseHeader parses a word2vec header "N D".
func parseHeader(b []byte) (n, d int, ok bool) {
	f1, rest := nextField(b)
	f2, rest := nextField(rest)
	if len(f1) == 0 || len(f2) == 0 || !isBlank(rest) {
		return 0, 0, false
	}
	n64, err1 := strconv.ParseInt(string(f1), 10, 64)
	d64, err2 := strconv.ParseInt(string(f2), 10, 64)
	if err1 != nil || err2 != nil || n64 < 0 || d64 <= 0 || d64 > maxDim || n64 > math.MaxInt32*int64(1024) {
		return 0, 0, false
	}
	return int(n64), int(d64), true
}

// addWord records a vector's word; it reports false for a duplicate, whose
// components the caller drops.
func (rd *reader) addWord(w []byte) bool {
	rd.read++
	if _, dup := rd.seen[string(w)]; dup {
		rd.dups++
		return false
	}
	s := string(w)
	rd.seen[s] = struct{}{}
	rd.words = append(rd.words, s)
	return true
}

func (rd *reader) readText(header bool) error {
	want := -1 // vectors the header announces
	headerLine := 0
	if header {
		for {
			b, err := rd.nextLine()
			if err == io.EOF {
				return fmt.Errorf("wordvec: %s: %w: empty file (no header, no vectors)", rd.name, latent.ErrEmpty)
			}
			if err != nil {
				return err
			}
			if isBlank(b) {
				continue
			}
			n, d, ok := parseHeader(b)
			if !ok {
				return rd.errorf("header %q is not \"<vectors> <dimensions>\" (for GloVe files without a header use format glove)", clip(b))
			}
			want, rd.dim, headerLine = n, d, rd.line
			rd.data = make([]float32, 0, min(n*d, maxPrealloc))
			break
		}
	}
	firstLine := []byte(nil)
	for rd.limit == 0 || rd.read < rd.limit {
		if want >= 0 && rd.read == want {
			break
		}
		b, err := rd.nextLine()
		if err == io.EOF {
			if want >= 0 {
				return fmt.Errorf("wordvec: %s: %w: unexpected end of file after %d of the %d vectors announced on line %d", rd.name, ErrFormat, rd.read, want, headerLine)
			}
			break
		}
		if err != nil {
			return err
		}
		if isBlank(b) {
			continue
		}
		word, rest := nextField(b)
		if !utf8.Valid(word) {
			return rd.errorf("word is not valid UTF-8")
		}
		if rd.dim == 0 {
			// GloVe: the first line sets the dimension.
			n := 0
			for r := rest; ; n++ {
				var f []byte
				f, r = nextField(r)
				if len(f) == 0 {
					break
				}
			}
			if n == 0 {
				return rd.errorf("word %q has no components", clip(word))
			}
			if n > maxDim {
				return rd.errorf("%d components (at most %d)", n, maxDim)
			}
			rd.dim = n
			firstLine = append([]byte(nil), b...)
		}
		keep := rd.addWord(word)
		start := len(rd.data)
		k := 0
		for {
			var f []byte
			f, rest = nextField(rest)
			if len(f) == 0 {
				break
			}
			if k == rd.dim {
				k++
				break
			}
			x, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(f), len(f)), 32)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return rd.errorf("word %q: component %d: %q is not a number", clip(word), k+1, clip(f))
			}
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return rd.errorf("word %q: component %d: %q is not a finite float32", clip(word), k+1, clip(f))
			}
			if keep {
				rd.data = append(rd.data, float32(x))
			}
			k++
		}
		if k != rd.dim {
			rd.data = rd.data[:start]
			got := k
			if k > rd.dim {
				got = rd.dim + 1
				for r := rest; ; got++ {
					var f []byte
					f, r = nextField(r)
					if len(f) == 0 {
						break
					}
				}
			}
			msg := rd.errorf("word %q has %d components, want %d", clip(word), got, rd.dim)
			if !header && rd.line > 1 && looksLikeHeader(firstLine) {
				msg = fmt.Errorf("%w (the first line %q looks like a word2vec header: use format word2vec)", msg, clip(firstLine))
			}
			return msg
		}
	}
	if want >= 0 && (rd.limit == 0 || rd.read < rd.limit) {
		// The header's count is reached: only blank lines may follow.
		for {
			b, err := rd.nextLine()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if !isBlank(b) {
				return rd.errorf("more vectors than the %d announced on line %d", want, headerLine)
			}
		}
	}
	return nil
}

// looksLikeHeader reports whether a GloVe file's first line is "N D".
func looksLikeHeader(b []byte) bool {
	_, _, ok := parseHeader(b)
	return ok
}

// clip shortens long input quoted in errors.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

func (rd *reader) readBinary() error {
	// The header line.
	var hdr []byte
	for {
		c, err := rd.br.ReadByte()
		if err == io.EOF {
			if len(bytes.TrimSpace(hdr)) == 0 {
				return fmt.Errorf("wordvec: %s: %w: empty file (no header, no vectors)", rd.name, latent.ErrEmpty)
			}
			break
		}
		if err != nil {
			return fmt.Errorf("wordvec: %s: %w", rd.name, err)
		}
		if c == '\n' {
			break
		}
		hdr = append(hdr, c)
		if len(hdr) > 256 {
			return fmt.Errorf("wordvec: %s: line 1: %w: no header line \"<vectors> <dimensions>\" (is this a text file?)", rd.name, ErrFormat)
		}
	}
	rd.line = 1
	n, d, ok := parseHeader(bytes.TrimRight(hdr, "\r"))
	if !ok {
		return fmt.Errorf("wordvec: %s: line 1: %w: header %q is not \"<vectors> <dimensions>\"", rd.name, ErrFormat, clip(hdr))
	}
	rd.dim = d
	rd.data = make([]float32, 0, min(n*d, maxPrealloc))
	offset := int64(len(hdr) + 1)
	vec := make([]byte, 4*d)
	var word []byte
	for rd.read < n && (rd.limit == 0 || rd.read < rd.limit) {
		entry, start := rd.read+1, offset
		bad := func(format string, args ...any) error {
			return fmt.Errorf("wordvec: %s: vector %d (byte %d): %w: %s", rd.name, entry, start, ErrFormat, fmt.Sprintf(format, args...))
		}
		// Skip the newline some writers put after each vector.
		for {
			c, err := rd.br.ReadByte()
			if err == io.EOF {
				return bad("unexpected end of file after %d of the %d vectors the header announces", rd.read, n)
			}
			if err != nil {
				return fmt.Errorf("wordvec: %s: %w", rd.name, err)
			}
			if c != '\n' {
				rd.br.UnreadByte()
				break
			}
			offset++
			start = offset
		}
		word = word[:0]
		for {
			c, err := rd.br.ReadByte()
			if err == io.EOF {
				return bad("unexpected end of file in a word, after %d of the %d vectors the header announces", rd.read, n)
			}
			if err != nil {
				return fmt.Errorf("wordvec: %s: %w", rd.name, err)
			}
			offset++
			if c == ' ' {
				break
			}
			word = append(word, c)
			if len(word) > maxWordLen {
				return bad("word longer than %d bytes (wrong dimension in the header?)", maxWordLen)
			}
		}
		if len(word) == 0 {
			return bad("empty word")
		}
		if !utf8.Valid(word) {
			return bad("word is not valid UTF-8 (wrong dimension in the header?)")
		}
		if _, err := io.ReadFull(rd.br, vec); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return bad("unexpected end of file in the components of %q", clip(word))
			}
			return fmt.Errorf("wordvec: %s: %w", rd.name, err)
		}
		keep := rd.addWord(word)
		for j := 0; j < d; j++ {
			x := math.Float32frombits(binary.LittleEndian.Uint32(vec[4*j:]))
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return bad("word %q: component %d is %v", clip(word), j+1, x)
			}
			if keep {
				rd.data = append(rd.data, x)
			}
		}
		offset += int64(len(vec))
	}
	if rd.read == n {
		// Only white space may follow the last vector.
		for {
			c, err := rd.br.ReadByte()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("wordvec: %s: %w", rd.name, err)
			}
			if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
				return fmt.Errorf("wordvec: %s: byte %d: %w: data after the %d vectors the header announces", rd.name, offset, ErrFormat, n)
			}
			offset++
		}
	}
	return nil
}
