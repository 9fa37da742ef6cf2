//go:build gpu && cgo

package cuda

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// Available reports whether this build can use a GPU (built with -tags
// gpu and cgo).
const Available = true

// New starts an engine on the device opts.Device: it retains the
// device's primary context (shared with cuBLAS) on a locked OS thread,
// creates a stream, loads the embedded PTX for the card and, unless
// opts.GEMM is GEMMOwn, loads cuBLAS.
func New(opts Options) (*Engine, error) {
	return newEngine(opts, openCU)
}

// cuDriver is the driver over gorgonia.org/cu.
type cuDriver struct {
	dev    cu.Device
	ctx    cu.CUContext
	stream cu.Stream
	mod    cu.Module
	fns    [numKernels]cu.Function
	inf    DeviceInfo
	// ptrs holds the argument pointers of a launch (reused; the device
	// thread is the only caller).
	ptrs []unsafe.Pointer
}

func openCU(opts Options) (driver, blas, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, nil, fmt.Errorf("cuda: cuDeviceGetCount: %w", err)
	}
	if opts.Device < 0 || opts.Device >= n {
		return nil, nil, fmt.Errorf("cuda: device %d of %d", opts.Device, n)
	}
	d := &cuDriver{}
	if d.dev, err = cu.GetDevice(opts.Device); err != nil {
		return nil, nil, fmt.Errorf("cuda: cuDeviceGet(%d): %w", opts.Device, err)
	}
	inf := DeviceInfo{Driver: cu.Version()}
	if inf.Name, err = d.dev.Name(); err != nil {
		return nil, nil, fmt.Errorf("cuda: cuDeviceGetName: %w", err)
	}
	if inf.Major, inf.Minor, err = d.dev.ComputeCapability(); err != nil {
		return nil, nil, fmt.Errorf("cuda: compute capability: %w", err)
	}
	if inf.TotalMem, err = d.dev.TotalMem(); err != nil {
		return nil, nil, fmt.Errorf("cuda: cuDeviceTotalMem: %w", err)
	}
	d.inf = inf
	ptx, err := ptxFor(inf.Major, inf.Minor)
	if err != nil {
		return nil, nil, err
	}
	if d.ctx, err = d.dev.RetainPrimaryCtx(); err != nil {
		return nil, nil, fmt.Errorf("cuda: cuDevicePrimaryCtxRetain: %w", err)
	}
	fail := func(err error) (driver, blas, error) {
		_ = d.close()
		return nil, nil, err
	}
	if err := cu.SetCurrentContext(d.ctx); err != nil {
		return fail(fmt.Errorf("cuda: cuCtxSetCurrent: %w", err))
	}
	if d.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return fail(fmt.Errorf("cuda: cuStreamCreate: %w", err))
	}
	if d.mod, err = cu.LoadData(ptx); err != nil {
		return fail(fmt.Errorf("cuda: cuModuleLoadData (PTX JIT for sm_%d%d): %w", inf.Major, inf.Minor, err))
	}
	for k := range numKernels {
		if d.fns[k], err = d.mod.Function(kernelSpecs[k].name); err != nil {
			return fail(fmt.Errorf("cuda: cuModuleGetFunction(%s): %w", kernelSpecs[k].name, err))
		}
	}
	if opts.GEMM == GEMMOwn {
		d.inf.GEMMNote = "Options.GEMM is GEMMOwn"
		return d, nil, nil
	}
	bl, err := openCuBLAS(uintptr(unsafe.Pointer(d.stream.C())), opts.AllowTF32)
	if err != nil {
		if opts.GEMM == GEMMCuBLAS {
			return fail(err)
		}
		d.inf.GEMMNote = err.Error()
		return d, nil, nil // GEMMAuto: fall back to the own kernel
	}
	return d, bl, nil
}

func (d *cuDriver) info() DeviceInfo { return d.inf }

func (d *cuDriver) memInfo() (free, total int64, err error) { return cu.MemInfo() }

func (d *cuDriver) alloc(bytes int64) (devPtr, error) {
	p, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, fmt.Errorf("cuMemAlloc(%d): %w", bytes, err)
	}
	return devPtr(p), nil
}

func (d *cuDriver) free(p devPtr) error { return cu.MemFree(cu.DevicePtr(p)) }

func (d *cuDriver) upload(dst devPtr, src unsafe.Pointer, bytes int64) error {
	// From pageable memory the call returns once src has been staged.
	return cu.MemcpyHtoDAsync(cu.DevicePtr(dst), src, bytes, d.stream)
}

func (d *cuDriver) download(dst unsafe.Pointer, src devPtr, bytes int64) error {
	if err := cu.MemcpyDtoHAsync(dst, cu.DevicePtr(src), bytes, d.stream); err != nil {
		return fmt.Errorf("cuMemcpyDtoHAsync: %w", err)
	}
	return d.sync()
}

func (d *cuDriver) fill32(dst devPtr, v uint32, n int64) error {
	return cu.MemsetD32Async(cu.DevicePtr(dst), uint(v), n, d.stream)
}

func (d *cuDriver) launch(k kernel, grid, block dim3, a *args) error {
	d.ptrs = d.ptrs[:0]
	for i := range a.slots {
		d.ptrs = append(d.ptrs, unsafe.Pointer(&a.slots[i]))
	}
	return d.fns[k].Launch(grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, d.stream, d.ptrs)
}

func (d *cuDriver) sync() error {
	if err := d.stream.Synchronize(); err != nil {
		return fmt.Errorf("cuStreamSynchronize: %w", err)
	}
	return nil
}

func (d *cuDriver) close() error {
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	if d.stream != (cu.Stream{}) {
		keep(d.stream.Synchronize())
	}
	if d.mod != (cu.Module{}) {
		keep(d.mod.Unload())
		d.mod = cu.Module{}
	}
	if d.stream != (cu.Stream{}) {
		keep(d.stream.Destroy())
	}
	keep(d.dev.ReleasePrimaryCtx())
	return first
}
