package kernels

import "math"

// Pool describes a 2D max pooling of x [N*C, H, W] into [N*C, OH, OW].
type Pool struct {
	NC, H, W, OH, OW       int
	KH, KW, SH, SW, DH, DW int
	PT, PL                 int
}

// MaxPoolForward writes the window maxima into y and, if argmax is not nil,
// the flat index (within its channel) of each winner. Padding never wins;
// ties go to the first position in row-major order.
func MaxPoolForward[T Float](p Pool, x, y []T, argmax []int32) {
	parallelFor(p.NC, 8, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			img := x[c*p.H*p.W : (c+1)*p.H*p.W]
			for oh := range p.OH {
				for ow := range p.OW {
					best := T(math.Inf(-1))
					bi := -1
					for ki := range p.KH {
						ih := oh*p.SH - p.PT + ki*p.DH
						if ih < 0 || ih >= p.H {
							continue
						}
						for kj := range p.KW {
							iw := ow*p.SW - p.PL + kj*p.DW
							if iw < 0 || iw >= p.W {
								continue
							}
							if v := img[ih*p.W+iw]; bi < 0 || v > best || v != v {
								best, bi = v, ih*p.W+iw
								if v != v { // NaN propagates, as in PyTorch
									break
								}
							}
						}
					}
					o := (c*p.OH+oh)*p.OW + ow
					y[o] = best
					if argmax != nil {
						argmax[o] = int32(bi)
					}
				}
			}
		}
	})
}

// MaxPoolBackward routes each output gradient to its window's winner.
func MaxPoolBackward[T Float](p Pool, gy []T, argmax []int32, gx []T) {
	clear(gx)
	for c := range p.NC {
		g := gx[c*p.H*p.W : (c+1)*p.H*p.W]
		for i := range p.OH * p.OW {
			o := c*p.OH*p.OW + i
			if a := argmax[o]; a >= 0 {
				g[a] += gy[o]
			}
		}
	}
}

// Softmax normalises exp(x) along axis n of x viewed as [outer, n, inner].
func Softmax[T Float](x, y []T, outer, n, inner int) {
	for o := range outer {
		for in := range inner {
			base := o*n*inner + in
			m := math.Inf(-1)
			for i := range n {
				m = math.Max(m, float64(x[base+i*inner]))
			}
			var s float64
			for i := range n {
				e := math.Exp(float64(x[base+i*inner]) - m)
				y[base+i*inner] = T(e)
				s += e
			}
			inv := 1 / s
			for i := range n {
				y[base+i*inner] = T(float64(y[base+i*inner]) * inv)
			}
		}
	}
}

// SoftmaxBackward computes gx = y * (gy - sum(gy*y)) along the axis.
func SoftmaxBackward[T Float](y, gy, gx []T, outer, n, inner int) {
	for o := range outer {
		for in := range inner {
			base := o*n*inner + in
			var s T
			for i := range n {
				s += gy[base+i*inner] * y[base+i*inner]
			}
			for i := range n {
				j := base + i*inner
				gx[j] = y[j] * (gy[j] - s)
			}
		}
	}
}
