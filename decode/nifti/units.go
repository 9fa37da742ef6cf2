package nifti

import (
	"fmt"
	"math"
)

// Unit is a NIfTI unit code (bits of the xyzt_units field). Its values are
// constants, safe for concurrent use.
type Unit uint8

// Spatial units (xyzt_units & 0x07) and temporal units (xyzt_units & 0x38).
const (
	UnitUnknown Unit = 0
	UnitMeter   Unit = 1
	UnitMM      Unit = 2
	UnitMicron  Unit = 3
	UnitSec     Unit = 8
	UnitMsec    Unit = 16
	UnitUsec    Unit = 24
	UnitHz      Unit = 32
	UnitPPM     Unit = 40
	UnitRads    Unit = 48
)

var unitNames = map[Unit]string{
	UnitUnknown: "unknown", UnitMeter: "m", UnitMM: "mm", UnitMicron: "micron",
	UnitSec: "s", UnitMsec: "ms", UnitUsec: "us", UnitHz: "Hz", UnitPPM: "ppm", UnitRads: "rad/s",
}

// String names the unit ("mm", "s", ...).
func (u Unit) String() string {
	if s, ok := unitNames[u]; ok {
		return s
	}
	return fmt.Sprintf("unit(%d)", uint8(u))
}

// SpaceUnit is the unit of the voxel sizes Pixdim[1:4].
func (h *Header) SpaceUnit() Unit { return Unit(h.XYZTUnits & 0x07) }

// TimeUnit is the unit of Pixdim[4].
func (h *Header) TimeUnit() Unit { return Unit(h.XYZTUnits & 0x38) }

// SetUnits sets the spatial and temporal units.
func (h *Header) SetUnits(space, time Unit) {
	h.XYZTUnits = uint8(space&0x07) | uint8(time&0x38)
}

// VoxelSizeMM returns the voxel sizes in millimetres (absolute values of
// Pixdim[1:4], converted from metres or microns; unknown units are taken as
// millimetres, as most software does).
func (h *Header) VoxelSizeMM() [3]float64 {
	f := 1.0
	switch h.SpaceUnit() {
	case UnitMeter:
		f = 1000
	case UnitMicron:
		f = 0.001
	}
	var v [3]float64
	for i := range v {
		v[i] = math.Abs(h.Pixdim[i+1]) * f
	}
	return v
}

// maxPlausibleTR is the longest repetition time, in seconds, accepted at
// face value. Longer values labelled as seconds are read as milliseconds.
const maxPlausibleTR = 100

// TR returns the repetition time of a 4D image in seconds.
//
// Pixdim[4] is converted from its unit (ms and us are scaled). Some writers
// store the TR in milliseconds while the unit field says seconds (nibabel's
// example4d.nii.gz has pixdim[4] = 2000 with unit "sec"): a value in seconds
// (or with no unit) above 100 is read as milliseconds, and note says so.
// note is empty when the header was taken at face value. An image that is
// not 4D, a TR that is zero, negative or not finite, or a frequency unit
// (Hz, ppm, rad/s) is an error.
func (h *Header) TR() (seconds float64, note string, err error) {
	if h.NumVolumes() < 2 && h.Dim[0] < 4 {
		return 0, "", fmt.Errorf("nifti: a %dD image has no repetition time", h.Dim[0])
	}
	v := h.Pixdim[4]
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, "", fmt.Errorf("nifti: pixdim[4] = %v is not a valid repetition time", v)
	}
	switch u := h.TimeUnit(); u {
	case UnitMsec:
		return v / 1000, "", nil
	case UnitUsec:
		return v / 1e6, "", nil
	case UnitSec, UnitUnknown:
		if v > maxPlausibleTR {
			return v / 1000, fmt.Sprintf("pixdim[4] = %g with time unit %q is implausible as seconds; read as %g ms", v, u.String(), v), nil
		}
		if u == UnitUnknown {
			return v, fmt.Sprintf("no time unit; pixdim[4] = %g read as seconds", v), nil
		}
		return v, "", nil
	default:
		return 0, "", fmt.Errorf("nifti: time unit %v is not a time; no repetition time", u)
	}
}
