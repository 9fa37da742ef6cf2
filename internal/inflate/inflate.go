// Package inflate bounds what compressed input may expand to, and reads
// gzip streams so that a corrupt one is an error rather than silently
// different data.
//
// A few kilobytes of deflate can claim or produce gigabytes (deflate
// expands at most 1032-fold, gzip and zip add nothing to that), so every
// reader of compressed data in the module asks Limit how many bytes its
// input may inflate to: Allowance (64 MiB) whatever the input, and beyond
// that at most Ratio times the compressed size. Real data stay far below
// the default ratio of 100 (fMRI runs, weights and word vectors compress
// 1-5-fold; masks and atlases compress more but are small), while a
// decompression bomb is refused as soon as its output outgrows its input,
// so memory stays proportional to the bytes of the file. A ratio of 1032
// or more turns the check off.
//
// The packages that read compressed files (tensor, decode/nifti,
// latent/wordvec) each export their own ratio (MaxInflateRatio) for
// callers with unusually compressible data.
package inflate

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
)

const (
	// DefaultRatio is the expansion the readers accept by default beyond
	// Allowance.
	DefaultRatio = 100
	// Allowance is what any input may inflate to, whatever its size.
	Allowance = 64 << 20
	// DeflateMax is the largest expansion deflate can produce; a ratio of
	// at least DeflateMax disables the check.
	DeflateMax = 1032
)

// ErrTooLarge is wrapped by the errors of inputs that inflate beyond
// their limit.
var ErrTooLarge = errors.New("compressed data inflate beyond the limit")

// Limit is the number of bytes compressed bytes of input may inflate to
// under ratio: the larger of Allowance and ratio*compressed, or
// math.MaxInt64 when ratio >= DeflateMax or compressed is unknown (< 0)
// and ratio disables the check.
func Limit(compressed int64, ratio float64) int64 {
	if ratio >= DeflateMax || math.IsNaN(ratio) {
		return math.MaxInt64
	}
	if compressed < 0 || ratio <= 0 {
		return Allowance
	}
	v := ratio * float64(compressed)
	if v >= math.MaxInt64/2 {
		return math.MaxInt64
	}
	return max(Allowance, int64(v))
}

// TooLarge returns the error for data that inflate (or claim to inflate)
// to n bytes from compressed bytes (-1: unknown), beyond Limit under
// ratio; knob names the setting that raises the ratio, for the message.
func TooLarge(n, compressed int64, ratio float64, knob string) error {
	from := "compressed input"
	if compressed >= 0 {
		from = fmt.Sprintf("%d compressed bytes", compressed)
	}
	return fmt.Errorf("%w: %d bytes from %s, more than %d (%g times the input beyond %d MiB); a decompression bomb or a corrupt file, or data so compressible that %s must be raised",
		ErrTooLarge, n, from, Limit(compressed, ratio), ratio, Allowance>>20, knob)
}

// Check returns TooLarge's error when n bytes exceed Limit(compressed,
// ratio), else nil.
func Check(n, compressed int64, ratio float64, knob string) error {
	if n > Limit(compressed, ratio) {
		return TooLarge(n, compressed, ratio, knob)
	}
	return nil
}

// counter counts the bytes of compressed input consumed. It is a
// flate.Reader, so gzip reads through it without buffering of its own and
// br stays exactly at the end of each member.
type counter struct {
	br *bufio.Reader
	n  int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.br.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *counter) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// Gzip reads a gzip stream. Unlike a bare gzip.Reader it never ends
// quietly on bad data: output beyond Limit(compressed bytes read, Ratio),
// a member whose CRC-32 or length does not match its data, and bytes after
// the last member that are not another gzip member are all errors, never
// io.EOF. The checksums are checked at the end of each member, so a
// reader must read to io.EOF (Finish does) before trusting the data.
type Gzip struct {
	z     *gzip.Reader
	in    *counter
	out   int64
	ratio float64
	knob  string
	err   error
}

// NewGzip starts reading the gzip stream in r; ratio and knob are as in
// Check. r is read through a buffer: bytes after the stream are consumed.
func NewGzip(r io.Reader, ratio float64, knob string) (*Gzip, error) {
	in := &counter{br: bufio.NewReaderSize(r, 1<<16)}
	z, err := gzip.NewReader(in)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	z.Multistream(false)
	return &Gzip{z: z, in: in, ratio: ratio, knob: knob}, nil
}

// Read implements io.Reader.
func (g *Gzip) Read(p []byte) (int, error) {
	for {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.z.Read(p)
		g.out += int64(n)
		if g.out > Limit(g.in.n, g.ratio) {
			g.err = TooLarge(g.out, g.in.n, g.ratio, g.knob)
			return n, g.err
		}
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF:
			// The member ended and its CRC-32 and length matched. Another
			// member may follow; anything else is garbage.
			next, perr := g.in.br.Peek(2)
			switch {
			case len(next) == 0 && perr == io.EOF:
				g.err = io.EOF
			case len(next) == 0:
				g.err = fmt.Errorf("gzip: %w", perr)
			case IsGzip(next):
				if err := g.z.Reset(g.in); err != nil {
					g.err = fmt.Errorf("gzip: member after byte %d: %w", g.in.n, err)
				} else {
					g.z.Multistream(false)
				}
			default:
				g.err = fmt.Errorf("gzip: data after the end of the compressed stream at byte %d (trailing garbage, or a corrupt file)", g.in.n)
			}
			if n > 0 {
				return n, nil
			}
			continue
		case errors.Is(err, gzip.ErrChecksum):
			g.err = errors.New("gzip: checksum mismatch: the compressed data are corrupt")
		case errors.Is(err, io.ErrUnexpectedEOF):
			g.err = errors.New("gzip: unexpected end of file (truncated)")
		default:
			g.err = fmt.Errorf("gzip: %w", err)
		}
		return n, g.err
	}
}

// Inflated is the number of bytes decompressed so far.
func (g *Gzip) Inflated() int64 { return g.out }

// Finish reads the rest of the stream, which must hold at most extra
// bytes (-1: any number, within the limit), and so verifies every
// checksum. It returns nil only if the whole stream is sound.
func (g *Gzip) Finish(extra int64) error {
	var n int64
	var err error
	if extra < 0 {
		n, err = io.Copy(io.Discard, g)
	} else {
		n, err = io.CopyN(io.Discard, g, extra+1)
		if err == io.EOF {
			err = nil
		} else if err == nil {
			return fmt.Errorf("unexpected data after the end (%d bytes or more)", n)
		}
	}
	return err
}

// Close releases the decompressor (not the underlying reader).
func (g *Gzip) Close() error { return g.z.Close() }

// IsGzip reports whether b starts with the gzip magic bytes.
func IsGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
