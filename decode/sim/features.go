package sim

import (
	"math"
	"math/rand/v2"
)

// Gabor channels: 4 orientations x 2 spatial frequencies (cycles per
// pixel), envelopes of about one octave bandwidth (sigma = 0.56/f).
var (
	orientations = []float64{0, math.Pi / 4, math.Pi / 2, 3 * math.Pi / 4}
	frequencies  = []float64{0.25, 0.125}
)

const nChannels = 8 // len(orientations) * len(frequencies)

// gaborPair is a quadrature pair of zero-mean Gabor kernels.
type gaborPair struct {
	r           int // radius: the kernels are (2r+1)^2
	even, odd   []float64
	freq, theta float64
	// The same kernels in separable form: the complex Gabor
	// env(x,y) exp(i 2 pi f u) is ax(x) ay(y) with ax, ay complex (the
	// envelope is isotropic and u = x cos + y sin), so even =
	// (Re(ax * ay) - dc) / normEven and odd = Im(ax * ay) / normOdd, dc
	// being the even kernel's mean, removed over the whole square.
	ax, ay             []complex128
	dc, normEv, normOd float64
}

func newGabor(theta, f float64) gaborPair {
	sigma := 0.56 / f
	r := int(math.Ceil(2.5 * sigma))
	n := 2*r + 1
	g := gaborPair{r: r, even: make([]float64, n*n), odd: make([]float64, n*n), freq: f, theta: theta}
	c, s := math.Cos(theta), math.Sin(theta)
	g.ax, g.ay = make([]complex128, n), make([]complex128, n)
	for k := -r; k <= r; k++ {
		env := math.Exp(-float64(k*k) / (2 * sigma * sigma))
		g.ax[k+r] = complex(env, 0) * cmplxExp(2*math.Pi*f*float64(k)*c)
		g.ay[k+r] = complex(env, 0) * cmplxExp(2*math.Pi*f*float64(k)*s)
	}
	var me float64
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			u := float64(x)*c + float64(y)*s
			env := math.Exp(-float64(x*x+y*y) / (2 * sigma * sigma))
			i := (y+r)*n + x + r
			g.even[i] = env * math.Cos(2*math.Pi*f*u)
			g.odd[i] = env * math.Sin(2*math.Pi*f*u)
			me += g.even[i]
		}
	}
	me /= float64(n * n)
	// Zero mean (no response to uniform luminance), unit norm.
	var ne, no float64
	for i := range g.even {
		g.even[i] -= me
		ne += g.even[i] * g.even[i]
		no += g.odd[i] * g.odd[i]
	}
	for i := range g.even {
		g.even[i] /= math.Sqrt(ne)
		g.odd[i] /= math.Sqrt(no)
	}
	g.dc, g.normEv, g.normOd = me, math.Sqrt(ne), math.Sqrt(no)
	return g
}

func cmplxExp(phase float64) complex128 { return complex(math.Cos(phase), math.Sin(phase)) }

// energyMaps returns, for each channel, the local contrast energy of the
// image (sqrt of the summed squared quadrature responses: a complex cell),
// zero-padded at the borders. The filtering is separable (see gaborPair):
// a complex pass along x, one along y, and a box sum for the even
// kernel's removed mean; the result equals the direct 2D filtering up to
// rounding (TestSeparableGabor).
func energyMaps(img []float64, h, w int, bank []gaborPair) [][]float64 {
	out := make([][]float64, len(bank))
	rows := make([]complex128, h*w)
	box := make([]float64, h*w)
	for c, g := range bank {
		r := g.r
		// Along x: rows[y][x] = sum_dx img[y][x+dx] ax[dx]; box likewise
		// with weight 1.
		for y := 0; y < h; y++ {
			row := img[y*w : (y+1)*w]
			for x := 0; x < w; x++ {
				var acc complex128
				var bs float64
				for dx := max(-r, -x); dx <= min(r, w-1-x); dx++ {
					v := row[x+dx]
					acc += complex(v, 0) * g.ax[dx+r]
					bs += v
				}
				rows[y*w+x], box[y*w+x] = acc, bs
			}
		}
		m := make([]float64, h*w)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var acc complex128
				var bs float64
				for dy := max(-r, -y); dy <= min(r, h-1-y); dy++ {
					acc += rows[(y+dy)*w+x] * g.ay[dy+r]
					bs += box[(y+dy)*w+x]
				}
				e := (real(acc) - g.dc*bs) / g.normEv
				o := imag(acc) / g.normOd
				m[y*w+x] = math.Sqrt(e*e + o*o)
			}
		}
		out[c] = m
	}
	return out
}

// energyMapsDirect is energyMaps by direct 2D filtering with the kernels,
// kept to check the separable form.
func energyMapsDirect(img []float64, h, w int, bank []gaborPair) [][]float64 {
	out := make([][]float64, len(bank))
	for c, g := range bank {
		m := make([]float64, h*w)
		n := 2*g.r + 1
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var e, o float64
				for dy := -g.r; dy <= g.r; dy++ {
					yy := y + dy
					if yy < 0 || yy >= h {
						continue
					}
					row := img[yy*w:]
					k := (dy + g.r) * n
					for dx := -g.r; dx <= g.r; dx++ {
						xx := x + dx
						if xx < 0 || xx >= w {
							continue
						}
						v := row[xx]
						e += v * g.even[k+dx+g.r]
						o += v * g.odd[k+dx+g.r]
					}
				}
				m[y*w+x] = math.Sqrt(e*e + o*o)
			}
		}
		out[c] = m
	}
	return out
}

// poolMaps average-pools each map over blocks of size b (the last block
// of a row or column may be smaller) and concatenates the results.
func poolMaps(maps [][]float64, h, w, b int) []float64 {
	ph, pw := (h+b-1)/b, (w+b-1)/b
	out := make([]float64, 0, len(maps)*ph*pw)
	for _, m := range maps {
		for by := 0; by < ph; by++ {
			for bx := 0; bx < pw; bx++ {
				var s float64
				k := 0
				for y := by * b; y < min(h, (by+1)*b); y++ {
					for x := bx * b; x < min(w, (bx+1)*b); x++ {
						s += m[y*w+x]
						k++
					}
				}
				out = append(out, s/float64(k))
			}
		}
	}
	return out
}

// hiddenLayer is a random rectified layer on pooled energy features: the
// "higher-level" features that drive the simulated higher visual voxels.
type hiddenLayer struct {
	w    [][]float64 // units x inputs
	b    []float64
	mean []float64 // input standardisation, from the image set
	sd   []float64
}

func newHiddenLayer(rng *rand.Rand, units int, inputs [][]float64) hiddenLayer {
	d := len(inputs[0])
	l := hiddenLayer{w: make([][]float64, units), b: make([]float64, units), mean: make([]float64, d), sd: make([]float64, d)}
	for _, in := range inputs {
		for j, v := range in {
			l.mean[j] += v
		}
	}
	for j := range l.mean {
		l.mean[j] /= float64(len(inputs))
	}
	for _, in := range inputs {
		for j, v := range in {
			l.sd[j] += (v - l.mean[j]) * (v - l.mean[j])
		}
	}
	for j := range l.sd {
		l.sd[j] = math.Sqrt(l.sd[j]/float64(len(inputs))) + 1e-9
	}
	for u := range l.w {
		l.w[u] = make([]float64, d)
		for j := range l.w[u] {
			l.w[u][j] = rng.NormFloat64() / math.Sqrt(float64(d))
		}
		l.b[u] = 0.5 * rng.NormFloat64()
	}
	return l
}

func (l hiddenLayer) apply(in []float64) []float64 {
	out := make([]float64, len(l.w))
	for u, w := range l.w {
		s := l.b[u]
		for j, v := range in {
			s += w[j] * (v - l.mean[j]) / l.sd[j]
		}
		out[u] = math.Max(0, s)
	}
	return out
}
