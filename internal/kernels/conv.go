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
// (1x1 kernel, unit stride, no padding), so Im2col and Col2im reduce to
// copying rows.
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

// Im2col writes the column matrix [C*KH*KW, OH*OW] of big [C,H,W] into
// cols, whose rows are ld apart (ld >= OH*OW lets several images share one
// matrix, side by side).
func Im2col[T Float](g Geom, big, cols []T, ld int) {
	n := g.OH * g.OW
	if g.identity() {
		for c := range g.C {
			copy(cols[c*ld:c*ld+n], big[c*n:(c+1)*n])
		}
		return
	}
	parallelFor(g.C, 4, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			img := big[c*g.H*g.W : (c+1)*g.H*g.W]
			for ki := range g.KH {
				for kj := range g.KW {
					row := cols[((c*g.KH+ki)*g.KW+kj)*ld:][:n]
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

// Col2im adds the column matrix [C*KH*KW, OH*OW] (rows ld apart) into big
// [C,H,W] (the adjoint of Im2col). The caller clears big first if it wants
// a plain sum.
func Col2im[T Float](g Geom, cols, big []T, ld int) {
	n := g.OH * g.OW
	if g.identity() {
		for c := range g.C {
			dst := big[c*n : (c+1)*n]
			for j, v := range cols[c*ld : c*ld+n] {
				dst[j] += v
			}
		}
		return
	}
	parallelFor(g.C, 4, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			img := big[c*g.H*g.W : (c+1)*g.H*g.W]
			for ki := range g.KH {
				for kj := range g.KW {
					row := cols[((c*g.KH+ki)*g.KW+kj)*ld:][:n]
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

// Small images make small matrix products, which run far below the GEMM's
// peak. Convolutions therefore process a group of images per product: their
// column matrices side by side, [K, group*OH*OW], so the product has at
// least about groupColumns columns.
const groupColumns = 4096

// groupSize is the number of images per product for a grid of cols
// positions.
func groupSize(n, cols int) int { return max(1, min(n, groupColumns/max(cols, 1))) }

// gather copies rows [r0, r0+rows) of each image i in [n0, n0+g) of x (an
// [N, R, S] tensor) into dst [rows, g*S], image i's block at column (i-n0)*S.
func gather[T Float](x []T, r, s, n0, g, r0, rows int, dst []T) {
	for i := range g {
		src := x[((n0+i)*r+r0)*s:]
		for k := range rows {
			copy(dst[k*g*s+i*s:k*g*s+(i+1)*s], src[k*s:(k+1)*s])
		}
	}
}

// scatter is the inverse of gather: it copies (or adds, with add) src
// [rows, g*S] back into rows [r0, r0+rows) of images [n0, n0+g) of x.
func scatter[T Float](src []T, r, s, n0, g, r0, rows int, x []T, add bool) {
	for i := range g {
		dst := x[((n0+i)*r+r0)*s:]
		for k := range rows {
			from := src[k*g*s+i*s : k*g*s+(i+1)*s]
			to := dst[k*s : (k+1)*s]
			if add {
				for j, v := range from {
					to[j] += v
				}
			} else {
				copy(to, from)
			}
		}
	}
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

// ScratchSize is the length of the scratch slice the conv routines need:
// a column matrix and a staging matrix of the outputs, both for a group
// of images.
func (c Conv) ScratchSize() int {
	g := groupSize(c.N, c.OH*c.OW)
	cols := g * c.OH * c.OW
	n := c.geom().K()*cols + c.O/c.Groups*cols
	if c.winoGeometry() {
		n = max(n, c.winoScratchSize())
	}
	return n
}

// ConvForward computes y = conv(x, w) + bias (bias may be nil). 3x3
// stride-1 convolutions with outputs of 16x16 and more take the Winograd
// path of winograd.go (see winoWorthIt), the others im2col and GEMM.
func ConvForward[T Float](c Conv, x, w, bias, y, scratch []T) {
	if c.winograd() {
		winoForward(c, x, w, bias, y, scratch)
		return
	}
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, ohw)
	cols, stage := scratch[:k*gs*ohw], scratch[k*gs*ohw:]
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * ohw
		for gi := range c.Groups {
			for i := range g {
				img := x[((n0+i)*c.C+gi*cg)*hw : ((n0+i)*c.C+(gi+1)*cg)*hw]
				Im2col(geo, img, cols[i*ohw:], ld)
			}
			out := stage[:og*ld]
			beta := T(0)
			if bias != nil {
				for o := range og {
					fill(out[o*ld:(o+1)*ld], bias[gi*og+o])
				}
				beta = 1
			}
			Gemm(false, false, og, ld, k, 1, w[gi*og*k:], k, cols, ld, beta, out, ld)
			scatter(out, c.O, ohw, n0, g, gi*og, og, y, false)
		}
	}
}

// ConvBackwardInput computes gx = conv^T(gy, w), overwriting gx.
func ConvBackwardInput[T Float](c Conv, gy, w, gx, scratch []T) {
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, ohw)
	cols, stage := scratch[:k*gs*ohw], scratch[k*gs*ohw:]
	clear(gx)
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * ohw
		for gi := range c.Groups {
			grad := stage[:og*ld]
			gather(gy, c.O, ohw, n0, g, gi*og, og, grad)
			Gemm(true, false, k, ld, og, 1, w[gi*og*k:], k, grad, ld, 0, cols, ld)
			for i := range g {
				img := gx[((n0+i)*c.C+gi*cg)*hw : ((n0+i)*c.C+(gi+1)*cg)*hw]
				Col2im(geo, cols[i*ohw:], img, ld)
			}
		}
	}
}

// ConvBackwardWeight computes gw = sum_n gy_n cols(x_n)^T, overwriting gw.
func ConvBackwardWeight[T Float](c Conv, x, gy, gw, scratch []T) {
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, ohw)
	cols, stage := scratch[:k*gs*ohw], scratch[k*gs*ohw:]
	clear(gw)
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * ohw
		for gi := range c.Groups {
			for i := range g {
				img := x[((n0+i)*c.C+gi*cg)*hw : ((n0+i)*c.C+(gi+1)*cg)*hw]
				Im2col(geo, img, cols[i*ohw:], ld)
			}
			grad := stage[:og*ld]
			gather(gy, c.O, ohw, n0, g, gi*og, og, grad)
			Gemm(false, true, og, k, ld, 1, grad, ld, cols, ld, 1, gw[gi*og*k:], k)
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
	g := groupSize(c.N, c.H*c.W)
	cols := g * c.H * c.W
	return c.geom().K()*cols + c.C/c.Groups*cols
}

// ConvTForward computes y = conv_transpose(x, w) + bias.
func ConvTForward[T Float](c ConvT, x, w, bias, y, scratch []T) {
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, hw)
	cols, stage := scratch[:k*gs*hw], scratch[k*gs*hw:]
	clear(y)
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * hw
		for gi := range c.Groups {
			in := stage[:cg*ld]
			gather(x, c.C, hw, n0, g, gi*cg, cg, in)
			Gemm(true, false, k, ld, cg, 1, w[gi*cg*k:], k, in, ld, 0, cols, ld)
			for i := range g {
				img := y[((n0+i)*c.O+gi*og)*ohw : ((n0+i)*c.O+(gi+1)*og)*ohw]
				Col2im(geo, cols[i*hw:], img, ld)
			}
		}
	}
	if bias != nil {
		for n := range c.N {
			for o := range c.O {
				addConst(y[(n*c.O+o)*ohw:(n*c.O+o+1)*ohw], bias[o])
			}
		}
	}
}

// ConvTBackwardInput computes gx from gy (a plain convolution), overwriting gx.
func ConvTBackwardInput[T Float](c ConvT, gy, w, gx, scratch []T) {
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, hw)
	cols, stage := scratch[:k*gs*hw], scratch[k*gs*hw:]
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * hw
		for gi := range c.Groups {
			for i := range g {
				img := gy[((n0+i)*c.O+gi*og)*ohw : ((n0+i)*c.O+(gi+1)*og)*ohw]
				Im2col(geo, img, cols[i*hw:], ld)
			}
			out := stage[:cg*ld]
			Gemm(false, false, cg, ld, k, 1, w[gi*cg*k:], k, cols, ld, 0, out, ld)
			scatter(out, c.C, hw, n0, g, gi*cg, cg, gx, false)
		}
	}
}

// ConvTBackwardWeight computes gw = sum_n x_n cols(gy_n)^T, overwriting gw.
func ConvTBackwardWeight[T Float](c ConvT, x, gy, gw, scratch []T) {
	geo := c.geom()
	cg, og := c.C/c.Groups, c.O/c.Groups
	k, hw, ohw := geo.K(), c.H*c.W, c.OH*c.OW
	gs := groupSize(c.N, hw)
	cols, stage := scratch[:k*gs*hw], scratch[k*gs*hw:]
	clear(gw)
	for n0 := 0; n0 < c.N; n0 += gs {
		g := min(gs, c.N-n0)
		ld := g * hw
		for gi := range c.Groups {
			for i := range g {
				img := gy[((n0+i)*c.O+gi*og)*ohw : ((n0+i)*c.O+(gi+1)*og)*ohw]
				Im2col(geo, img, cols[i*hw:], ld)
			}
			in := stage[:cg*ld]
			gather(x, c.C, hw, n0, g, gi*cg, cg, in)
			Gemm(false, true, cg, k, ld, 1, in, ld, cols, ld, 1, gw[gi*cg*k:], k)
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
