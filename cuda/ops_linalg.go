package cuda

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/nn"
)

// gemm queues the row-major product C[i] = alpha*op(A[i])*op(B[i]) +
// beta*C[i] for i < batch, op(A) [m,k], op(B) [k,n], with leading
// dimensions and element strides between batch entries: through cuBLAS
// when the engine has it, else through sgemm_f32.
func (b *Backend) gemm(op string, transA, transB bool, m, n, k int, alpha float32,
	A devPtr, lda int, sA int64, B devPtr, ldb int, sB int64, beta float32, C devPtr, ldc int, sC int64, batch int) bool {
	if m == 0 || n == 0 || batch == 0 {
		return true
	}
	for _, v := range []int{m, n, k, lda, ldb, ldc, batch} {
		if v > math.MaxInt32 {
			b.Fail(notImplemented(fmt.Sprintf("%s: a matrix product with a dimension of %d (more than 2^31-1)", op, v)))
			return false
		}
	}
	e := b.e
	e.stats.GEMMs++
	e.stats.FLOPs += 2 * int64(m) * int64(n) * int64(k) * int64(batch)
	if e.bl != nil {
		// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T,
		// and a row-major matrix is its transpose in column-major order:
		// swap the operands and keep the flags.
		if err := e.bl.sgemm(transB, transA, n, m, k, alpha, B, ldb, sB, A, lda, sA, beta, C, ldc, sC, batch); err != nil {
			b.failf("%s: cublasSgemmStridedBatched (%dx%dx%d, batch %d): %w", op, m, n, k, batch, err)
			return false
		}
		if err := e.libDone(fmt.Sprintf("cublasSgemmStridedBatched (%dx%dx%d, batch %d)", m, n, k, batch)); err != nil {
			b.failf("%s: %w", op, err)
			return false
		}
		return true
	}
	for _, r := range splitBatch(batch) {
		off := int64(r[0])
		g, bl := gemmLaunch(m, n, r[1]-r[0])
		a := new(args).i32(m).i32(n).i32(k).f32(alpha).
			ptr(A + devPtr(4*off*sA)).i32(lda).i64(sA).flag(transA).
			ptr(B + devPtr(4*off*sB)).i32(ldb).i64(sB).flag(transB).
			f32(beta).ptr(C + devPtr(4*off*sC)).i32(ldc).i64(sC)
		if !b.launch(op, kSgemm, g, bl, a) {
			return false
		}
	}
	return true
}

// addBias adds bias [C] to y viewed as [rows, C, S].
func (b *Backend) addBias(op string, y *Tensor, bias *Tensor, c int, s int64) bool {
	n := y.n()
	return b.elementwise(op, kBiasAdd, n, new(args).i64(n).i32(c).i64(s).ptr(bias.ptr).ptr(y.ptr))
}

func optional(ts []nn.Tensor, bias nn.Tensor) []nn.Tensor {
	if bias != nil {
		return append(ts, bias)
	}
	return ts
}

// Linear computes x W^T + b as one GEMM and a bias kernel.
func (b *Backend) Linear(x, w, bias nn.Tensor) nn.Tensor {
	ts, ok := b.get("linear", optional([]nn.Tensor{x, w}, bias)...)
	if !ok {
		return &Tensor{}
	}
	var bs []int
	if bias != nil {
		bs = ts[2].shape
	}
	xs, ws := ts[0].shape, ts[1].shape
	out, err := nn.LinearShape(xs, ws, bs)
	if err != nil {
		return b.Fail(err)
	}
	y, ok := b.alloc("linear", out)
	if !ok {
		return &Tensor{}
	}
	m := int(numel(xs[:len(xs)-1]))
	in, o := ws[1], ws[0]
	if !b.gemm("linear", false, true, m, o, in, 1, ts[0].ptr, in, 0, ts[1].ptr, in, 0, 0, y.ptr, o, 0, 1) {
		return &Tensor{}
	}
	if bias != nil {
		b.addBias("linear", y, ts[2], o, 1)
	}
	return y
}

// MatMul multiplies the last two axes with broadcast batch axes: one
// strided-batched GEMM when the batch offsets are uniform, else one GEMM
// per batch entry.
func (b *Backend) MatMul(x, y nn.Tensor, transA, transB bool) nn.Tensor {
	ts, ok := b.get("matmul", x, y)
	if !ok {
		return &Tensor{}
	}
	as, bs := ts[0].shape, ts[1].shape
	out, err := nn.MatMulShape(as, bs, transA, transB)
	if err != nil {
		return b.Fail(err)
	}
	c, ok := b.alloc("matmul", out)
	if !ok {
		return &Tensor{}
	}
	m, n := out[len(out)-2], out[len(out)-1]
	k := as[len(as)-1]
	if transA {
		k = as[len(as)-2]
	}
	lda, ldb := as[len(as)-1], bs[len(bs)-1]
	batch := out[:len(out)-2]
	aOff, sA, aUni := batchStrides(as[:len(as)-2], batch, int64(m)*int64(k))
	bOff, sB, bUni := batchStrides(bs[:len(bs)-2], batch, int64(k)*int64(n))
	sC := int64(m) * int64(n)
	if k == 0 {
		b.Fail(notImplemented("matmul with an empty inner dimension"))
		return &Tensor{}
	}
	if aUni && bUni {
		b.gemm("matmul", transA, transB, m, n, k, 1, ts[0].ptr, lda, sA, ts[1].ptr, ldb, sB, 0, c.ptr, n, sC, len(aOff))
		return c
	}
	for i := range aOff {
		if !b.gemm("matmul", transA, transB, m, n, k, 1, ts[0].ptr+devPtr(4*aOff[i]), lda, 0,
			ts[1].ptr+devPtr(4*bOff[i]), ldb, 0, 0, c.ptr+devPtr(4*int64(i)*sC), n, 0, 1) {
			return &Tensor{}
		}
	}
	return c
}

// convSetup fetches a convolution's operands (the bias optional), checks
// their shapes with nn's shape function and allocates the output; ok is
// false after a failure was recorded.
func (b *Backend) convSetup(op string, shape func(x, w, b []int, p nn.ConvParams) ([]int, error),
	x, w, bias nn.Tensor, p nn.ConvParams) ([]*Tensor, *Tensor, nn.ConvParams, bool) {
	ts, ok := b.get(op, optional([]nn.Tensor{x, w}, bias)...)
	if !ok {
		return nil, nil, p, false
	}
	var bs []int
	if bias != nil {
		bs = ts[2].shape
	}
	out, err := shape(ts[0].shape, ts[1].shape, bs, p)
	if err != nil {
		b.Fail(err)
		return nil, nil, p, false
	}
	y, ok := b.alloc(op, out)
	return ts, y, p.Norm(), ok
}

// Conv2d is im2col + GEMM per group and chunk of images (a 1x1 stride-1
// convolution without padding is a GEMM on the input directly), then a
// bias kernel.
func (b *Backend) Conv2d(x, w, bias nn.Tensor, p nn.ConvParams) nn.Tensor {
	ts, y, p, ok := b.convSetup("conv2d", nn.ConvShape, x, w, bias, p)
	if !ok {
		return &Tensor{}
	}
	xs, ws, out := ts[0].shape, ts[1].shape, y.shape
	N, C, H, W := xs[0], xs[1], xs[2], xs[3]
	O, KH, KW := ws[0], ws[2], ws[3]
	OH, OW := out[2], out[3]
	G := p.Groups
	Cg, Og := C/G, O/G
	ckk := Cg * KH * KW
	ohw, hw := int64(OH)*int64(OW), int64(H)*int64(W)
	xImg, yImg := int64(C)*hw, int64(O)*ohw
	pointwise := KH == 1 && KW == 1 && p.Stride == [2]int{1, 1} && p.Pad == [4]int{} && p.Dilation == [2]int{1, 1}
	for g := range G {
		wg := ts[1].ptr + devPtr(4*int64(g)*int64(Og)*int64(ckk))
		xg := ts[0].ptr + devPtr(4*int64(g)*int64(Cg)*hw)
		yg := y.ptr + devPtr(4*int64(g)*int64(Og)*ohw)
		if pointwise {
			if !b.gemm("conv2d", false, false, Og, int(ohw), Cg, 1, wg, Cg, 0, xg, int(hw), xImg, 0, yg, int(ohw), yImg, N) {
				return &Tensor{}
			}
			continue
		}
		per := int64(ckk) * ohw
		chunk := convChunk(N, per, b.e.opts.workspace())
		col, ok := b.scratch("conv2d", int64(chunk)*per)
		if !ok {
			return &Tensor{}
		}
		for n0 := 0; n0 < N; n0 += chunk {
			nb := min(chunk, N-n0)
			cnt := int64(nb) * per
			a := new(args).i64(cnt).i32(nb).i32(Cg).i32(H).i32(W).i32(KH).i32(KW).i32(OH).i32(OW).
				i32(p.Stride[0]).i32(p.Stride[1]).i32(p.Dilation[0]).i32(p.Dilation[1]).i32(p.Pad[0]).i32(p.Pad[2]).
				ptr(xg + devPtr(4*int64(n0)*xImg)).i64(xImg).ptr(col).i64(per)
			if !b.elementwise("conv2d", kIm2col, cnt, a) ||
				!b.gemm("conv2d", false, false, Og, int(ohw), ckk, 1, wg, ckk, 0, col, int(ohw), per, 0,
					yg+devPtr(4*int64(n0)*yImg), int(ohw), yImg, nb) {
				b.done(col)
				return &Tensor{}
			}
		}
		b.done(col)
	}
	if bias != nil {
		b.addBias("conv2d", y, ts[2], O, ohw)
	}
	return y
}

// ConvTranspose2d is GEMM (W^T x) + col2im per group and chunk of images;
// col2im gathers each output pixel's contributions and adds the bias.
func (b *Backend) ConvTranspose2d(x, w, bias nn.Tensor, p nn.ConvParams) nn.Tensor {
	ts, y, p, ok := b.convSetup("conv_transpose2d", nn.ConvTransposeShape, x, w, bias, p)
	if !ok {
		return &Tensor{}
	}
	xs, ws, out := ts[0].shape, ts[1].shape, y.shape
	N, C, H, W := xs[0], xs[1], xs[2], xs[3]
	Og, KH, KW := ws[1], ws[2], ws[3]
	O, OH, OW := out[1], out[2], out[3]
	G := p.Groups
	Cg := C / G
	okk := Og * KH * KW
	hw, ohw := int64(H)*int64(W), int64(OH)*int64(OW)
	xImg, yImg := int64(C)*hw, int64(O)*ohw
	per := int64(okk) * hw
	chunk := convChunk(N, per, b.e.opts.workspace())
	col, ok := b.scratch("conv_transpose2d", int64(chunk)*per)
	if !ok {
		return &Tensor{}
	}
	defer b.done(col)
	for g := range G {
		wg := ts[1].ptr + devPtr(4*int64(g)*int64(Cg)*int64(okk))
		xg := ts[0].ptr + devPtr(4*int64(g)*int64(Cg)*hw)
		yg := y.ptr + devPtr(4*int64(g)*int64(Og)*ohw)
		var bg devPtr
		if bias != nil {
			bg = ts[2].ptr + devPtr(4*int64(g)*int64(Og))
		}
		for n0 := 0; n0 < N; n0 += chunk {
			nb := min(chunk, N-n0)
			if !b.gemm("conv_transpose2d", true, false, okk, int(hw), Cg, 1, wg, okk, 0,
				xg+devPtr(4*int64(n0)*xImg), int(hw), xImg, 0, col, int(hw), per, nb) {
				return &Tensor{}
			}
			cnt := int64(nb) * int64(Og) * ohw
			a := new(args).i64(cnt).i32(nb).i32(Og).i32(OH).i32(OW).i32(H).i32(W).i32(KH).i32(KW).
				i32(p.Stride[0]).i32(p.Stride[1]).i32(p.Dilation[0]).i32(p.Dilation[1]).i32(p.Pad[0]).i32(p.Pad[2]).
				ptr(col).i64(per).ptr(bg).ptr(yg + devPtr(4*int64(n0)*yImg)).i64(yImg)
			if !b.elementwise("conv_transpose2d", kCol2im, cnt, a) {
				return &Tensor{}
			}
		}
	}
	return y
}
