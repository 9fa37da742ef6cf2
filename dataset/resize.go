package dataset

import "math"

// Resize resamples a [c, h, w] image to [c, oh, ow] with a separable
// triangle (bilinear) filter whose support widens when shrinking, so
// downscaling averages rather than aliases (as PIL's and scikit-image's
// anti-aliased resizing do). Pixel centres are aligned (half-pixel
// convention).
func Resize(src []float32, c, h, w, oh, ow int) []float32 {
	tmp := make([]float32, c*h*ow)
	cols := weights(w, ow)
	for ch := range c {
		for y := range h {
			row := src[(ch*h+y)*w:]
			dst := tmp[(ch*h+y)*ow:]
			for x, wt := range cols {
				var s float64
				for k, v := range wt.w {
					s += v * float64(row[wt.first+k])
				}
				dst[x] = float32(s)
			}
		}
	}
	out := make([]float32, c*oh*ow)
	rows := weights(h, oh)
	for ch := range c {
		for y, wt := range rows {
			dst := out[(ch*oh+y)*ow : (ch*oh+y+1)*ow]
			for k, v := range wt.w {
				src := tmp[(ch*h+wt.first+k)*ow:]
				for x := range dst {
					dst[x] += float32(v) * src[x]
				}
			}
		}
	}
	return out
}

type tap struct {
	first int
	w     []float64
}

// weights computes, for each output position, the contributing input
// positions and their normalised triangle-filter weights.
func weights(in, out int) []tap {
	scale := float64(in) / float64(out)
	support := math.Max(scale, 1)
	taps := make([]tap, out)
	for o := range out {
		centre := (float64(o)+0.5)*scale - 0.5
		lo := int(math.Ceil(centre - support))
		hi := int(math.Floor(centre + support))
		lo, hi = max(lo, 0), min(hi, in-1)
		var ws []float64
		var sum float64
		for i := lo; i <= hi; i++ {
			v := 1 - math.Abs(float64(i)-centre)/support
			if v < 0 {
				v = 0
			}
			ws = append(ws, v)
			sum += v
		}
		if sum == 0 { // degenerate: nearest pixel
			n := min(max(int(math.Round(centre)), 0), in-1)
			taps[o] = tap{first: n, w: []float64{1}}
			continue
		}
		for i := range ws {
			ws[i] /= sum
		}
		taps[o] = tap{first: lo, w: ws}
	}
	return taps
}

// CentreCrop returns the centre square of a [c, h, w] image, then keeps the
// central factor of it (factor 1 keeps the square), as the VAE-GAN's
// preprocessing does: crop = min(h, w); a margin of int(crop*(1-factor)/2)
// is removed on each side.
func CentreCrop(src []float32, c, h, w int, factor float64) (out []float32, size int) {
	crop := min(h, w)
	top, left := (h-crop)/2, (w-crop)/2
	if factor < 1 {
		m := int(float64(crop) * (1 - factor) / 2)
		top, left, crop = top+m, left+m, crop-2*m
	}
	out = make([]float32, c*crop*crop)
	for ch := range c {
		for y := range crop {
			copy(out[(ch*crop+y)*crop:(ch*crop+y+1)*crop], src[(ch*h+top+y)*w+left:])
		}
	}
	return out, crop
}
