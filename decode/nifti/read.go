package nifti

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Image is a 3D or 4D image with its voxel values as float64, scaled by
// scl_slope and scl_inter, in file order: x fastest, then y, z and t.
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

// openStream reads and checks the header from r and leaves r at the first
// data byte. size is the number of bytes r holds, or -1 when unknown
// (compressed or streamed input). It returns the reader to take the data
// from and, when known, the number of bytes left in it.
func openStream(r io.Reader, size int64) (*Header, io.Reader, int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("gzip: %w", err)
		}
		r, size = gz, -1
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	head := make([]byte, header2Size)
	if n, err := io.ReadFull(br, head[:4]); err != nil {
		return nil, nil, 0, fmt.Errorf("reading header: %w (%d bytes)", truncated(err), n)
	}
	version, _, err := detect(head[:4])
	if err != nil {
		return nil, nil, 0, err
	}
	if version == 1 {
		head = head[:header1Size]
	}
	if n, err := io.ReadFull(br, head[4:]); err != nil {
		return nil, nil, 0, fmt.Errorf("reading header: %w (%d of %d bytes)", truncated(err), n+4, len(head))
	}
	h, err := parseHeader(head)
	if err != nil {
		return nil, nil, 0, err
	}
	hsize := int64(header1Size)
	if h.Version == 2 {
		hsize = header2Size
	}
	if err := checkMagic(head, h.Version); err != nil {
		return nil, nil, 0, err
	}
	if h.VoxOffset == 0 {
		// Some writers leave vox_offset unset; the data then follow the
		// header and its 4-byte extension flag.
		h.VoxOffset = hsize + 4
	}
	if err := h.validate(); err != nil {
		return nil, nil, 0, err
	}
	if size >= 0 {
		if need := h.VoxOffset + h.dataBytes(); need > size {
			return nil, nil, 0, fmt.Errorf("truncated file: the header needs %d bytes (vox_offset %d + %d of %v data), the file has %d", need, h.VoxOffset, h.dataBytes(), h.Datatype, size)
		}
	}
	// Skip the extension flag, any extensions and padding up to vox_offset.
	skip := h.VoxOffset - hsize
	if got, err := io.CopyN(io.Discard, br, skip); err != nil {
		return nil, nil, 0, fmt.Errorf("skipping to vox_offset %d: %w (%d bytes short)", h.VoxOffset, truncated(err), skip-got)
	}
	left := int64(-1)
	if size >= 0 {
		left = size - h.VoxOffset
	}
	return h, br, left, nil
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
