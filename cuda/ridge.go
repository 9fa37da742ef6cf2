package cuda

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/neurolatent/neurolatent/decode/ridge"
)

// DualLOO runs the dual-form leave-one-out ridge fit on the device
// (ridge.Device): with the engine in ridge.Config.Device, ridge.Fit runs
// this for its dual leave-one-out fits. Everything is float64.
//
// On the device: X is uploaded once and centred in place (a rank-one
// cuBLAS update with the column means); the Gram matrix K = Xc Xc^T comes
// from cublasDsyrk (lower triangle); the constant direction gets
// gamma 1 1^T with gamma = trace(K)/n^2 (cublasDdot on the diagonal, a
// rank-one update); cusolverDnDsyevd gives K = V diag(lambda) V^T; then
// Q^T Y, diag(G^-1) for every alpha at once ((V o V) W, one product with
// W[k,a] = 1/(lambda_k + alpha_a)), and per alpha the dual coefficients
// V diag(1/(lambda + alpha)) V^T Y and their leave-one-out scores (a
// kernel per step, one cublasDgemm). Only the scores (alphas x targets)
// come back: the selection of each target's alpha runs on the host with
// the CPU path's exact rules (ties, NaN) on that small matrix, and the
// coefficients of the chosen alphas, Xc^T V diag(1/(lambda + alpha_j))
// V^T Y, are computed on the device and downloaded.
//
// It needs cuBLAS and cuSOLVER (loaded at run time); without them it
// returns an error. The largest buffers are X (n p doubles) and two n x n
// matrices.
func (e *Engine) DualLOO(pb *ridge.DualLOOProblem) (res *ridge.DualLOOResult, err error) {
	if derr := e.do(func() { res, err = e.dualLOO(pb) }); derr != nil {
		return nil, derr
	}
	return res, err
}

// solver returns cuSOLVER, loading it on first use.
func (e *Engine) solver() (solver, error) {
	if !e.solTry {
		e.solTry = true
		e.sol, e.solErr = e.drv.openSolver()
	}
	return e.sol, e.solErr
}

// SolverInfo names the cuSOLVER library in use, loading it if needed, or
// returns why none can be used.
func (e *Engine) SolverInfo() (string, error) {
	var name string
	var err error
	if derr := e.do(func() {
		var s solver
		if s, err = e.solver(); err == nil {
			name = s.name()
		}
	}); derr != nil {
		return "", derr
	}
	return name, err
}

// devBufs hands out pool blocks and returns them all at the end.
type devBufs struct {
	e    *Engine
	ptrs []devPtr
}

func (b *devBufs) get(what string, elems int64, size int64) (devPtr, error) {
	p, err := b.e.pool.get(max(1, elems) * size)
	if err != nil {
		return 0, fmt.Errorf("%s (%d elements): %w", what, elems, err)
	}
	b.ptrs = append(b.ptrs, p)
	return p, nil
}

func (b *devBufs) release() error {
	var err error
	for _, p := range b.ptrs {
		err = errors.Join(err, b.e.pool.put(p))
	}
	b.ptrs = nil
	return err
}

func (e *Engine) upload64(dst devPtr, src []float64) error {
	if len(src) == 0 {
		return nil
	}
	return e.drv.upload(dst, unsafe.Pointer(&src[0]), int64(8*len(src)))
}

func (e *Engine) download64(dst []float64, src devPtr) error {
	if len(dst) == 0 {
		return nil
	}
	return e.drv.download(unsafe.Pointer(&dst[0]), src, int64(8*len(dst)))
}

// launchK checks and queues a kernel of the embedded module.
func (e *Engine) launchK(k kernel, grid, block dim3, a *args) error {
	if err := a.check(k); err != nil {
		return err
	}
	return e.launchKernel(k, grid, block, a)
}

func (e *Engine) dgemm(transA, transB bool, m, n, k int, alpha float64, a devPtr, lda int, b devPtr, ldb int, beta float64, c devPtr, ldc int) error {
	e.stats.GEMMs++
	e.stats.FLOPs += 2 * int64(m) * int64(n) * int64(k)
	if err := e.bl.dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); err != nil {
		return fmt.Errorf("%w (%dx%dx%d)", err, m, n, k)
	}
	return e.libDone(fmt.Sprintf("cublasDgemm_v2 (%dx%dx%d)", m, n, k))
}

func (e *Engine) dualLOO(pb *ridge.DualLOOProblem) (*ridge.DualLOOResult, error) {
	if e.broken != nil {
		return nil, fmt.Errorf("cuda: engine unusable after an earlier device error: %w", e.broken)
	}
	if pb == nil || pb.X == nil || pb.Select == nil {
		return nil, fmt.Errorf("cuda: DualLOO: incomplete problem")
	}
	n, p := pb.X.Dims()
	d, na := pb.D, len(pb.Alphas)
	if len(pb.Y) != n*d || d < 1 || na < 1 || (pb.XMean != nil && len(pb.XMean) != p) {
		return nil, fmt.Errorf("cuda: DualLOO: X %dx%d, %d targets values for %d targets, %d alphas, %d means",
			n, p, len(pb.Y), d, na, len(pb.XMean))
	}
	for _, v := range []int{n, p, d, na} {
		if v > math.MaxInt32 {
			return nil, fmt.Errorf("cuda: DualLOO: dimension %d is more than cuBLAS's int", v)
		}
	}
	if e.bl == nil {
		return nil, fmt.Errorf("cuda: DualLOO needs cuBLAS (float64 products): %s", e.drv.info().GEMMNote)
	}
	sol, err := e.solver()
	if err != nil {
		return nil, err
	}
	bufs := &devBufs{e: e}
	res, err := e.dualLOOOn(pb, sol, bufs, n, p, d, na)
	if rerr := bufs.release(); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("cuda: DualLOO (n=%d, p=%d, %d targets, %d alphas): %w", n, p, d, na, err)
	}
	return res, nil
}

func (e *Engine) dualLOOOn(pb *ridge.DualLOOProblem, sol solver, bufs *devBufs, n, p, d, na int) (*ridge.DualLOOResult, error) {
	n64, p64, d64 := int64(n), int64(p), int64(d)
	// X row-major n x p is Xt column-major p x n: column i is sample i.
	xt, err := bufs.get("X", n64*p64, 8)
	if err != nil {
		return nil, err
	}
	raw := pb.X.RawMatrix()
	if raw.Stride == p {
		err = e.upload64(xt, raw.Data[:n*p])
	} else {
		for i := 0; i < n && err == nil; i++ {
			err = e.upload64(xt+devPtr(8*int64(i)*p64), raw.Data[i*raw.Stride:i*raw.Stride+p])
		}
	}
	if err != nil {
		return nil, err
	}
	ones, err := bufs.get("ones", n64, 8)
	if err != nil {
		return nil, err
	}
	h1 := make([]float64, n)
	for i := range h1 {
		h1[i] = 1
	}
	if err := e.upload64(ones, h1); err != nil {
		return nil, err
	}
	if pb.XMean != nil {
		mu, err := bufs.get("column means", p64, 8)
		if err != nil {
			return nil, err
		}
		if err := e.upload64(mu, pb.XMean); err != nil {
			return nil, err
		}
		// Xt -= mu 1^T: each element x - mean rounded once, as on the CPU.
		if err := e.dgemm(false, false, p, n, 1, -1, mu, p, ones, 1, 1, xt, p); err != nil {
			return nil, err
		}
	}
	k, err := bufs.get("Gram matrix", n64*n64, 8)
	if err != nil {
		return nil, err
	}
	e.stats.GEMMs++
	e.stats.FLOPs += n64 * n64 * p64
	if err := e.bl.dsyrk(true, n, p, 1, xt, p, 0, k, n); err != nil {
		return nil, err
	}
	if err := e.libDone(fmt.Sprintf("cublasDsyrk_v2 (n=%d, k=%d)", n, p)); err != nil {
		return nil, err
	}
	gamma := 0.0
	if pb.XMean != nil {
		tr, err := e.bl.ddot(n, k, n+1, ones, 1)
		if err != nil {
			return nil, err
		}
		gamma = tr / float64(n) / float64(n)
		if !(gamma > 0) {
			gamma = 1
		}
		if err := e.dgemm(false, false, n, n, 1, gamma, ones, n, ones, 1, 1, k, n); err != nil {
			return nil, err
		}
	}
	lam, err := bufs.get("eigenvalues", n64, 8)
	if err != nil {
		return nil, err
	}
	if err := sol.dsyevd(n, k, n, lam, e.pool); err != nil {
		return nil, err
	}
	if err := e.libDone(fmt.Sprintf("cusolverDnDsyevd (n=%d)", n)); err != nil {
		return nil, err
	}
	v := k // the eigenvectors, column-major
	hlam := make([]float64, n)
	if err := e.download64(hlam, lam); err != nil {
		return nil, err
	}

	// Y centred, column-major n x d.
	yc, err := bufs.get("Y", n64*d64, 8)
	if err != nil {
		return nil, err
	}
	hy := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			hy[j*n+i] = pb.Y[i*d+j]
		}
	}
	if err := e.upload64(yc, hy); err != nil {
		return nil, err
	}
	qy, err := bufs.get("V^T Y", n64*d64, 8)
	if err != nil {
		return nil, err
	}
	if err := e.dgemm(true, false, n, d, n, 1, v, n, yc, n, 0, qy, n); err != nil {
		return nil, err
	}

	// diag(G^-1) for every alpha: (V o V) W.
	v2, err := bufs.get("V o V", n64*n64, 8)
	if err != nil {
		return nil, err
	}
	g, b := elemLaunch(n64 * n64)
	if err := e.launchK(kSquare, g, b, new(args).i64(n64*n64).ptr(v).ptr(v2)); err != nil {
		return nil, err
	}
	hw := make([]float64, n*na)
	for a, alpha := range pb.Alphas {
		for i, l := range hlam {
			hw[a*n+i] = 1 / (l + alpha)
		}
	}
	wm, err := bufs.get("1/(lambda+alpha)", int64(n*na), 8)
	if err != nil {
		return nil, err
	}
	if err := e.upload64(wm, hw); err != nil {
		return nil, err
	}
	diag, err := bufs.get("diag(G^-1)", int64(n*na), 8)
	if err != nil {
		return nil, err
	}
	if err := e.dgemm(false, false, n, na, n, 1, v2, n, wm, n, 0, diag, n); err != nil {
		return nil, err
	}
	alphas, err := bufs.get("alphas", int64(max(na, d)), 8)
	if err != nil {
		return nil, err
	}
	if err := e.upload64(alphas, pb.Alphas); err != nil {
		return nil, err
	}
	tmp, err := bufs.get("scaled V^T Y", n64*d64, 8)
	if err != nil {
		return nil, err
	}
	c, err := bufs.get("dual coefficients", n64*d64, 8)
	if err != nil {
		return nil, err
	}
	scores, err := bufs.get("scores", int64(na*d), 8)
	if err != nil {
		return nil, err
	}
	gs, bs := elemLaunch(n64 * d64)
	gr, br := rowLaunch(d64)
	for a, alpha := range pb.Alphas {
		if err := e.launchK(kRidgeShift, gs, bs, new(args).i32(n).i32(d).i64(n64).ptr(lam).
			ptr(alphas+devPtr(8*a)).i32(0).ptr(qy).ptr(tmp)); err != nil {
			return nil, err
		}
		if err := e.dgemm(false, false, n, d, n, 1, v, n, tmp, n, 0, c, n); err != nil {
			return nil, err
		}
		off := 0.0
		if gamma > 0 {
			off = 1 / (float64(n) * (float64(n)*gamma + alpha))
		}
		if err := e.launchK(kLooScore, gr, br, new(args).i32(n).i32(d).i64(n64).ptr(c).
			ptr(diag+devPtr(8*int64(a)*n64)).f64(off).ptr(scores+devPtr(8*int64(a)*d64)).i32(1)); err != nil {
			return nil, err
		}
	}
	hs := make([]float64, na*d)
	if err := e.download64(hs, scores); err != nil {
		return nil, err
	}
	out := &ridge.DualLOOResult{Scores: hs}
	best := pb.Select(hs)
	if len(best) != d {
		return nil, fmt.Errorf("Select returned %d choices for %d targets", len(best), d)
	}
	chosen := make([]float64, d)
	for j, a := range best {
		if a < 0 || a >= na {
			return nil, fmt.Errorf("Select chose alpha %d of %d", a, na)
		}
		chosen[j] = pb.Alphas[a]
	}
	if err := e.upload64(alphas, chosen); err != nil {
		return nil, err
	}
	if err := e.launchK(kRidgeShift, gs, bs, new(args).i32(n).i32(d).i64(n64).ptr(lam).
		ptr(alphas).i32(1).ptr(qy).ptr(tmp)); err != nil {
		return nil, err
	}
	if err := e.dgemm(false, false, n, d, n, 1, v, n, tmp, n, 0, c, n); err != nil {
		return nil, err
	}
	// Coef (column-major p x d) = Xc^T c.
	coef, err := bufs.get("coefficients", p64*d64, 8)
	if err != nil {
		return nil, err
	}
	if err := e.dgemm(false, false, p, d, n, 1, xt, p, c, n, 0, coef, p); err != nil {
		return nil, err
	}
	hc := make([]float64, p*d)
	if err := e.download64(hc, coef); err != nil {
		return nil, err
	}
	out.Coef = make([]float64, p*d)
	for j := 0; j < d; j++ {
		col := hc[j*p : (j+1)*p]
		for f, x := range col {
			out.Coef[f*d+j] = x
		}
	}
	if err := e.drv.sync(); err != nil {
		e.broken = err
		return nil, err
	}
	return out, nil
}
