package cuda

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"unsafe"
	"weak"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// Engine runs model code on one CUDA device (nn.Engine). Each Run calls
// the model code on a fresh Backend whose operations launch kernels on the
// engine's stream as they are called (eager execution); Run then copies the
// outputs back to the host.
//
// The engine owns the device's primary context, made current on an OS
// thread that the engine locks for its lifetime; every CUDA call happens on
// that thread. Run may be called from many goroutines at once: the runs are
// queued and executed one at a time on the device thread, each with its
// own Backend, so their results are those of sequential runs. (The model
// code passed to Run executes on the device thread too; it must not call
// Run on the same engine, which would deadlock.) For parallelism use one
// Engine per GPU.
//
// Parameters (nn.Param) are uploaded on first use and kept on the device,
// keyed by the *nn.Param; a parameter whose Value is replaced (as loading
// a state dict does) is uploaded again, and the copies of parameters the
// program no longer references are freed after the garbage collector
// finds them. In-place changes to a Value's data are not seen: call Forget
// after them. Batch norm in inference form is folded, once per layer, into
// a per-channel scale and shift computed on the host in float64.
//
// Device memory comes from a caching pool: after the first run of a model
// at a batch size, later runs allocate nothing from the driver. Close
// frees everything.
type Engine struct {
	opts Options
	work chan func()
	mu   sync.RWMutex // Close takes it to wait for queued runs
	shut bool

	// Device-thread state.
	drv    driver
	bl     blas
	sol    solver // cuSOLVER, loaded on first use (solverTried)
	solErr error
	solTry bool
	pool   *pool
	params map[paramKey]*paramEntry
	broken error
	stats  Stats
	debug  bool       // Options.Debug or NL_CUDA_DEBUG: synchronise after every launch
	last   launchInfo // the last kernel queued (or library call), for error messages

	deadMu sync.Mutex
	dead   []paramKey // parameters collected by the GC, to free
}

// Stats counts the engine's work since it started. It is a plain value: safe
// for concurrent use as long as no goroutine modifies it.
type Stats struct {
	Runs     int64
	Launches int64 // kernels launched (own GEMM included)
	GEMMs    int64 // matrix products (cuBLAS calls or own-kernel launches)
	FLOPs    int64 // 2*M*N*K summed over the matrix products
	Params   int   // parameters resident on the device
	Pool     PoolStats
}

// opener starts a device on the calling (locked) thread.
type opener func(Options) (driver, blas, error)

var errClosed = errors.New("cuda: engine closed")

func newEngine(opts Options, open opener) (*Engine, error) {
	e := &Engine{opts: opts, work: make(chan func()), params: map[paramKey]*paramEntry{},
		debug: debugOn(opts, os.Getenv(debugEnv))}
	ready := make(chan error)
	go func() {
		// The context stays current on this thread for the engine's
		// lifetime; the goroutine never unlocks it, so the thread ends
		// with the goroutine.
		runtime.LockOSThread()
		drv, bl, err := open(opts)
		if err != nil {
			ready <- err
			return
		}
		e.drv, e.bl = drv, bl
		e.pool = newPool(drv, opts.CacheLimit)
		ready <- nil
		for f := range e.work {
			f()
		}
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return e, nil
}

// do runs f on the device thread and waits for it.
func (e *Engine) do(f func()) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.shut {
		return errClosed
	}
	done := make(chan struct{})
	e.work <- func() {
		defer close(done)
		f()
	}
	<-done
	return nil
}

// Info describes the device and the GEMM in use.
func (e *Engine) Info() DeviceInfo {
	var inf DeviceInfo
	if e.do(func() {
		inf = e.drv.info()
		inf.Debug = e.debug
		inf.GEMM = "own sgemm_f32"
		if e.bl != nil {
			inf.GEMM = "cuBLAS " + e.bl.name()
			inf.TF32 = e.opts.AllowTF32
		}
	}) != nil {
		return DeviceInfo{}
	}
	return inf
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	var s Stats
	_ = e.do(func() {
		s = e.stats
		s.Params = len(e.params)
		s.Pool = e.pool.snapshot()
	})
	return s
}

// MemInfo is the device's free and total memory as the driver reports it.
func (e *Engine) MemInfo() (free, total int64, err error) {
	if derr := e.do(func() { free, total, err = e.drv.memInfo() }); derr != nil {
		return 0, 0, derr
	}
	return free, total, err
}

// Forget drops the device copies of the given parameters (all when none
// are given), so that their next use uploads them again.
func (e *Engine) Forget(params ...*nn.Param) error {
	var err error
	if derr := e.do(func() {
		if len(params) == 0 {
			for k := range e.params {
				err = errors.Join(err, e.dropParam(k))
			}
			return
		}
		for _, p := range params {
			for _, kind := range []uint8{kindValue, kindBNScale} {
				err = errors.Join(err, e.dropParam(paramKey{weak.Make(p), kind}))
			}
		}
	}); derr != nil {
		return derr
	}
	return err
}

// Trim returns the pool's cached blocks to the driver.
func (e *Engine) Trim() error {
	var err error
	if derr := e.do(func() { err = e.pool.trim() }); derr != nil {
		return derr
	}
	return err
}

// Close waits for queued runs, frees every device allocation and releases
// the context. The engine cannot be used afterwards.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shut {
		return nil
	}
	var err error
	done := make(chan struct{})
	e.work <- func() {
		defer close(done)
		err = e.drv.sync()
		clear(e.params)
		if e.sol != nil {
			err = errors.Join(err, e.sol.close())
		}
		err = errors.Join(err, e.pool.release(), e.closeBLAS(), e.drv.close())
	}
	<-done
	e.shut = true
	close(e.work)
	return err
}

func (e *Engine) closeBLAS() error {
	if e.bl == nil {
		return nil
	}
	return e.bl.close()
}

// Run calls fn on a fresh Backend of this engine with the inputs (float32,
// or float64 converted to float32) and returns host copies of its outputs.
func (e *Engine) Run(fn nn.Func, inputs ...*tensor.Dense) (outs []*tensor.Dense, err error) {
	if derr := e.do(func() { outs, err = e.run(fn, inputs) }); derr != nil {
		return nil, derr
	}
	return outs, err
}

func (e *Engine) run(fn nn.Func, inputs []*tensor.Dense) (outs []*tensor.Dense, err error) {
	if e.broken != nil {
		return nil, fmt.Errorf("cuda: engine unusable after an earlier device error: %w", e.broken)
	}
	e.stats.Runs++
	e.collect()
	b := &Backend{e: e}
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, fmt.Errorf("cuda: model code panicked: %v", r)
		}
		if rerr := b.release(); rerr != nil && err == nil {
			err = rerr
		}
	}()
	ins := make([]nn.Tensor, len(inputs))
	for i, t := range inputs {
		x, err := b.upload(t)
		if err != nil {
			return nil, fmt.Errorf("cuda: input %d: %w", i, err)
		}
		ins[i] = x
	}
	res := fn(b, ins)
	if b.err != nil {
		return nil, b.err
	}
	outs = make([]*tensor.Dense, len(res))
	for i, r := range res {
		t, ok := r.(*Tensor)
		if !ok || t == nil || t.b != b {
			return nil, fmt.Errorf("cuda: output %d is %T, not a tensor of this run", i, r)
		}
		host := make([]float32, max(1, numel(t.shape)))
		if err := e.drv.download(unsafe.Pointer(&host[0]), t.ptr, 4*numel(t.shape)); err != nil {
			e.broken = err
			return nil, fmt.Errorf("cuda: output %d: %w%s", i, err, e.lastQueued())
		}
		outs[i] = tensor.New(tensor.WithShape(slices.Clone(t.shape)...), tensor.WithBacking(host[:numel(t.shape)]))
	}
	if err := e.drv.sync(); err != nil {
		e.broken = err
		return nil, fmt.Errorf("cuda: %w%s", err, e.lastQueued())
	}
	return outs, nil
}

// launchKernel queues kernel k and records it; in debug mode it waits
// for it, so that a failure is reported by the launch that caused it.
func (e *Engine) launchKernel(k kernel, grid, block dim3, a *args) error {
	at := launchInfo{k: k, grid: grid, block: block, valid: true}
	if err := e.drv.launch(k, grid, block, a); err != nil {
		return &launchError{at: at, step: "launch", err: err}
	}
	e.stats.Launches++
	e.last = at
	if e.debug {
		if err := e.drv.sync(); err != nil {
			e.broken = err
			return &launchError{at: at, step: "synchronising after the launch (debug mode)", err: err}
		}
	}
	return nil
}

// libDone records a cuBLAS or cuSOLVER call just queued; in debug mode
// it waits for it.
func (e *Engine) libDone(call string) error {
	e.last = launchInfo{afterLibCall: call}
	if !e.debug {
		return nil
	}
	if err := e.drv.sync(); err != nil {
		e.broken = err
		return fmt.Errorf("%s: synchronising after the call (debug mode): %w", call, err)
	}
	return nil
}

// lastQueued names, for an error found at a later synchronisation, the
// last work queued (without debug mode the failing one may be earlier).
func (e *Engine) lastQueued() string {
	if e.debug {
		return ""
	}
	return fmt.Sprintf(" (last queued: %s; %s=1 reports the failing launch)", e.last, debugEnv)
}

// Parameter cache.

const (
	kindValue   uint8 = iota // the parameter's value
	kindBNScale              // batch norm folded into scale and shift (keyed by the running mean)
)

type paramKey struct {
	p    weak.Pointer[nn.Param]
	kind uint8
}

type paramEntry struct {
	deps  []weak.Pointer[tensor.Dense] // the host values the device copy was made from
	eps   float64
	ptrs  []devPtr
	shape []int
}

func (e *Engine) dropParam(k paramKey) error {
	ent, ok := e.params[k]
	if !ok {
		return nil
	}
	delete(e.params, k)
	var err error
	for _, p := range ent.ptrs {
		err = errors.Join(err, e.pool.put(p))
	}
	return err
}

// collect frees the device copies of parameters the GC has found dead.
func (e *Engine) collect() {
	e.deadMu.Lock()
	dead := e.dead
	e.dead = nil
	e.deadMu.Unlock()
	for _, k := range dead {
		_ = e.dropParam(k)
	}
}

// cached returns the entry for (p, kind) when its dependencies are still
// the given host values, else drops a stale entry and returns nil.
func (e *Engine) cached(p *nn.Param, kind uint8, eps float64, deps ...*tensor.Dense) (paramKey, *paramEntry) {
	k := paramKey{weak.Make(p), kind}
	ent, ok := e.params[k]
	if !ok {
		return k, nil
	}
	fresh := len(ent.deps) == len(deps) && ent.eps == eps
	for i, d := range deps {
		fresh = fresh && ent.deps[i] == weak.Make(d)
	}
	if fresh {
		return k, ent
	}
	_ = e.dropParam(k)
	return k, nil
}

// store records a new entry and arranges for it to be freed when p dies.
func (e *Engine) store(k paramKey, p *nn.Param, ent *paramEntry, deps ...*tensor.Dense) {
	for _, d := range deps {
		ent.deps = append(ent.deps, weak.Make(d))
	}
	e.params[k] = ent
	runtime.AddCleanup(p, func(k paramKey) {
		e.deadMu.Lock()
		e.dead = append(e.dead, k)
		e.deadMu.Unlock()
	}, k)
}
