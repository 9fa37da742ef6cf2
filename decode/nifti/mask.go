package nifti

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Mask selects voxels of a 3D grid: Indices are offsets into a volume (x
// fastest), in increasing order. It is a plain value: safe for concurrent
// use as long as no goroutine modifies it.
type Mask struct {
	Shape   [3]int
	Indices []int
}

// NewMask makes a mask of the voxels of vol (a volume of the given shape)
// that are non-zero and finite.
func NewMask(vol []float64, shape [3]int) (*Mask, error) {
	if len(vol) != shape[0]*shape[1]*shape[2] {
		return nil, fmt.Errorf("nifti: mask volume has %d values, shape %v needs %d", len(vol), shape, shape[0]*shape[1]*shape[2])
	}
	m := &Mask{Shape: shape}
	for i, v := range vol {
		if v != 0 && !math.IsNaN(v) && !math.IsInf(v, 0) {
			m.Indices = append(m.Indices, i)
		}
	}
	return m, nil
}

// FullMask selects every voxel of the grid.
func FullMask(shape [3]int) *Mask {
	m := &Mask{Shape: shape, Indices: make([]int, shape[0]*shape[1]*shape[2])}
	for i := range m.Indices {
		m.Indices[i] = i
	}
	return m
}

// LoadMask reads a 3D mask image (non-zero, finite voxels are in the mask).
// A 4D file with more than one volume is an error.
func LoadMask(path string) (*Mask, error) {
	im, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if im.Header.NumVolumes() != 1 {
		return nil, fmt.Errorf("nifti: %s: a mask must be 3D, this image has %d volumes", path, im.Header.NumVolumes())
	}
	s := im.Header.Shape()
	m, err := NewMask(im.Data, [3]int{s[0], s[1], s[2]})
	if err != nil {
		return nil, fmt.Errorf("nifti: %s: %w", path, err)
	}
	if len(m.Indices) == 0 {
		return nil, fmt.Errorf("nifti: %s: the mask selects no voxel", path)
	}
	return m, nil
}

// Len is the number of voxels in the mask.
func (m *Mask) Len() int { return len(m.Indices) }

// Coords returns the (x, y, z) indices of mask voxel i.
func (m *Mask) Coords(i int) [3]int {
	o := m.Indices[i]
	return [3]int{o % m.Shape[0], (o / m.Shape[0]) % m.Shape[1], o / (m.Shape[0] * m.Shape[1])}
}

// Gather copies the masked voxels of vol into dst (Len values).
func (m *Mask) Gather(dst, vol []float64) {
	for i, o := range m.Indices {
		dst[i] = vol[o]
	}
}

// Scatter writes vals (Len values) to the masked voxels of vol.
func (m *Mask) Scatter(vol, vals []float64) {
	for i, o := range m.Indices {
		vol[o] = vals[i]
	}
}

// ReadMasked reads a 4D image volume by volume and returns its masked
// voxels as a matrix with one row per volume and one column per mask
// voxel, with the image header. A nil mask selects every voxel (without
// building a Mask: FullMask makes one when needed). The mask must have the
// image's 3D shape. A .nii.gz is checked to its end (gzip checksum,
// nothing but gzip data after it) before the matrix is returned.
func ReadMasked(path string, m *Mask) (*mat.Dense, *Header, error) {
	r, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	out, err := readMasked(r, m)
	if err != nil {
		return nil, nil, err
	}
	return out, r.Header(), nil
}

// readMasked is ReadMasked on an open reader. Memory grows with the
// volumes read, except where the header's size has been checked against
// the input (Reader.bounded), so that a header claiming a huge image costs
// nothing until its data arrive.
func readMasked(r *Reader, m *Mask) (*mat.Dense, error) {
	h := r.Header()
	s := h.Shape()
	shape := [3]int{s[0], s[1], s[2]}
	cols := h.VolumeLen()
	if m != nil {
		if m.Shape != shape {
			return nil, fmt.Errorf("nifti: %s: image grid %v does not match the mask's %v", r.name, shape, m.Shape)
		}
		if m.Len() == 0 {
			return nil, fmt.Errorf("nifti: %s: empty mask", r.name)
		}
		cols = m.Len()
	}
	nt := h.NumVolumes()
	var data []float64
	if r.bounded {
		data = make([]float64, 0, nt*cols)
	}
	var vol []float64
	for t := 0; t < nt; t++ {
		raw, err := r.readRaw()
		if err != nil {
			return nil, err
		}
		data = slices.Grow(data, cols)
		row := data[len(data) : len(data)+cols]
		if m == nil {
			h.Datatype.decode(row, raw, h.ByteOrder, r.slope, r.inter)
		} else {
			if vol == nil {
				vol = make([]float64, h.VolumeLen())
			}
			h.Datatype.decode(vol, raw, h.ByteOrder, r.slope, r.inter)
			m.Gather(row, vol)
		}
		data = data[:len(data)+cols]
	}
	return mat.NewDense(nt, cols, data), nil
}
