package nifti

import (
	"fmt"
	"io"

	"github.com/neurolatent/neurolatent/internal/inflate"
)

// Reader reads an image volume by volume, so a long 4D run never has to be
// held in memory at once. For a .nii.gz the gzip checksum is verified when
// the last volume is read: until then the data are unconfirmed. A Reader
// is not safe for concurrent use.
type Reader struct {
	h            *Header
	r            io.Reader
	closer       io.Closer
	sizeKnown    bool
	bounded      bool
	gz           *inflate.Gzip
	slope, inter float64
	next, n      int
	name         string
}

// Open opens a .nii or .nii.gz file and reads its header.
func Open(path string) (*Reader, error) {
	f, size, err := fileSize(path)
	if err != nil {
		return nil, err
	}
	r, err := newReader(f, size, f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	r.name = path
	return r, nil
}

// NewReader reads the header from r (plain or gzip-compressed NIfTI-1 or
// NIfTI-2) and returns a Reader positioned at the first volume.
func NewReader(r io.Reader) (*Reader, error) {
	rd, err := newReader(r, -1, nil)
	if err != nil {
		return nil, fmt.Errorf("nifti: %w", err)
	}
	return rd, nil
}

func newReader(r io.Reader, size int64, closer io.Closer) (*Reader, error) {
	st, err := openStream(r, size)
	if err != nil {
		return nil, err
	}
	h := st.h
	slope, inter, _ := h.Scaling()
	return &Reader{h: h, r: st.data, closer: closer, sizeKnown: st.left >= 0, bounded: st.bounded, gz: st.gz,
		slope: slope, inter: inter, n: h.NumVolumes(), name: "image"}, nil
}

// Header returns the image header.
func (r *Reader) Header() *Header { return r.h }

// Close closes the underlying file, if the Reader opened one.
func (r *Reader) Close() error {
	if r.gz != nil {
		r.gz.Close()
	}
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// ReadVolume reads the next volume into dst, which must have VolumeLen
// elements, scaled to image values. It returns io.EOF after the last one.
// Reading the last volume of a .nii.gz also reads the rest of the stream,
// so a checksum mismatch or trailing garbage is reported there.
func (r *Reader) ReadVolume(dst []float64) error {
	if r.next >= r.n {
		return io.EOF
	}
	vl := r.h.VolumeLen()
	if len(dst) != vl {
		return fmt.Errorf("nifti: %s: ReadVolume needs a buffer of %d values, got %d", r.name, vl, len(dst))
	}
	raw, err := r.readRaw()
	if err != nil {
		return err
	}
	r.h.Datatype.decode(dst, raw, r.h.ByteOrder, r.slope, r.inter)
	return nil
}

// readRaw reads the stored bytes of the next volume; after the last one it
// finishes a gzip stream (see finish).
func (r *Reader) readRaw() ([]byte, error) {
	raw, err := readFull(r.r, int64(r.h.VolumeLen()*r.h.Datatype.Size()), r.sizeKnown)
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: volume %d of %d: %w", r.name, r.next, r.n, err)
	}
	r.next++
	if r.next == r.n {
		if err := r.finish(); err != nil {
			return nil, fmt.Errorf("nifti: %s: %w", r.name, err)
		}
	}
	return raw, nil
}

// finish reads a .nii.gz to its end, which verifies the gzip checksums and
// that nothing but gzip data follows. Bytes after the voxel data inside
// the stream are allowed, as they are in a plain file.
func (r *Reader) finish() error {
	if r.gz == nil {
		return nil
	}
	return r.gz.Finish(-1)
}

// readAll reads the remaining data into an Image.
func (r *Reader) readAll() (*Image, error) {
	total := r.h.dataBytes()
	raw, err := readFull(r.r, total, r.sizeKnown)
	if err != nil {
		return nil, fmt.Errorf("image data: %w", err)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	data := make([]float64, total/int64(r.h.Datatype.Size()))
	r.h.Datatype.decode(data, raw, r.h.ByteOrder, r.slope, r.inter)
	r.next = r.n
	return &Image{Header: r.h, Data: data}, nil
}
