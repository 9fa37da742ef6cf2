package nifti

import (
	"fmt"
	"math"
)

// maxDim bounds every dimension a header may claim, so that products of
// sizes cannot overflow int64 (the bytes present are checked separately).
const maxDim = 1 << 24

// Shape returns the image's sizes: always 3 (x, y, z) or 4 (x, y, z, t)
// values. Images of 1 or 2 dimensions are given as 3D with size-1 axes;
// trailing size-1 axes beyond the fourth are dropped (validate rejects
// images that really have more than 4 dimensions).
func (h *Header) Shape() []int {
	n := 3
	if h.Dim[0] >= 4 {
		n = 4
	}
	s := make([]int, n)
	for i := range s {
		s[i] = 1
		if int64(i) < h.Dim[0] {
			s[i] = int(h.Dim[i+1])
		}
	}
	return s
}

// VolumeLen is the number of voxels in one 3D volume (x*y*z).
func (h *Header) VolumeLen() int {
	s := h.Shape()
	return s[0] * s[1] * s[2]
}

// NumVolumes is the number of 3D volumes: the size of the fourth axis, or
// 1 for a 3D image.
func (h *Header) NumVolumes() int {
	s := h.Shape()
	if len(s) == 4 {
		return s[3]
	}
	return 1
}

// dataBytes is the size of the voxel data in bytes.
func (h *Header) dataBytes() int64 {
	return int64(h.VolumeLen()) * int64(h.NumVolumes()) * int64(h.Datatype.Size())
}

// validate checks the fields a reader relies on: dimensions (1 to 4 real
// axes, sizes in range), a supported datatype, a usable scaling and the data
// offset.
func (h *Header) validate() error {
	nd := h.Dim[0]
	if nd < 1 || nd > 7 {
		return fmt.Errorf("dim[0] = %d: the number of dimensions must be 1 to 7", nd)
	}
	total := int64(1)
	for i := int64(1); i <= nd; i++ {
		d := h.Dim[i]
		if d < 1 || d > maxDim {
			return fmt.Errorf("dim[%d] = %d is not a valid size", i, d)
		}
		if i > 4 && d > 1 {
			return fmt.Errorf("%dD image (dim = %v): only 3D and 4D images are supported", nd, h.Dim[1:nd+1])
		}
		if i <= 4 {
			if total > math.MaxInt64/8/d {
				return fmt.Errorf("dim = %v: image too large", h.Dim[1:nd+1])
			}
			total *= d
		}
	}
	if h.Datatype.Size() == 0 {
		return fmt.Errorf("unsupported datatype %d (supported: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64)", int16(h.Datatype))
	}
	if _, _, err := h.Scaling(); err != nil {
		return err
	}
	min := int64(header1Size + 4)
	if h.Version == 2 {
		min = header2Size + 4
	}
	if h.VoxOffset < min {
		return fmt.Errorf("vox_offset %d is before the end of the header (%d)", h.VoxOffset, min)
	}
	return nil
}

// Scaling returns the slope and intercept that turn stored values into
// image values. As in the NIfTI standard (and nibabel), a slope of zero or
// a non-finite slope means no scaling (1, 0); a finite slope with a
// non-finite intercept is an error.
func (h *Header) Scaling() (slope, inter float64, err error) {
	if h.SclSlope == 0 || math.IsNaN(h.SclSlope) || math.IsInf(h.SclSlope, 0) {
		return 1, 0, nil
	}
	if math.IsNaN(h.SclInter) || math.IsInf(h.SclInter, 0) {
		return 0, 0, fmt.Errorf("scl_slope %v with an invalid scl_inter %v", h.SclSlope, h.SclInter)
	}
	return h.SclSlope, h.SclInter, nil
}
