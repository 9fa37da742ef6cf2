package kernels

// Geom is the geometry shared by a convolution and its adjoint: a "big"
// image [C,H,W] and a "small" grid of OH x OW kernel positions. For Conv2d
// the big image is the input and the small grid the output; for
// ConvTranspose2d it is the other way round, and PT/PL are the crop.
type Geom struct {
	C, H, W        int // big side
	OH, OW         int // small side
	KH, KW         int
	SH, SW, DH, DW int
	PT, PL         int // padding before (top, left) of the big side
}

// K is the number of rows of the column matrix, C*KH*KW.
func (g Geom) K() int { return g.C * g.KH * g.KW }

// identity reports whether the column matrix equals the image itself
// (1x1 kernel, unit stride, no padding), so im2col can be skipped.
func (g Geom) identity() bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 && g.OH == g.H && g.OW == g.W
}

// owRange returns the output columns [lo, hi) whose input column for kernel
// column kj falls inside the image.
func (g Geom) owRange(kj int) (lo, hi int) {
	off := kj*g.DW - g.PL // iw = ow*SW + off
	lo = 0
	if off < 0 {
		lo = (-off + g.SW - 1) / g.SW
	}
	hi = g.OW
	if last := (g.W - 1 - off); last < 0 {
		hi = 0
	} else if h := last/g.SW + 1; h < hi {
		hi = h
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// Im2col writes the column matrix [C*KH*KW, OH*OW] of big [C,H,W].
func Im2col[T Float](g Geom, big, cols []T) {
	n := g.OH * g.OW
	parallelFor(g.C, 4, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			img := big[c*g.H*g.W : (c+1)*g.H*g.W]
			for ki := range g.KH {
				for kj := range g.KW {
					row := cols[((c*g.KH+ki)*g.KW+kj)*n:][:n]
					lo, hi := g.owRange(kj)
					off := kj*g.DW - g.PL
					for oh := range g.OH {
						dst := row[oh*g.OW : (oh+1)*g.OW]
						ih := oh*g.SH - g.PT + ki*g.DH
						if ih < 0 || ih >= g.H || lo >= hi {
							clear(dst)
							continue
						}
						clear(dst[:lo])
						clear(dst[hi:])
						src := img[ih*g.W:]
						if g.SW == 1 {
							copy(dst[lo:hi], src[lo+off:hi+off])
							continue
						}
						for ow := lo; ow < hi; ow++ {
							dst[ow] = src[ow*g.SW+off]
						}
					}
				}
			}
		}
	})
}

// Col2im adds the column matrix [C*KH*KW, OH*OW] into big [C,H,W] (the
// adjoint of Im2col). The caller clears big first if it wants a plain sum.
func Col2im[T Float](g Geom, cols, big []T) {
	n := g.OH * g.OW
	parallelFor(g.C, 4, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			img := big[c*g.H*g.W : (c+1)*g.H*g.W]
			for ki := range g.KH {
				for kj := range g.KW {
					row := cols[((c*g.KH+ki)*g.KW+kj)*n:][:n]
					lo, hi := g.owRange(kj)
					if lo >= hi {
						continue
					}
					off := kj*g.DW - g.PL
					for oh := range g.OH {
						ih := oh*g.SH - g.PT + ki*g.DH
						if ih < 0 || ih >= g.H {
							continue
						}
						src := row[oh*g.OW : (oh+1)*g.OW]
						dst := img[ih*g.W:]
						for ow := lo; ow < hi; ow++ {
							dst[ow*g.SW+off] += src[ow]
						}
					}
				}
			}
		}
	})
}

// Conv describes one Conv2d call: input [N,C,H,W], weight [O,C/G,KH,KW],
// output [N,O,OH,OW].
type Conv struct {
	N, C, H, W, O, OH, OW  int
	KH, KW, SH, SW, DH, DW int
	PT, PL                 int
	Groups                 int
}

// geom is the per-group geometry with the input as the big side.
func (c Conv) geom() Geom {
	return Geom{C: c.C / c.Groups, H: c.H, W: c.W, OH: c.OH, OW: c.OW, KH: c.KH, KW: c.KW,
		SH: c.SH, SW: c.SW, DH: c.DH, DW: c.DW, PT: c.PT, PL: c.PL}
}

// ScratchSize is the length of the scratch slice the conv routines need.
func (c Conv) ScratchSize() int {
	g := c.geom()
	if g.identity() {
		return 0
	}
	return g.K() * c.OH * c.OW
}

// ConvForward computes y = conv(x, w) + bias (bias may be nil).
func ConvForward[T Float](c Conv, x, w, bias, y, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	for n := range c.N {
		out := y[n*c.O*ohw : (n+1)*c.O*ohw]
		beta := T(0)
		if bias != nil {
			for o := range c.O {
				fill(out[o*ohw:(o+1)*ohw], bias[o])
			}
			beta = 1
		}
		for gi := range c.Groups {
			img := x[(n*c.C+gi*cg)*hw : (n*c.C+(gi+1)*cg)*hw]
			cols := img
			if !g.identity() {
				cols = scratch[:k*ohw]
				Im2col(g, img, cols)
			}
			Gemm(false, false, og, ohw, k, 1, w[gi*og*k:], k, cols, ohw, beta, out[gi*og*ohw:], ohw)
		}
	}
}

// ConvBackwardInput computes gx = conv^T(gy, w), overwriting gx.
func ConvBackwardInput[T Float](c Conv, gy, w, gx, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	for n := range c.N {
		for gi := range c.Groups {
			img := gx[(n*c.C+gi*cg)*hw : (n*c.C+(gi+1)*cg)*hw]
			grad := gy[(n*c.O+gi*og)*ohw:]
			if g.identity() {
				Gemm(true, false, k, ohw, og, 1, w[gi*og*k:], k, grad, ohw, 0, img, ohw)
				continue
			}
			cols := scratch[:k*ohw]
			Gemm(true, false, k, ohw, og, 1, w[gi*og*k:], k, grad, ohw, 0, cols, ohw)
			clear(img)
			Col2im(g, cols, img)
		}
	}
}

// ConvBackwardWeight computes gw = sum_n gy_n cols(x_n)^T, overwriting gw.
func ConvBackwardWeight[T Float](c Conv, x, gy, gw, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	clear(gw)
	for n := range c.N {
		for gi := range c.Groups {
			img := x[(n*c.C+gi*cg)*hw : (n*c.C+(gi+1)*cg)*hw]
			cols := img
			if !g.identity() {
				cols = scratch[:k*ohw]
				Im2col(g, img, cols)
			}
			Gemm(false, true, og, k, ohw, 1, gy[(n*c.O+gi*og)*ohw:], ohw, cols, ohw, 1, gw[gi*og*k:], k)
		}
	}
}

// ConvT describes one ConvTranspose2d call: input [N,C,H,W], weight
// [C,O/G,KH,KW], output [N,O,OH,OW]; PT/PL are cropped from the output.
type ConvT struct {
	N, C, H, W, O, OH, OW  int
	KH, KW, SH, SW, DH, DW int
	PT, PL                 int
	Groups                 int
}

// geom is the per-group geometry with the output as the big side.
func (c ConvT) geom() Geom {
	return Geom{C: c.O / c.Groups, H: c.OH, W: c.OW, OH: c.H, OW: c.W, KH: c.KH, KW: c.KW,
		SH: c.SH, SW: c.SW, DH: c.DH, DW: c.DW, PT: c.PT, PL: c.PL}
}

// ScratchSize is the length of the scratch slice the routines need.
func (c ConvT) ScratchSize() int {
	g := c.geom()
	if g.identity() {
		return 0
	}
	return g.K() * c.H * c.W
}

// ConvTForward computes y = conv_transpose(x, w) + bias.
func ConvTForward[T Float](c ConvT, x, w, bias, y, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	for n := range c.N {
		out := y[n*c.O*ohw : (n+1)*c.O*ohw]
		clear(out)
		for gi := range c.Groups {
			in := x[(n*c.C+gi*cg)*hw:]
			img := out[gi*og*ohw : (gi+1)*og*ohw]
			wg := w[gi*cg*k:]
			if g.identity() {
				Gemm(true, false, k, hw, cg, 1, wg, k, in, hw, 0, img, hw)
				continue
			}
			cols := scratch[:k*hw]
			Gemm(true, false, k, hw, cg, 1, wg, k, in, hw, 0, cols, hw)
			Col2im(g, cols, img)
		}
		if bias != nil {
			for o := range c.O {
				addConst(out[o*ohw:(o+1)*ohw], bias[o])
			}
		}
	}
}

// ConvTBackwardInput computes gx from gy (a plain convolution), overwriting gx.
func ConvTBackwardInput[T Float](c ConvT, gy, w, gx, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	for n := range c.N {
		for gi := range c.Groups {
			img := gy[(n*c.O+gi*og)*ohw : (n*c.O+(gi+1)*og)*ohw]
			cols := img
			if !g.identity() {
				cols = scratch[:k*hw]
				Im2col(g, img, cols)
			}
			Gemm(false, false, cg, hw, k, 1, w[gi*cg*k:], k, cols, hw, 0, gx[(n*c.C+gi*cg)*hw:], hw)
		}
	}
}

// ConvTBackwardWeight computes gw = sum_n x_n cols(gy_n)^T, overwriting gw.
func ConvTBackwardWeight[T Float](c ConvT, x, gy, gw, scratch []T) {
	g := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := g.K(), c.H*c.W, c.OH*c.OW
	clear(gw)
	for n := range c.N {
		for gi := range c.Groups {
			img := gy[(n*c.O+gi*og)*ohw : (n*c.O+(gi+1)*og)*ohw]
			cols := img
			if !g.identity() {
				cols = scratch[:k*hw]
				Im2col(g, img, cols)
			}
			Gemm(false, true, cg, k, hw, 1, x[(n*c.C+gi*cg)*hw:], hw, cols, hw, 1, gw[gi*cg*k:], k)
		}
	}
}

// ChannelSum adds up x [N,C,S] over N and S into out [C], overwriting out.
func ChannelSum[T Float](x []T, n, c, s int, out []T) {
	clear(out)
	for i := range n {
		for ch := range c {
			var acc T
			for _, v := range x[(i*c+ch)*s : (i*c+ch+1)*s] {
				acc += v
			}
			out[ch] += acc
		}
	}
}

func fill[T Float](x []T, v T) {
	for i := range x {
		x[i] = v
	}
}

func addConst[T Float](x []T, v T) {
	for i := range x {
		x[i] += v
	}
}
