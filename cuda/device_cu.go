//go:build gpu && cgo

package cuda

import (
	"fmt"
	"reflect"
	"time"
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
		return nil, nil, fmt.Errorf("cuda: %w", cuErr("cuDeviceGetCount", err))
	}
	if opts.Device < 0 || opts.Device >= n {
		return nil, nil, fmt.Errorf("cuda: device %d of %d", opts.Device, n)
	}
	d := &cuDriver{}
	if d.dev, err = cu.GetDevice(opts.Device); err != nil {
		return nil, nil, fmt.Errorf("cuda: %w", cuErr(fmt.Sprintf("cuDeviceGet(%d)", opts.Device), err))
	}
	inf := DeviceInfo{Driver: cu.Version()}
	if inf.Name, err = d.dev.Name(); err != nil {
		return nil, nil, fmt.Errorf("cuda: %w", cuErr("cuDeviceGetName", err))
	}
	if inf.Major, inf.Minor, err = d.dev.ComputeCapability(); err != nil {
		return nil, nil, fmt.Errorf("cuda: %w", cuErr("cuDeviceGetAttribute(compute capability)", err))
	}
	if inf.TotalMem, err = d.dev.TotalMem(); err != nil {
		return nil, nil, fmt.Errorf("cuda: %w", cuErr("cuDeviceTotalMem", err))
	}
	d.inf = inf
	ptx, err := ptxFor(inf.Major, inf.Minor)
	if err != nil {
		return nil, nil, err
	}
	if d.ctx, err = d.dev.RetainPrimaryCtx(); err != nil {
		return nil, nil, fmt.Errorf("cuda: %w", cuErr("cuDevicePrimaryCtxRetain", err))
	}
	fail := func(err error) (driver, blas, error) {
		_ = d.close()
		return nil, nil, err
	}
	if err := cu.SetCurrentContext(d.ctx); err != nil {
		return fail(fmt.Errorf("cuda: %w", cuErr("cuCtxSetCurrent", err)))
	}
	if d.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return fail(fmt.Errorf("cuda: %w", cuErr("cuStreamCreate", err)))
	}
	if err := d.loadPTX(ptx); err != nil {
		return fail(err)
	}
	for k := range numKernels {
		if d.fns[k], err = d.mod.Function(kernelSpecs[k].name); err != nil {
			return fail(fmt.Errorf("cuda: %w", cuErr("cuModuleGetFunction("+kernelSpecs[k].name+")", err)))
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

// jitLogBytes is the size of each JIT log buffer.
const jitLogBytes = 32 << 10

// loadPTX loads the module with cuModuleLoadDataEx, capturing the JIT
// compiler's error log and (verbose) information log, and records the
// load time and the information log in d.inf. A failure's error carries
// the numeric CUresult and the error log.
func (d *cuDriver) loadPTX(ptx string) error {
	infoBuf := make([]byte, jitLogBytes)
	errBuf := make([]byte, jitLogBytes)
	t0 := time.Now()
	mod, err := cu.LoadDataEx(ptx,
		&cu.JITInfoLogBuffer{Buffer: infoBuf},
		&cu.JITErrorLogBuffer{Buffer: errBuf},
		&cu.JITLogVerbose{Enabled: true})
	d.inf.PTXLoad = time.Since(t0)
	d.inf.JITLog = jitLog(infoBuf)
	if err != nil {
		return fmt.Errorf("cuda: %w after %v (PTX JIT for sm_%d%d, %d bytes of PTX); JIT error log: %s",
			cuErr("cuModuleLoadDataEx", err), d.inf.PTXLoad.Round(time.Millisecond), d.inf.Major, d.inf.Minor, len(ptx),
			orNone(jitLog(errBuf)))
	}
	d.mod = mod
	return nil
}

// cuErr names the driver call and the numeric CUresult of err (which
// gorgonia.org/cu reports by name only).
func cuErr(call string, err error) error {
	if err == nil {
		return nil
	}
	if v := reflect.ValueOf(err); v.Kind() == reflect.Int {
		return fmt.Errorf("%s: %w (CUresult %d)", call, err, v.Int())
	}
	return fmt.Errorf("%s: %w", call, err)
}

func (d *cuDriver) info() DeviceInfo { return d.inf }

func (d *cuDriver) openSolver() (solver, error) {
	l, err := openCuSOLVER(uintptr(unsafe.Pointer(d.stream.C())))
	if err != nil {
		return nil, err
	}
	l.download = d.download
	return l, nil
}

func (d *cuDriver) memInfo() (free, total int64, err error) {
	free, total, err = cu.MemInfo()
	return free, total, cuErr("cuMemGetInfo", err)
}

func (d *cuDriver) alloc(bytes int64) (devPtr, error) {
	p, err := cu.MemAlloc(bytes)
	if err != nil {
		return 0, cuErr(fmt.Sprintf("cuMemAlloc(%d)", bytes), err)
	}
	return devPtr(p), nil
}

func (d *cuDriver) free(p devPtr) error { return cuErr("cuMemFree", cu.MemFree(cu.DevicePtr(p))) }

func (d *cuDriver) upload(dst devPtr, src unsafe.Pointer, bytes int64) error {
	// From pageable memory the call returns once src has been staged.
	return cuErr("cuMemcpyHtoDAsync", cu.MemcpyHtoDAsync(cu.DevicePtr(dst), src, bytes, d.stream))
}

func (d *cuDriver) download(dst unsafe.Pointer, src devPtr, bytes int64) error {
	if err := cu.MemcpyDtoHAsync(dst, cu.DevicePtr(src), bytes, d.stream); err != nil {
		return cuErr("cuMemcpyDtoHAsync", err)
	}
	return d.sync()
}

func (d *cuDriver) fill32(dst devPtr, v uint32, n int64) error {
	return cuErr("cuMemsetD32Async", cu.MemsetD32Async(cu.DevicePtr(dst), uint(v), n, d.stream))
}

func (d *cuDriver) launch(k kernel, grid, block dim3, a *args) error {
	d.ptrs = d.ptrs[:0]
	for i := range a.slots {
		d.ptrs = append(d.ptrs, unsafe.Pointer(&a.slots[i]))
	}
	return cuErr("cuLaunchKernel", d.fns[k].Launch(grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, d.stream, d.ptrs))
}

func (d *cuDriver) sync() error {
	return cuErr("cuStreamSynchronize", d.stream.Synchronize())
}

func (d *cuDriver) close() error {
	var first error
	keep := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	if d.stream != (cu.Stream{}) {
		keep(cuErr("cuStreamSynchronize", d.stream.Synchronize()))
	}
	if d.mod != (cu.Module{}) {
		keep(cuErr("cuModuleUnload", d.mod.Unload()))
		d.mod = cu.Module{}
	}
	if d.stream != (cu.Stream{}) {
		keep(cuErr("cuStreamDestroy", d.stream.Destroy()))
	}
	keep(cuErr("cuDevicePrimaryCtxRelease", d.dev.ReleasePrimaryCtx()))
	return first
}
