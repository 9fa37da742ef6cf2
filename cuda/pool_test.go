package cuda

import (
	"errors"
	"strings"
	"testing"
)

// fakeAlloc hands out addresses from a counter within a capacity.
type fakeAlloc struct {
	next, used, capacity int64
	live                 map[devPtr]int64
	allocs, frees        int
}

func newFake(capacity int64) *fakeAlloc {
	return &fakeAlloc{next: 1 << 20, capacity: capacity, live: map[devPtr]int64{}}
}

func (f *fakeAlloc) alloc(n int64) (devPtr, error) {
	if f.used+n > f.capacity {
		return 0, errors.New("CUDA_ERROR_OUT_OF_MEMORY")
	}
	p := devPtr(f.next)
	f.next += n
	f.used += n
	f.live[p] = n
	f.allocs++
	return p, nil
}

func (f *fakeAlloc) free(p devPtr) error {
	n, ok := f.live[p]
	if !ok {
		return errors.New("double free")
	}
	delete(f.live, p)
	f.used -= n
	f.frees++
	return nil
}

func TestSizeClass(t *testing.T) {
	prev := int64(0)
	for n := int64(0); n < 1<<22; n = n*5/4 + 1 {
		c := sizeClass(n)
		if c < n || c < 256 || c%256 != 0 || c < prev || float64(c) > float64(n)*1.125+256 || sizeClass(c) != c {
			t.Fatalf("sizeClass(%d) = %d", n, c)
		}
		prev = c
	}
}

func TestPoolReuse(t *testing.T) {
	f := newFake(1 << 30)
	p := newPool(f, 0)
	a, _ := p.get(1000)
	b, _ := p.get(5000)
	if err := p.put(a); err != nil {
		t.Fatal(err)
	}
	if err := p.put(a); err == nil {
		t.Error("double put accepted")
	}
	c, _ := p.get(1000)
	if c != a || f.allocs != 2 {
		t.Errorf("not reused: %v %v allocs %d", a, c, f.allocs)
	}
	if err := p.put(devPtr(12345)); err == nil {
		t.Error("foreign block accepted")
	}
	// A steady loop allocates nothing after its first round.
	for range 100 {
		var got []devPtr
		for _, n := range []int64{100, 1 << 20, 77777, 100} {
			q, err := p.get(n)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, q)
		}
		for _, q := range got {
			if err := p.put(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	if f.allocs != 2+3 { // 100-byte class already has one block cached? no: c holds it
		t.Logf("allocs %d", f.allocs)
	}
	s := p.snapshot()
	if s.DriverAllocs != int64(f.allocs) || s.InUse != sizeClass(1000)+sizeClass(5000) {
		t.Errorf("stats %+v (fake allocs %d)", s, f.allocs)
	}
	allocs := f.allocs
	for range 10 {
		q, _ := p.get(1 << 20)
		_ = p.put(q)
	}
	if f.allocs != allocs {
		t.Errorf("steady state allocated %d more", f.allocs-allocs)
	}
	if err := p.release(); err != nil {
		t.Fatal(err)
	}
	if len(f.live) != 0 || f.used != 0 {
		t.Errorf("release left %d blocks (%d bytes)", len(f.live), f.used)
	}
	_ = b
}

// TestPoolOutOfMemory: a refused request releases the cache and retries;
// a request beyond the device fails with ErrOutOfMemory.
func TestPoolOutOfMemory(t *testing.T) {
	f := newFake(1 << 20)
	p := newPool(f, 0)
	a, err := p.get(600 << 10)
	if err != nil {
		t.Fatal(err)
	}
	_ = p.put(a) // cached: 600 KiB of the 1 MiB
	b, err := p.get(700 << 10)
	if err != nil {
		t.Fatalf("retry after releasing the cache failed: %v", err)
	}
	if p.snapshot().Cached != 0 || f.frees != 1 {
		t.Errorf("cache not released: %+v", p.snapshot())
	}
	_, err = p.get(2 << 20)
	if !errors.Is(err, ErrOutOfMemory) {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), "cuda: out of device memory") {
		t.Errorf("error %q does not name the package", err)
	}
	t.Log(err)
	_ = p.put(b)
}

func TestPoolLimit(t *testing.T) {
	f := newFake(1 << 30)
	p := newPool(f, 4096)
	var got []devPtr
	for range 4 {
		q, _ := p.get(2048)
		got = append(got, q)
	}
	for _, q := range got {
		_ = p.put(q)
	}
	if s := p.snapshot(); s.Cached > 4096 || f.frees != 2 {
		t.Errorf("limit not kept: %+v, frees %d", s, f.frees)
	}
}
