package cuda

import (
	"fmt"
	"math"
)

// devPtr is a device address (CUdeviceptr); 0 is the null pointer.
type devPtr uintptr

// args packs kernel parameters into 64-bit slots, one per parameter, as
// cuLaunchKernel reads them through gorgonia.org/cu's Launch (which copies
// 8 bytes from behind every parameter pointer): an int or a float sits in
// the low 4 bytes (little-endian), a long long, a double or a pointer fills
// the slot.
// The letters follow kernelSpec.sig, so a launch can be checked against the
// kernel's signature.
type args struct {
	slots []uint64
	sig   []byte
	err   error // an int parameter out of range
}

func (a *args) i32(v int) *args {
	if (v < math.MinInt32 || v > math.MaxInt32) && a.err == nil {
		a.err = fmt.Errorf("cuda: kernel parameter %d (%d) does not fit an int", len(a.slots), v)
	}
	a.slots = append(a.slots, uint64(uint32(int32(v))))
	a.sig = append(a.sig, 'i')
	return a
}

func (a *args) i64(v int64) *args {
	a.slots = append(a.slots, uint64(v))
	a.sig = append(a.sig, 'l')
	return a
}

func (a *args) f32(v float32) *args {
	a.slots = append(a.slots, uint64(math.Float32bits(v)))
	a.sig = append(a.sig, 'f')
	return a
}

func (a *args) f64(v float64) *args {
	a.slots = append(a.slots, math.Float64bits(v))
	a.sig = append(a.sig, 'd')
	return a
}

func (a *args) ptr(p devPtr) *args {
	a.slots = append(a.slots, uint64(p))
	a.sig = append(a.sig, 'p')
	return a
}

func (a *args) flag(b bool) *args {
	if b {
		return a.i32(1)
	}
	return a.i32(0)
}

// dims appends MAXD ints: d left-padded with 1s.
func (a *args) dims(d []int) *args {
	for i := range maxDims {
		j := i - (maxDims - len(d))
		if j >= 0 {
			a.i32(d[j])
		} else {
			a.i32(1)
		}
	}
	return a
}

// strides appends MAXD long longs: s left-padded with 0s.
func (a *args) strides(s []int64) *args {
	for i := range maxDims {
		j := i - (maxDims - len(s))
		if j >= 0 {
			a.i64(s[j])
		} else {
			a.i64(0)
		}
	}
	return a
}

// check compares the packed parameters with the kernel's signature.
func (a *args) check(k kernel) error {
	if k < 0 || k >= numKernels {
		return fmt.Errorf("cuda: unknown kernel %d", int(k))
	}
	if a.err != nil {
		return fmt.Errorf("launch of %s: %w", k, a.err)
	}
	if want := kernelSpecs[k].sig; string(a.sig) != want {
		return fmt.Errorf("cuda: launch of %s with parameters %q, its signature is %q", k, a.sig, want)
	}
	return nil
}
