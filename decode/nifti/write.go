package nifti

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

// NewImage returns a zero image of the given shape (3 or 4 sizes) stored as
// dt, with the header of NewHeader.
func NewImage(dt Datatype, shape ...int) (*Image, error) {
	h, err := NewHeader(dt, shape...)
	if err != nil {
		return nil, err
	}
	return &Image{Header: h, Data: make([]float64, h.VolumeLen()*h.NumVolumes())}, nil
}

// WriteFile writes im to path as a single-file NIfTI image, gzip-compressed
// when path ends in ".gz". The file is written to a temporary file and
// renamed, so an error never leaves a partial image under path.
func WriteFile(path string, im *Image) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		if !strings.HasSuffix(strings.ToLower(path), ".gz") {
			return Write(w, im)
		}
		// Level 1, as nibabel: 4D runs compress well enough and fast.
		gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if err := Write(gz, im); err != nil {
			return err
		}
		return gz.Close()
	})
	if err != nil {
		return fmt.Errorf("nifti: %s: %w", path, err)
	}
	return nil
}

// Write writes im to w as an uncompressed single-file image in the version
// (1 or 2) and byte order of im.Header (little endian when unset). Values
// are stored as Header.Datatype after removing the header's scaling; a
// value that the datatype cannot hold is an error.
func Write(w io.Writer, im *Image) error {
	if im == nil || im.Header == nil {
		return fmt.Errorf("nil image or header")
	}
	h := im.Header.Clone()
	if h.Version == 0 {
		h.Version = 1
	}
	if h.Version != 1 && h.Version != 2 {
		return fmt.Errorf("version %d: only NIfTI-1 and NIfTI-2 can be written", h.Version)
	}
	bo := h.ByteOrder
	if bo == nil {
		bo = binary.LittleEndian
	}
	hsize := int64(header1Size)
	if h.Version == 2 {
		hsize = header2Size
	}
	h.VoxOffset = hsize + 4
	h.Bitpix = int16(8 * h.Datatype.Size())
	if err := h.validate(); err != nil {
		return err
	}
	n := h.VolumeLen() * h.NumVolumes()
	if len(im.Data) != n {
		return fmt.Errorf("image has %d values, its shape %v needs %d", len(im.Data), h.Shape(), n)
	}
	slope, inter, _ := h.Scaling()
	hdr, err := h.encode(bo)
	if err != nil {
		return err
	}
	if _, err := w.Write(append(hdr, 0, 0, 0, 0)); err != nil {
		return err
	}
	// Encode and write volume by volume to bound the extra memory.
	vl := h.VolumeLen()
	raw := make([]byte, vl*h.Datatype.Size())
	for t := 0; t < h.NumVolumes(); t++ {
		if err := h.Datatype.encode(raw, im.Data[t*vl:(t+1)*vl], bo, slope, inter); err != nil {
			return fmt.Errorf("volume %d: %w", t, err)
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
	return nil
}
