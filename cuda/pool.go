package cuda

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// allocator is what the pool draws device memory from: cuMemAlloc and
// cuMemFree on a GPU, malloc under emulation, a fake in the tests.
type allocator interface {
	alloc(bytes int64) (devPtr, error)
	free(p devPtr) error
}

// ErrOutOfMemory is wrapped by the error an operation returns when the
// device cannot hold its result even after the pool released its cache.
var ErrOutOfMemory = errors.New("cuda: out of device memory")

// pool is a caching allocator of device memory: blocks freed by a run are
// kept by size class and handed out again, so that repeated runs of the
// same model allocate nothing from the driver once warm. It is not safe for
// concurrent use (the engine's device thread owns it).
type pool struct {
	a      allocator
	cache  map[int64][]devPtr // size class -> free blocks
	class  map[devPtr]int64   // every block the pool holds -> its class
	inUse  int64              // bytes handed out
	cached int64              // bytes in cache
	limit  int64              // most bytes kept cached (0: no limit)
	stats  PoolStats
}

// PoolStats counts the pool's traffic with the driver. It is a plain value:
// safe for concurrent use as long as no goroutine modifies it.
type PoolStats struct {
	DriverAllocs int64 // blocks obtained from the driver
	DriverFrees  int64 // blocks returned to the driver
	Reuses       int64 // requests served from the cache
	InUse        int64 // bytes handed out now
	Cached       int64 // bytes kept for reuse now
	Peak         int64 // most bytes held (in use + cached)
}

func newPool(a allocator, limit int64) *pool {
	return &pool{a: a, cache: map[int64][]devPtr{}, class: map[devPtr]int64{}, limit: limit}
}

// sizeClass rounds a request up so that blocks of nearby sizes are
// shared: to 256 bytes at least, then to an eighth of the request's
// highest power of two (at most 12.5% waste).
func sizeClass(bytes int64) int64 {
	if bytes <= 256 {
		return 256
	}
	step := int64(1) << (bits.Len64(uint64(bytes)) - 1) / 8
	step = max(step, 256)
	return (bytes + step - 1) / step * step
}

// get returns a block of at least bytes. When the driver refuses, the
// cache is released and the request tried once more; the error then wraps
// ErrOutOfMemory.
func (p *pool) get(bytes int64) (devPtr, error) {
	if bytes < 0 {
		return 0, fmt.Errorf("negative allocation of %d bytes", bytes)
	}
	c := sizeClass(bytes)
	if free := p.cache[c]; len(free) > 0 {
		ptr := free[len(free)-1]
		p.cache[c] = free[:len(free)-1]
		p.cached -= c
		p.inUse += c
		p.stats.Reuses++
		return ptr, nil
	}
	ptr, err := p.a.alloc(c)
	if err != nil {
		if terr := p.trim(); terr != nil {
			return 0, fmt.Errorf("allocating %s: %w (and releasing the cache: %v)", fmtBytes(c), err, terr)
		}
		if ptr, err = p.a.alloc(c); err != nil {
			return 0, fmt.Errorf("allocating %s: %w: %w", fmtBytes(c), ErrOutOfMemory, err)
		}
	}
	p.class[ptr] = c
	p.inUse += c
	p.stats.DriverAllocs++
	p.stats.Peak = max(p.stats.Peak, p.inUse+p.cached)
	return ptr, nil
}

// put returns a block to the cache. Work already queued on the stream may
// still read it: the engine uses one stream, so whatever reuses the block
// later is ordered after that work.
func (p *pool) put(ptr devPtr) error {
	c, ok := p.class[ptr]
	if !ok {
		return fmt.Errorf("cuda: pool: block %#x is not the pool's", uintptr(ptr))
	}
	if slices.Contains(p.cache[c], ptr) {
		return fmt.Errorf("cuda: pool: block %#x freed twice", uintptr(ptr))
	}
	p.inUse -= c
	if p.limit > 0 && p.cached+c > p.limit {
		delete(p.class, ptr)
		p.stats.DriverFrees++
		return p.a.free(ptr)
	}
	p.cache[c] = append(p.cache[c], ptr)
	p.cached += c
	return nil
}

// trim returns every cached block to the driver.
func (p *pool) trim() error {
	var errs []error
	for c, free := range p.cache {
		for _, ptr := range free {
			delete(p.class, ptr)
			p.stats.DriverFrees++
			if err := p.a.free(ptr); err != nil {
				errs = append(errs, err)
			}
		}
		delete(p.cache, c)
	}
	p.cached = 0
	return errors.Join(errs...)
}

// release returns every block, cached or in use, to the driver.
func (p *pool) release() error {
	err := p.trim()
	var errs []error
	for ptr := range p.class {
		p.stats.DriverFrees++
		if e := p.a.free(ptr); e != nil {
			errs = append(errs, e)
		}
	}
	clear(p.class)
	p.inUse = 0
	return errors.Join(append(errs, err)...)
}

func (p *pool) snapshot() PoolStats {
	s := p.stats
	s.InUse, s.Cached = p.inUse, p.cached
	return s
}

func fmtBytes(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
