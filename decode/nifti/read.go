package nifti

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/neurolatent/neurolatent/internal/inflate"
)

// Image is a 3D or 4D image with its voxel values as float64, scaled by
// scl_slope and scl_inter, in file order: x fastest, then y, z and t. It is
// a plain value: safe for concurrent use as long as no goroutine modifies
// it.
type Image struct {
	Header *Header
	Data   []float64
}

// Index returns the offset in Data of voxel (x, y, z) of volume t.
func (im *Image) Index(x, y, z, t int) int {
	s := im.Header.Shape()
	return x + s[0]*(y+s[1]*(z+s[2]*t))
}

// At returns the value of voxel (x, y, z) in volume t.
func (im *Image) At(x, y, z, t int) float64 { return im.Data[im.Index(x, y, z, t)] }

// Volume returns volume t (a slice of Data, not a copy).
func (im *Image) Volume(t int) []float64 {
	n := im.Header.VolumeLen()
	return im.Data[t*n : (t+1)*n]
}

// ReadFile reads a whole .nii or .nii.gz image (gzip is detected from the
// content, not the name).
func ReadFile(path string) (*Image, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	im, err := r.readAll()
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	return im, nil
}

// Read reads a whole image from r (plain or gzip-compressed).
func Read(r io.Reader) (*Image, error) {
	rd, err := newReader(r, -1, nil)
	if err != nil {
		return nil, fmt.Errorf("nifti: %w", err)
	}
	im, err := rd.readAll()
	if err != nil {
		return nil, fmt.Errorf("nifti: %w", err)
	}
	return im, nil
}

// ReadHeader reads only the header of a .nii or .nii.gz file.
func ReadHeader(path string) (*Header, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Header(), nil
}

// MaxInflateRatio bounds how far a .nii.gz may expand: beyond its first
// 64 MiB, to at most this many times its compressed size. fMRI runs
// compress 1.5-5-fold and masks, which compress far more, are small, so
// the default of 100 refuses only decompression bombs: a header claiming
// more voxel data than the bound is refused before anything is allocated.
// Raise it (1032 or more: no bound, deflate cannot expand further) for
// unusually compressible images. Set it before reading, not while reads
// are running.
var MaxInflateRatio float64 = inflate.DefaultRatio

// stream is an opened image: its header, the reader of its voxel data and
// what is known about their size.
type stream struct {
	h    *Header
	data io.Reader
	// left is the number of bytes of a plain file after vox_offset, or -1
	// (compressed or streamed input).
	left int64
	// bounded reports that the header's data size has been checked against
	// the input (the file's size, or the gzip bound of its compressed size):
	// buffers may then be allocated from the header.
	bounded bool
	// gz is the decompressor of a .nii.gz, which the reader finishes after
	// the last volume so that its checksum is verified.
	gz *inflate.Gzip
}

// openStream reads and checks the header from r and leaves r at the first
// data byte. size is the number of bytes r holds, or -1 when unknown.
func openStream(r io.Reader, size int64) (*stream, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var gz *inflate.Gzip
	compressed := int64(-1)
	if magic, _ := br.Peek(2); inflate.IsGzip(magic) {
		var err error
		if gz, err = inflate.NewGzip(br, MaxInflateRatio, "nifti.MaxInflateRatio"); err != nil {
			return nil, err
		}
		compressed, size = size, -1
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	head := make([]byte, header2Size)
	if n, err := io.ReadFull(br, head[:4]); err != nil {
		return nil, fmt.Errorf("reading header: %w (%d bytes)", truncated(err), n)
	}
	version, _, err := detect(head[:4])
	if err != nil {
		return nil, err
	}
	if version == 1 {
		head = head[:header1Size]
	}
	if n, err := io.ReadFull(br, head[4:]); err != nil {
		return nil, fmt.Errorf("reading header: %w (%d of %d bytes)", truncated(err), n+4, len(head))
	}
	h, err := parseHeader(head)
	if err != nil {
		return nil, err
	}
	hsize := int64(header1Size)
	if h.Version == 2 {
		hsize = header2Size
	}
	if err := checkMagic(head, h.Version); err != nil {
		return nil, err
	}
	if h.VoxOffset == 0 {
		// Some writers leave vox_offset unset; the data then follow the
		// header and its 4-byte extension flag.
		h.VoxOffset = hsize + 4
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	need := h.VoxOffset + h.dataBytes()
	if size >= 0 && need > size {
		return nil, fmt.Errorf("truncated file: the header needs %d bytes (vox_offset %d + %d of %v data), the file has %d", need, h.VoxOffset, h.dataBytes(), h.Datatype, size)
	}
	if gz != nil && compressed >= 0 {
		if lim := inflate.Limit(compressed, MaxInflateRatio); need > lim {
			return nil, fmt.Errorf("gzip: the header claims %v voxels of %v (%d bytes), more than a %d-byte compressed file may inflate to (%d bytes; nifti.MaxInflateRatio %g): a corrupt header or a decompression bomb",
				h.Shape(), h.Datatype, need, compressed, lim, MaxInflateRatio)
		}
	}
	// Skip the extension flag, any extensions and padding up to vox_offset.
	skip := h.VoxOffset - hsize
	if got, err := io.CopyN(io.Discard, br, skip); err != nil {
		return nil, fmt.Errorf("skipping to vox_offset %d: %w (%d bytes short)", h.VoxOffset, truncated(err), skip-got)
	}
	st := &stream{h: h, data: br, left: -1, bounded: size >= 0 || compressed >= 0, gz: gz}
	if size >= 0 {
		st.left = size - h.VoxOffset
	}
	return st, nil
}

// truncated turns the EOF errors of a short read into one clear error.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated
	}
	return err
}

var errTruncated = errors.New("unexpected end of file (truncated)")

// readFull reads exactly n bytes. When the input's size is unknown the
// buffer grows with the data actually read, so a header that claims a huge
// image cannot make the reader allocate more than about twice what the
// input really holds.
func readFull(r io.Reader, n int64, sizeKnown bool) ([]byte, error) {
	if sizeKnown {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, truncated(err)
		}
		return buf, nil
	}
	const chunk = 1 << 20
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(n, max(int64(cap(buf))*2, chunk))
			nb := make([]byte, len(buf), grow)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if err == io.EOF && int64(len(buf)) == n {
				break
			}
			if err == io.EOF {
				return nil, fmt.Errorf("%w: %d of %d data bytes", errTruncated, len(buf), n)
			}
			return nil, err
		}
	}
	return buf, nil
}

// fileSize opens path and returns the file and its size.
func fileSize(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("nifti: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("nifti: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("nifti: %s: not a regular file", path)
	}
	return f, st.Size(), nil
}
