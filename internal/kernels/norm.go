package kernels

import "math"

// Normalisation works on x viewed as [N, C, S] (S = spatial size).

// ChannelMeanVar returns the per-channel mean and population variance of
// x [N,C,S], accumulated in float64 with a two-pass algorithm for accuracy.
func ChannelMeanVar[T Float](x []T, n, c, s int, mean, variance []float64) {
	cnt := float64(n * s)
	parallelFor(c, 4, func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			var sum float64
			for i := range n {
				for _, v := range x[(i*c+ch)*s : (i*c+ch+1)*s] {
					sum += float64(v)
				}
			}
			m := sum / cnt
			var sq float64
			for i := range n {
				for _, v := range x[(i*c+ch)*s : (i*c+ch+1)*s] {
					d := float64(v) - m
					sq += d * d
				}
			}
			mean[ch], variance[ch] = m, sq/cnt
		}
	})
}

// Normalize writes (x - mean) / sqrt(var + eps) per channel into y.
func Normalize[T Float](x, y []T, n, c, s int, mean, variance []float64, eps float64) {
	parallelFor(n*c, max(1, elementGrain/max(s, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			i, ch := p/c, p%c
			inv := 1 / math.Sqrt(variance[ch]+eps)
			m := mean[ch]
			src := x[(i*c+ch)*s : (i*c+ch+1)*s]
			dst := y[(i*c+ch)*s : (i*c+ch+1)*s]
			for j, v := range src {
				dst[j] = T((float64(v) - m) * inv)
			}
		}
	})
}

// NormalizeBackward is the gradient of Normalize with batch statistics:
// with xh the normalised output, gx = inv/M * (M*gy - sum(gy) - xh*sum(gy*xh))
// per channel, M = N*S.
func NormalizeBackward[T Float](xh, gy, gx []T, n, c, s int, variance []float64, eps float64) {
	m := float64(n * s)
	parallelFor(c, 4, func(c0, c1 int) {
		for ch := c0; ch < c1; ch++ {
			var sg, sgx float64
			for i := range n {
				off := (i*c + ch) * s
				for j := range s {
					g := float64(gy[off+j])
					sg += g
					sgx += g * float64(xh[off+j])
				}
			}
			inv := 1 / math.Sqrt(variance[ch]+eps)
			for i := range n {
				off := (i*c + ch) * s
				for j := range s {
					gx[off+j] = T(inv / m * (m*float64(gy[off+j]) - sg - float64(xh[off+j])*sgx))
				}
			}
		}
	})
}

// ChannelAffine computes y = x*scale + shift per channel of x [N,C,S].
// scale and shift hold C values (shared) or N*C values (per sample,
// perSample true); either may be nil.
func ChannelAffine[T Float](x, scale, shift, y []T, n, c, s int, scalePerSample, shiftPerSample bool) {
	parallelFor(n*c, max(1, elementGrain/max(s, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			i, ch := p/c, p%c
			a, b := T(1), T(0)
			if scale != nil {
				a = scale[pick(i, ch, c, scalePerSample)]
			}
			if shift != nil {
				b = shift[pick(i, ch, c, shiftPerSample)]
			}
			src := x[(i*c+ch)*s : (i*c+ch+1)*s]
			dst := y[(i*c+ch)*s : (i*c+ch+1)*s]
			for j, v := range src {
				dst[j] = v*a + b
			}
		}
	})
}

func pick(i, ch, c int, perSample bool) int {
	if perSample {
		return i*c + ch
	}
	return ch
}

// ChannelAffineBackward computes the gradients of ChannelAffine; any of
// gx, gscale, gshift may be nil. gscale and gshift are overwritten.
func ChannelAffineBackward[T Float](x, scale, gy, gx, gscale, gshift []T, n, c, s int, scalePerSample, shiftPerSample bool) {
	if gscale != nil {
		clear(gscale)
	}
	if gshift != nil {
		clear(gshift)
	}
	for i := range n {
		for ch := range c {
			off := (i*c + ch) * s
			g := gy[off : off+s]
			if gx != nil {
				a := T(1)
				if scale != nil {
					a = scale[pick(i, ch, c, scalePerSample)]
				}
				dst := gx[off : off+s]
				for j, v := range g {
					dst[j] = v * a
				}
			}
			if gscale != nil {
				var acc T
				for j, v := range g {
					acc += v * x[off+j]
				}
				gscale[pick(i, ch, c, scalePerSample)] += acc
			}
			if gshift != nil {
				var acc T
				for _, v := range g {
					acc += v
				}
				gshift[pick(i, ch, c, shiftPerSample)] += acc
			}
		}
	}
}
