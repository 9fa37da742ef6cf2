package blas

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Triangle restrictions of a gemmOp (used by the rank-k updates).
const (
	triFull  = iota // every element of C
	triUpper        // elements with j >= i
	triLower        // elements with j <= i
)

// defaultParMinFlops is the smallest 2·m·n·k split over goroutines: 4
// MFLOP, a 128×128×128 product, about 16 µs of one core's work at 250
// GFLOP/s, against a few µs to start and join a goroutine, and each
// goroutine packing the whole of the operand that is not split.
// BenchmarkSmall measures the sizes around it.
const defaultParMinFlops = 4 << 20

// gemmOp is one C = alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n,
// all row-major, optionally restricted to one triangle of a square C.
type gemmOp[T float] struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a              []T
	lda            int
	b              []T
	ldb            int
	c              []T
	ldc            int
	tri            int
	serial         bool // run on the calling goroutine only
}

// workspace holds one goroutine's packing buffers.
type workspace[T float] struct {
	a, b, tile []T
}

var wsPool32, wsPool64 sync.Pool

func wsPool[T float]() *sync.Pool {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return &wsPool32
	}
	return &wsPool64
}

// getWorkspace returns a workspace with room for an A block of na, a B
// panel of nb and a tile of nt elements, all aligned to 64 bytes.
func getWorkspace[T float](na, nb, nt int) *workspace[T] {
	ws, _ := wsPool[T]().Get().(*workspace[T])
	if ws == nil {
		ws = new(workspace[T])
	}
	if len(ws.a) < na {
		ws.a = alignedSlice[T](na)
	}
	if len(ws.b) < nb {
		ws.b = alignedSlice[T](nb)
	}
	if len(ws.tile) < nt {
		ws.tile = alignedSlice[T](nt)
	}
	return ws
}

func putWorkspace[T float](ws *workspace[T]) { wsPool[T]().Put(ws) }

// alignedSlice allocates n elements starting at a 64-byte boundary.
func alignedSlice[T float](n int) []T {
	var z T
	es := int(unsafe.Sizeof(z))
	raw := make([]T, n+64/es)
	off := int(uintptr(unsafe.Pointer(&raw[0]))%64) / es
	if off != 0 {
		off = 64/es - off
	}
	return raw[off : off+n : off+n]
}

// balanced splits n into the fewest blocks of at most b, of equal size
// rounded up to a multiple of q, and returns that block size.
func balanced(n, b, q int) int {
	if n <= b {
		return (n + q - 1) / q * q
	}
	nblk := (n + b - 1) / b
	s := (n + nblk - 1) / nblk
	return min(b, (s+q-1)/q*q)
}

// run computes op, splitting it over up to GOMAXPROCS goroutines.
//
// The split is by whole tiles of C: every element of C is computed by one
// goroutine with the same sequence of floating-point operations whatever the
// split or whichever goroutine takes a chunk (the k blocking depends on k
// only), so results are bit-identical from run to run and for any
// GOMAXPROCS.
func run[T float](kc *kernelConfig[T], parMinFlops int, op *gemmOp[T]) {
	threads := runtime.GOMAXPROCS(0)
	flops := 2 * float64(op.m) * float64(op.n) * float64(op.k)
	if op.tri != triFull {
		flops /= 2
	}
	if op.serial || threads > 1 && flops < float64(parMinFlops) {
		threads = 1
	}
	mTiles := (op.m + kc.mr - 1) / kc.mr
	nTiles := (op.n + kc.nr - 1) / kc.nr
	splitN := nTiles >= mTiles || op.tri != triFull
	if splitN {
		threads = min(threads, nTiles)
	} else {
		threads = min(threads, mTiles)
	}
	if threads <= 1 {
		computeRange(kc, op, 0, op.m, 0, op.n)
		return
	}
	// One chunk per goroutine, except when C has few rows: then packing A
	// again for each chunk costs little, and four chunks per goroutine,
	// handed out as goroutines finish, keep both busy when one of them
	// shares its core with another process.
	chunks := threads
	if splitN && op.tri == triFull && op.m <= kc.mc {
		chunks = min(nTiles, 4*threads)
	}
	bounds := make([]int, chunks+1)
	for t := 1; t < chunks; t++ {
		var x float64
		switch {
		case op.tri == triUpper:
			// Column j holds j+1 elements of the triangle.
			x = float64(op.n) * math.Sqrt(float64(t)/float64(chunks))
		case op.tri == triLower:
			// Column j holds n-j elements of the triangle.
			x = float64(op.n) * (1 - math.Sqrt(float64(chunks-t)/float64(chunks)))
		case splitN:
			x = float64(nTiles) * float64(t) / float64(chunks) * float64(kc.nr)
		default:
			x = float64(mTiles) * float64(t) / float64(chunks) * float64(kc.mr)
		}
		q := kc.nr
		if !splitN {
			q = kc.mr
		}
		bounds[t] = int(math.Round(x/float64(q))) * q
	}
	end := op.m
	if splitN {
		end = op.n
	}
	bounds[chunks] = end
	for t := 1; t < chunks; t++ {
		bounds[t] = clamp(bounds[t], bounds[t-1], end)
	}
	var next atomic.Int64
	work := func() {
		for {
			t := int(next.Add(1) - 1)
			if t >= chunks {
				return
			}
			lo, hi := bounds[t], bounds[t+1]
			if lo >= hi {
				continue
			}
			if splitN {
				computeRange(kc, op, 0, op.m, lo, hi)
			} else {
				computeRange(kc, op, lo, hi, 0, op.n)
			}
		}
	}
	var wg sync.WaitGroup
	for range threads - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// computeRange computes the block C[i0:i1, j0:j1] of op on the calling
// goroutine: the Goto/BLIS loops around the micro-kernel.
func computeRange[T float](kc *kernelConfig[T], op *gemmOp[T], i0, i1, j0, j1 int) {
	mr, nr := kc.mr, kc.nr
	kb := balanced(op.k, kc.kc, 8) // depends on k only: fixes the rounding
	if i1-i0 <= kc.mc && op.tri == triFull {
		computeFewRows(kc, op, i0, i1, j0, j1, kb)
		return
	}
	mb := balanced(i1-i0, kc.mc, mr)
	nb := balanced(j1-j0, kc.nc, nr)
	ws := getWorkspace[T](mb*kb, nb*kb, mr*nr)
	defer putWorkspace(ws)
	for jc := j0; jc < j1; jc += nb {
		nn := min(nb, j1-jc)
		for pc := 0; pc < op.k; pc += kb {
			kk := min(kb, op.k-pc)
			beta, loadc := betaFor(op.beta, pc)
			packed := false
			for ic := i0; ic < i1; ic += mb {
				mm := min(mb, i1-ic)
				if blockOutside(op.tri, ic, mm, jc, nn) {
					continue
				}
				if !packed {
					packB(kc.fastPack, ws.b, op.b, op.ldb, op.transB, pc, kk, jc, nn, nr)
					packed = true
				}
				packA(kc.fastPack, ws.a, op.a, op.lda, op.transA, ic, mm, pc, kk, mr)
				macroKernel(kc, op, ws, ic, mm, jc, nn, kk, beta, loadc)
			}
		}
	}
}

// computeFewRows is computeRange when all the rows fit in one packed A
// block (the convolution and Linear shapes: small M, large N). Each k block
// of A is packed once, and B is packed in panels of kc×ncSmall that stay in
// L2 until the micro-kernels read them, instead of kc×nc panels that spill
// to L3. Every tile of C still receives its k blocks in ascending order.
func computeFewRows[T float](kc *kernelConfig[T], op *gemmOp[T], i0, i1, j0, j1, kb int) {
	mr, nr := kc.mr, kc.nr
	mm := i1 - i0
	nb := balanced(j1-j0, kc.ncSmall, nr)
	ws := getWorkspace[T]((mm+mr-1)/mr*mr*kb, nb*kb, mr*nr)
	defer putWorkspace(ws)
	for pc := 0; pc < op.k; pc += kb {
		kk := min(kb, op.k-pc)
		beta, loadc := betaFor(op.beta, pc)
		packA(kc.fastPack, ws.a, op.a, op.lda, op.transA, i0, mm, pc, kk, mr)
		for jc := j0; jc < j1; jc += nb {
			nn := min(nb, j1-jc)
			packB(kc.fastPack, ws.b, op.b, op.ldb, op.transB, pc, kk, jc, nn, nr)
			macroKernel(kc, op, ws, i0, mm, jc, nn, kk, beta, loadc)
		}
	}
}

// betaFor returns the beta and loadc of the k block starting at pc: the
// caller's beta for the first block (C not read when beta is zero), 1 for
// the others, which accumulate into C.
func betaFor[T float](beta T, pc int) (T, int) {
	if pc > 0 {
		return 1, 1
	}
	if beta == 0 {
		return 0, 0
	}
	return beta, 1
}

// blockOutside reports whether the block rows [i, i+m) × columns [j, j+n)
// has no element in the triangle tri.
func blockOutside(tri, i, m, j, n int) bool {
	switch tri {
	case triUpper:
		return j+n-1 < i
	case triLower:
		return j > i+m-1
	}
	return false
}

// blockInside reports whether every element of the block is in tri.
func blockInside(tri, i, m, j, n int) bool {
	switch tri {
	case triUpper:
		return j >= i+m-1
	case triLower:
		return j+n-1 <= i
	}
	return true
}

// macroKernel multiplies the packed mm×kk block of A by the packed kk×nn
// panel of B into C[ic:ic+mm, jc:jc+nn].
func macroKernel[T float](kc *kernelConfig[T], op *gemmOp[T], ws *workspace[T], ic, mm, jc, nn, kk int, beta T, loadc int) {
	mr, nr := kc.mr, kc.nr
	c, ldc, alpha, fn := op.c, op.ldc, op.alpha, kc.fn
	for jr := 0; jr < nn; jr += nr {
		nrr := min(nr, nn-jr)
		bp := &ws.b[jr*kk]
		for ir := 0; ir < mm; ir += mr {
			mrr := min(mr, mm-ir)
			i, j := ic+ir, jc+jr
			if blockOutside(op.tri, i, mrr, j, nrr) {
				continue
			}
			ap := &ws.a[ir*kk]
			if nrr == nr && blockInside(op.tri, i, mrr, j, nr) {
				if mrr == mr {
					fn(kk, ap, bp, &c[i*ldc+j], ldc, alpha, beta, loadc)
					continue
				}
				if kc.rows != nil {
					kc.rows[mrr](kk, ap, bp, &c[i*ldc+j], ldc, alpha, beta, loadc)
					continue
				}
			}
			// An edge or diagonal tile: run the same kernel on a copy so
			// that its elements get exactly the same arithmetic.
			t := ws.tile[:mr*nr]
			clear(t)
			if loadc != 0 {
				for r := 0; r < mrr; r++ {
					lo, hi := triCols(op.tri, i+r, j, nrr)
					copy(t[r*nr+lo:r*nr+hi], c[(i+r)*ldc+j+lo:(i+r)*ldc+j+hi])
				}
			}
			fn(kk, ap, bp, &t[0], nr, alpha, beta, loadc)
			for r := 0; r < mrr; r++ {
				lo, hi := triCols(op.tri, i+r, j, nrr)
				copy(c[(i+r)*ldc+j+lo:(i+r)*ldc+j+hi], t[r*nr+lo:r*nr+hi])
			}
		}
	}
}

// triCols returns the column range [lo, hi) of row i, among the n columns
// starting at j, that belongs to the triangle tri.
func triCols(tri, i, j, n int) (lo, hi int) {
	switch tri {
	case triUpper: // columns >= i
		return clamp(i-j, 0, n), n
	case triLower: // columns <= i
		return 0, clamp(i-j+1, 0, n)
	}
	return 0, n
}

// packA copies rows [i0, i0+mm) and columns [p0, p0+kk) of op(A) into dst
// as micro-panels of mr rows: element (i0+q+r, p0+p) at dst[q*kk+p*mr+r],
// rows past mm zero.
func packA[T float](fast bool, dst, a []T, lda int, trans bool, i0, mm, p0, kk, mr int) {
	for q := 0; q < mm; q += mr {
		rows := min(mr, mm-q)
		d := dst[q*kk : q*kk+mr*kk]
		if trans {
			// op(A)(i, p) = a[p*lda+i]: each k step is a contiguous run.
			packRows(fast, d, mr, a[p0*lda+i0+q:], lda, kk, rows)
		} else {
			// op(A)(i, p) = a[i*lda+p]: transpose rows into the panel.
			packTransposed(fast, d, mr, a[(i0+q)*lda+p0:], lda, rows, kk)
			if rows < mr {
				for p := range kk {
					clear(d[p*mr+rows : p*mr+mr])
				}
			}
		}
	}
}

// packB copies rows [p0, p0+kk) and columns [j0, j0+nn) of op(B) into dst
// as micro-panels of nr columns: element (p0+p, j0+q+c) at dst[q*kk+p*nr+c],
// columns past nn zero.
func packB[T float](fast bool, dst, b []T, ldb int, trans bool, p0, kk, j0, nn, nr int) {
	var z T
	es := int(unsafe.Sizeof(z))
	if fast && !trans && nr*es%32 == 0 && nn >= nr && kk > 0 {
		// Read each row of B once, contiguously, scattering it over the
		// full micro-panels; the last partial panel is packed below.
		full := nn / nr
		_ = dst[full*nr*kk-1]
		_ = b[(p0+kk-1)*ldb+j0+full*nr-1]
		scatterRows(unsafe.Pointer(&dst[0]), unsafe.Pointer(&b[p0*ldb+j0]), kk, full, nr*es, ldb*es, kk*nr*es)
		if full*nr == nn {
			return
		}
		dst = dst[full*nr*kk:]
		j0 += full * nr
		nn -= full * nr
	}
	for q := 0; q < nn; q += nr {
		cols := min(nr, nn-q)
		d := dst[q*kk : q*kk+nr*kk]
		if !trans {
			// op(B)(p, j) = b[p*ldb+j]: each k step is a contiguous run.
			packRows(fast, d, nr, b[p0*ldb+j0+q:], ldb, kk, cols)
		} else {
			// op(B)(p, j) = b[j*ldb+p].
			packTransposed(fast, d, nr, b[(j0+q)*ldb+p0:], ldb, cols, kk)
			if cols < nr {
				for p := range kk {
					clear(d[p*nr+cols : p*nr+nr])
				}
			}
		}
	}
}

// packRows sets dst[p*w : p*w+n] = src[p*ss : p*ss+n] for p < rows and
// zeroes dst[p*w+n : p*w+w].
func packRows[T float](fast bool, dst []T, w int, src []T, ss, rows, n int) {
	if rows == 0 {
		return
	}
	_ = dst[rows*w-1]
	_ = src[(rows-1)*ss+n-1]
	if fast && n == w {
		var z T
		es := int(unsafe.Sizeof(z))
		copyRows(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), rows, w*es, ss*es)
		return
	}
	for p := range rows {
		dd := dst[p*w : p*w+w]
		copy(dd, src[p*ss:p*ss+n])
		clear(dd[n:])
	}
}

// packTransposed sets dst[p*ds+c] = src[c*ss+p] for c < rows, p < cols.
func packTransposed[T float](fast bool, dst []T, ds int, src []T, ss, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_ = dst[(cols-1)*ds+rows-1]
	_ = src[(rows-1)*ss+cols-1]
	c := 0
	if fast {
		var z T
		es := int(unsafe.Sizeof(z))
		w := 32 / es // 8×8 float32 or 4×4 float64 blocks
		if pb := cols / w; pb > 0 {
			for ; c+w <= rows; c += w {
				if es == 4 {
					transpose8x8s(unsafe.Pointer(&dst[c]), unsafe.Pointer(&src[c*ss]), pb, ss*es, ds*es)
				} else {
					transpose4x4d(unsafe.Pointer(&dst[c]), unsafe.Pointer(&src[c*ss]), pb, ss*es, ds*es)
				}
			}
			for r := range c {
				for p := pb * w; p < cols; p++ {
					dst[p*ds+r] = src[r*ss+p]
				}
			}
		}
	}
	for ; c < rows; c++ {
		row := src[c*ss : c*ss+cols]
		for p, v := range row {
			dst[p*ds+c] = v
		}
	}
}
