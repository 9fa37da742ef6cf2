package cuda

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// visit enumerates the offsets an index space visits, in flat order.
func visit(dims []int, strides []int64) []int64 {
	n := numel(dims)
	out := make([]int64, n)
	for i := range n {
		r, off := i, int64(0)
		for k := len(dims) - 1; k >= 0; k-- {
			off += (r % int64(dims[k])) * strides[k]
			r /= int64(dims[k])
		}
		out[i] = off
	}
	return out
}

// TestCoalesce checks on random index spaces that coalescing keeps every
// operand's sequence of offsets.
func TestCoalesce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		rank := 1 + r.IntN(7)
		dims := make([]int, rank)
		for i := range dims {
			dims[i] = 1 + r.IntN(4)
		}
		// Operand strides: contiguous, broadcast (zeros), permuted.
		a := contiguous(dims)
		b := slices.Clone(a)
		for i := range b {
			if r.IntN(3) == 0 {
				b[i] = 0
			}
		}
		c := slices.Clone(a)
		r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		d, s := coalesce(dims, a, b, c)
		if numel(d) != numel(dims) {
			t.Fatalf("trial %d: %v -> %v", trial, dims, d)
		}
		for j, orig := range [][]int64{a, b, c} {
			if !slices.Equal(visit(d, s[j]), visit(dims, orig)) {
				t.Fatalf("trial %d: operand %d: %v %v -> %v %v", trial, j, dims, orig, d, s[j])
			}
		}
	}
	d, s := coalesce([]int{2, 3, 4}, contiguous([]int{2, 3, 4}))
	if !slices.Equal(d, []int{24}) || !slices.Equal(s[0], []int64{1}) {
		t.Errorf("contiguous not merged: %v %v", d, s)
	}
	d, _ = coalesce([]int{1, 1}, []int64{0, 0})
	if !slices.Equal(d, []int{1}) {
		t.Errorf("all ones: %v", d)
	}
}

func TestBroadcastStrides(t *testing.T) {
	if s := broadcastStrides([]int{3, 1, 5}, []int{2, 3, 4, 5}); !slices.Equal(s, []int64{0, 5, 0, 1}) {
		t.Errorf("got %v", s)
	}
	if s := broadcastStrides(nil, []int{2, 3}); !slices.Equal(s, []int64{0, 0}) {
		t.Errorf("scalar: %v", s)
	}
}

// TestReducePlan checks that output i and reduced index j address x as a
// brute-force enumeration does.
func TestReducePlan(t *testing.T) {
	x := []int{2, 3, 4, 5}
	for _, axes := range [][]int{{0}, {1, 3}, {0, 1, 2, 3}, {2}, {0, 2, 3}} {
		p := planReduce(x, axes)
		cs := contiguous(x)
		var kd, rd []int
		var ks, rs []int64
		for i := range x {
			if slices.Contains(axes, i) {
				rd, rs = append(rd, x[i]), append(rs, cs[i])
			} else {
				kd, ks = append(kd, x[i]), append(ks, cs[i])
			}
		}
		if p.nOut != numel(kd) || p.count != numel(rd) {
			t.Errorf("%v: nOut %d count %d", axes, p.nOut, p.count)
		}
		if !slices.Equal(visit(p.keptDims, p.keptStrides), visit(kd, ks)) || !slices.Equal(visit(p.redDims, p.redStrides), visit(rd, rs)) {
			t.Errorf("%v: plan %+v", axes, p)
		}
	}
}

func TestBatchStrides(t *testing.T) {
	offs, st, uni := batchStrides([]int{2, 3}, []int{2, 3}, 10)
	if !uni || st != 10 || !slices.Equal(offs, []int64{0, 10, 20, 30, 40, 50}) {
		t.Errorf("plain: %v %d %v", offs, st, uni)
	}
	offs, st, uni = batchStrides(nil, []int{4}, 10)
	if !uni || st != 0 || !slices.Equal(offs, []int64{0, 0, 0, 0}) {
		t.Errorf("broadcast: %v %d %v", offs, st, uni)
	}
	offs, _, uni = batchStrides([]int{2, 1}, []int{2, 3}, 10)
	if uni || !slices.Equal(offs, []int64{0, 0, 0, 10, 10, 10}) {
		t.Errorf("non-uniform: %v %v", offs, uni)
	}
}

func TestLaunchConfig(t *testing.T) {
	for _, n := range []int64{1, 255, 256, 257, 1 << 20, 1 << 40} {
		g, b := elemLaunch(n)
		if b[0] != elemThreads || g[0] < 1 || g[0] > maxGridBlocks || int64(g[0])*elemThreads < min(n, maxGridBlocks*elemThreads) {
			t.Errorf("elem %d: grid %v block %v", n, g, b)
		}
	}
	g, b := gemmLaunch(65, 128, 3)
	if g != (dim3{2, 2, 3}) || b != (dim3{gemmThreads, 1, 1}) {
		t.Errorf("gemm: %v %v", g, b)
	}
	if r := splitBatch(maxGridZ*2 + 5); len(r) != 3 || r[2] != [2]int{2 * maxGridZ, 2*maxGridZ + 5} {
		t.Errorf("split: %v", r)
	}
	if c := convChunk(64, 1000, 4000*10); c != 10 {
		t.Errorf("chunk %d", c)
	}
	if c := convChunk(64, 1<<30, 256<<20); c != 1 {
		t.Errorf("chunk of one huge image: %d", c)
	}
	if c := convChunk(3, 10, 1<<30); c != 3 {
		t.Errorf("chunk capped at N: %d", c)
	}
	if !useRowReduce(10, 5000) || useRowReduce(1<<20, 16) || !useRowReduce(100, 64) {
		t.Error("reduce choice")
	}
}
