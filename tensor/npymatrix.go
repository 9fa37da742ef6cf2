package tensor

import (
	"encoding/binary"
	"math"
	"os"

	gt "gorgonia.org/tensor"
)

// NPYMatrix is a two-dimensional float32 or float64 .npy file read from
// disk in blocks of rows or columns, for matrices larger than memory: a
// Natural Scenes Dataset subject's whole-brain betas, 30,000 trials by
// 700,000 voxels of float32, take 84 GB. Values come out as float64.
// Reads go through ReadAt, so one NPYMatrix serves several goroutines.
type NPYMatrix struct {
	f          *os.File
	name       string
	rows, cols int
	esize      int   // 4 or 8
	big        bool  // big-endian data
	fortran    bool  // column-major data
	start      int64 // offset of the first element
}

// OpenNPYMatrix opens a .npy file holding a 2-D float32 or float64 array
// (either byte order, C or Fortran order) without reading its data. The
// file's size must match its header exactly.
func OpenNPYMatrix(path string) (*NPYMatrix, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	h, start, err := readNPYHeader(f, size, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(h.shape) != 2 || h.half || (h.dt != gt.Float32 && h.dt != gt.Float64) {
		f.Close()
		return nil, errorf(path, "shape %v of %s: want a 2-D float32 or float64 array to read in blocks", h.shape, h.dt)
	}
	_, nbytes, ok := numelChecked(h.shape, h.esize, 1<<62)
	if !ok || nbytes != size-start {
		f.Close()
		return nil, errorf(path, "shape %v of %d-byte elements needs %d data bytes, file has %d", h.shape, h.esize, nbytes, size-start)
	}
	return &NPYMatrix{f: f, name: path, rows: h.shape[0], cols: h.shape[1], esize: h.esize,
		big: h.big, fortran: h.fortran, start: start}, nil
}

// Dims returns the numbers of rows and columns.
func (m *NPYMatrix) Dims() (rows, cols int) { return m.rows, m.cols }

// Close closes the file.
func (m *NPYMatrix) Close() error { return m.f.Close() }

// ReadColumns fills dst[:rows*w] with columns j0 to j0+w-1, row-major
// (stride w).
func (m *NPYMatrix) ReadColumns(dst []float64, j0, w int) error {
	if j0 < 0 || w < 0 || j0+w > m.cols || len(dst) < m.rows*w {
		return errorf(m.name, "columns %d..%d of %d into %d values: out of range", j0, j0+w, m.cols, len(dst))
	}
	return m.block(dst, 0, m.rows, j0, w)
}

// ReadRows fills dst[:n*cols] with rows i0 to i0+n-1, row-major.
func (m *NPYMatrix) ReadRows(dst []float64, i0, n int) error {
	if i0 < 0 || n < 0 || i0+n > m.rows || len(dst) < n*m.cols {
		return errorf(m.name, "rows %d..%d of %d into %d values: out of range", i0, i0+n, m.rows, len(dst))
	}
	return m.block(dst, i0, n, 0, m.cols)
}

// block reads rows i0..i0+n-1 and columns j0..j0+w-1 into dst (n by w,
// row-major), one contiguous run of the file at a time: a row segment of
// C-order data, a column segment of Fortran-order data.
func (m *NPYMatrix) block(dst []float64, i0, n, j0, w int) error {
	runs, length := n, w // C order: n runs of w elements
	if m.fortran {
		runs, length = w, n
	}
	buf := make([]byte, length*m.esize)
	for r := range runs {
		var off int64
		if m.fortran {
			off = int64(j0+r)*int64(m.rows) + int64(i0)
		} else {
			off = int64(i0+r)*int64(m.cols) + int64(j0)
		}
		if _, err := m.f.ReadAt(buf, m.start+off*int64(m.esize)); err != nil {
			return errorf(m.name, "reading: %w", truncErr(err))
		}
		for k := range length {
			v := m.value(buf[k*m.esize:])
			if m.fortran {
				dst[k*w+r] = v
			} else {
				dst[r*w+k] = v
			}
		}
	}
	return nil
}

func (m *NPYMatrix) value(b []byte) float64 {
	var order binary.ByteOrder = binary.LittleEndian
	if m.big {
		order = binary.BigEndian
	}
	if m.esize == 4 {
		return float64(math.Float32frombits(order.Uint32(b)))
	}
	return math.Float64frombits(order.Uint64(b))
}
