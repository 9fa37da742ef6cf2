package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Winograd F(2x2,3x3) forward convolution (Lavin & Gray 2016). A 3x3,
// stride-1 convolution computes each 2x2 block of outputs from a 4x4 tile
// of the input, tiles 2 pixels apart: V = Bᵀ d B per tile and channel,
// U = G g Gᵀ per weight, then for each of the 16 points xi of the tile
// M[xi] = U[xi] (O x C) · V[xi] (C x tiles), a GEMM, and y = Aᵀ m A. That is
// 16 multiplies per 4 outputs and channel instead of 36: 2.25 times less
// arithmetic than im2col, paid for by the transforms, which must therefore
// run at memory speed. They do: each is written as whole-row operations
// over a band of tiles (see winoInputRows and winoOutputRows), which the
// amd64 assembly runs 8 tiles at a time.
//
//	Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 -1 -1]
//
// The tiles of all images form one sequence of tile rows, cut into units
// of a few hundred tiles; each unit is transformed, multiplied and
// transformed back by one goroutine with its own buffers (V and M stay in
// its core's cache) and a single-threaded GEMM, which runs faster per core
// than the GEMM's own split at these sizes. Every output element comes from
// one unit and the GEMM's rounding depends on k only, so the result does
// not depend on the number of workers or the unit size.

// winoMode forces the algorithm for tests and benchmarks: 0 chooses by
// shape (Conv.winograd), 1 uses Winograd wherever the geometry allows it,
// -1 never.
var winoMode = 0

// winoUnitTiles is the number of tiles a unit aims at: GEMMs of 96x256x192
// run at about 95% of a core's large-matrix speed, and the unit's V and M
// (3 and 1.5 MB at C=192, O=96) stay within L2 plus a share of L3.
var winoUnitTiles = 256

// winoGeometry reports whether Winograd F(2x2,3x3) can compute c at all.
func (c Conv) winoGeometry() bool {
	return c.KH == 3 && c.KW == 3 && c.SH == 1 && c.SW == 1 && c.DH == 1 && c.DW == 1 &&
		c.Groups == 1 && c.OH > 0 && c.OW > 0 && c.C > 0 && c.O > 0 && c.N > 0
}

// winograd reports whether ConvForward takes the Winograd path for c.
func (c Conv) winograd() bool {
	if !c.winoGeometry() || winoMode < 0 {
		return false
	}
	if winoMode > 0 {
		return true
	}
	return winoWorthIt(c)
}

// winoWorthIt is the shape rule, from BenchmarkWinograd (float32, 2 cores,
// batch 8): at 16x16 outputs and above Winograd ran 1.2 to 3.3 times faster
// than im2col for every channel count tried (3 to 512); at 8x8 they broke
// even and at 4x4 Winograd took twice as long, its weight transform and
// the GEMMs' packing of U no longer paid for by enough tiles. At least 16
// output columns also give the assembly 8 tiles per row. float64 (Go
// transforms) gained too: 1.3x at 192->96 64x64 and 16x16.
func winoWorthIt(c Conv) bool {
	return c.OH >= 16 && c.OW >= 16
}

// winoTiling is the tile grid of c and the padded plane one tile row reads.
type winoTiling struct {
	th, tw int // tile rows and columns per image
	we     int // width of the even and odd planes: tw+1
}

func (c Conv) winoTiling() winoTiling {
	th, tw := (c.OH+1)/2, (c.OW+1)/2
	return winoTiling{th: th, tw: tw, we: tw + 1}
}

// winoScratchSize is the part of the caller's scratch the Winograd path
// uses: the transformed weights U [16][O][C].
func (c Conv) winoScratchSize() int { return 16 * c.O * c.C }

// winoBuf holds one worker's buffers.
type winoBuf[T Float] struct {
	v, m  []T // [16][C][T], [16][O][T]
	pad   []T // padded rows of one channel, (2R+2) x 2we
	plane []T // their even and odd columns, 2 x (2R+2) x we
	drop  []T // the discarded second output row of a clipped tile row
}

var winoPool32, winoPool64 sync.Pool

func getWinoBuf[T Float](c Conv, tl winoTiling, rows int) *winoBuf[T] {
	pool := &winoPool64
	if _, ok := any(T(0)).(float32); ok {
		pool = &winoPool32
	}
	b, _ := pool.Get().(*winoBuf[T])
	if b == nil {
		b = new(winoBuf[T])
	}
	tiles := rows * tl.tw
	grow := func(s []T, n int) []T {
		if cap(s) < n {
			return make([]T, n)
		}
		return s[:n]
	}
	b.v = grow(b.v, 16*c.C*tiles)
	b.m = grow(b.m, 16*c.O*tiles)
	b.pad = grow(b.pad, (2*rows+2)*2*tl.we)
	b.plane = grow(b.plane, 2*(2*rows+2)*tl.we)
	b.drop = grow(b.drop, 2*tl.we)
	return b
}

func putWinoBuf[T Float](b *winoBuf[T]) {
	if _, ok := any(T(0)).(float32); ok {
		winoPool32.Put(b)
	} else {
		winoPool64.Put(b)
	}
}

// winoWeights writes U[xi][o][c] = (G g Gᵀ)[xi] for every filter g = w[o][c],
// in float64 and rounded once.
func winoWeights[T Float](c Conv, w, u []T) {
	oc := c.O * c.C
	parallelFor(c.O, 16, func(o0, o1 int) {
		for o := o0; o < o1; o++ {
			for ch := range c.C {
				g := w[(o*c.C+ch)*9:][:9]
				var t [4][3]float64 // G g
				for j := range 3 {
					g0, g1, g2 := float64(g[j]), float64(g[3+j]), float64(g[6+j])
					t[0][j] = g0
					t[1][j] = (g0 + g1 + g2) / 2
					t[2][j] = (g0 - g1 + g2) / 2
					t[3][j] = g2
				}
				for i := range 4 {
					g0, g1, g2 := t[i][0], t[i][1], t[i][2]
					at := o*c.C + ch + 4*i*oc
					u[at] = T(g0)
					u[at+oc] = T((g0 + g1 + g2) / 2)
					u[at+2*oc] = T((g0 - g1 + g2) / 2)
					u[at+3*oc] = T(g2)
				}
			}
		}
	})
}

// winoForward is ConvForward by Winograd F(2x2,3x3); u is scratch of
// c.winoScratchSize().
func winoForward[T Float](c Conv, x, w, bias, y, u []T) {
	tl := c.winoTiling()
	u = u[:16*c.O*c.C]
	winoWeights(c, w, u)

	total := c.N * tl.th // tile rows of all images, one after another
	workers := min(runtime.GOMAXPROCS(0), total)
	rows := max(1, min((total+workers-1)/workers, (winoUnitTiles+tl.tw-1)/tl.tw))
	units := (total + rows - 1) / rows
	// Even out the units so that the last round keeps every worker busy.
	if r := units % workers; r != 0 {
		units += workers - r
		rows = (total + units - 1) / units
		units = (total + rows - 1) / rows
	}
	var next atomic.Int64
	work := func() {
		b := getWinoBuf[T](c, tl, rows)
		defer putWinoBuf(b)
		for {
			i := int(next.Add(1) - 1)
			if i >= units {
				return
			}
			r0 := i * rows
			winoUnit(c, tl, x, u, bias, y, b, r0, min(r0+rows, total))
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// winoUnit computes the outputs of tile rows [r0, r1) of the sequence of
// all images' tile rows.
func winoUnit[T Float](c Conv, tl winoTiling, x, u, bias, y []T, b *winoBuf[T], r0, r1 int) {
	nt := (r1 - r0) * tl.tw
	hw, ohw := c.H*c.W, c.OH*c.OW
	vs, ms := c.C*nt, c.O*nt // distance between the 16 planes of V and of M

	// V: each image's share of the unit, channel by channel.
	for ch := range c.C {
		for s0 := r0; s0 < r1; {
			n, tr0 := s0/tl.th, s0%tl.th
			tr1 := min(tl.th, tr0+r1-s0)
			winoPlanes(c, tl, x[(n*c.C+ch)*hw:][:hw], tr0, tr1, b)
			pe, po := b.plane, b.plane[len(b.plane)/2:]
			for tr := tr0; tr < tr1; tr++ {
				off := 2 * (tr - tr0) * tl.we
				winoInputRows(pe[off:], po[off:], tl.we, b.v[ch*nt+(s0-r0+tr-tr0)*tl.tw:], vs, tl.tw)
			}
			s0 += tr1 - tr0
		}
	}

	for xi := range 16 {
		gemmSerial(c.O, nt, c.C, u[xi*c.O*c.C:], c.C, b.v[xi*vs:], nt, b.m[xi*ms:], nt)
	}

	for o := range c.O {
		var bo T
		if bias != nil {
			bo = bias[o]
		}
		for s := r0; s < r1; s++ {
			n, tr := s/tl.th, s%tl.th
			img := y[(n*c.O+o)*ohw:][:ohw]
			y0 := img[2*tr*c.OW:][:c.OW]
			y1 := b.drop
			if 2*tr+1 < c.OH {
				y1 = img[(2*tr+1)*c.OW:][:c.OW]
			}
			winoOutputRows(b.m[o*nt+(s-r0)*tl.tw:], ms, bo, y0, y1, tl.tw, c.OW)
		}
	}
}

// winoPlanes writes the input rows of tile rows [tr0, tr1) of one channel
// img, zero-padded to 2*we columns, into b.pad, and their even and odd
// columns into the two halves of b.plane (rows we apart).
func winoPlanes[T Float](c Conv, tl winoTiling, img []T, tr0, tr1 int, b *winoBuf[T]) {
	wp := 2 * tl.we
	nr := 2*(tr1-tr0) + 2
	pad := b.pad[:nr*wp]
	lo, hi := max(0, c.PL), min(wp, c.PL+c.W)
	for k := range nr {
		dst := pad[k*wp : (k+1)*wp]
		ih := 2*tr0 + k - c.PT
		if ih < 0 || ih >= c.H || lo >= hi {
			clear(dst)
			continue
		}
		clear(dst[:lo])
		copy(dst[lo:hi], img[ih*c.W+lo-c.PL:ih*c.W+hi-c.PL])
		clear(dst[hi:])
	}
	half := len(b.plane) / 2
	deinterleave(pad, b.plane[:nr*tl.we], b.plane[half:half+nr*tl.we])
}

// deinterleave writes src's even elements to even and odd ones to odd
// (len(src) = 2*len(even) = 2*len(odd)).
func deinterleave[T Float](src, even, odd []T) {
	j := 0
	if s, ok := any(src).([]float32); ok {
		j = deinterleave32(s, any(even).([]float32), any(odd).([]float32))
	}
	for ; j < len(even); j++ {
		even[j], odd[j] = src[2*j], src[2*j+1]
	}
}

// winoInputRows transforms one tile row: e and o are the even and odd
// columns of its 4 padded input rows (rows ld apart, n+1 columns each);
// V[xi][j] for tile j goes to v[xi*vs+j]. The vertical stage Bᵀ combines
// rows elementwise; the horizontal stage is then elementwise over tiles j,
// since tile j's columns are e[j], o[j], e[j+1], o[j+1].
func winoInputRows[T Float](e, o []T, ld int, v []T, vs, n int) {
	j := 0
	if e32, ok := any(e).([]float32); ok {
		j = winoInput32(e32, any(o).([]float32), ld, any(v).([]float32), vs, n)
	}
	winoInputGo(e, o, ld, v, vs, j, n)
}

// winoInputGo is winoInputRows for tiles [j0, n), with the assembly's
// order of operations.
func winoInputGo[T Float](e, o []T, ld int, v []T, vs, j0, n int) {
	for j := j0; j < n; j++ {
		for a := range 4 {
			// Row a of Bᵀ d: r0-r2, r1+r2, r2-r1, r1-r3.
			var p, q int
			switch a {
			case 0:
				p, q = 0, 2
			case 1, 2:
				p, q = 1, 2
			case 3:
				p, q = 1, 3
			}
			pe, qe, po, qo := e[p*ld+j:], e[q*ld+j:], o[p*ld+j:], o[q*ld+j:]
			var e0, e1, o0, o1 T
			switch a {
			case 1:
				e0, e1, o0, o1 = pe[0]+qe[0], pe[1]+qe[1], po[0]+qo[0], po[1]+qo[1]
			case 2:
				e0, e1, o0, o1 = qe[0]-pe[0], qe[1]-pe[1], qo[0]-po[0], qo[1]-po[1]
			default:
				e0, e1, o0, o1 = pe[0]-qe[0], pe[1]-qe[1], po[0]-qo[0], po[1]-qo[1]
			}
			at := 4*a*vs + j
			v[at] = e0 - e1
			v[at+vs] = o0 + e1
			v[at+2*vs] = e1 - o0
			v[at+3*vs] = o0 - o1
		}
	}
}

// winoOutputRows transforms one tile row back: m[xi*ms+j] is M[xi] of tile
// j; y0 and y1 get the tile row's two output rows (bias added), ow columns
// each. The vertical stage Aᵀ combines the 16 planes elementwise, the
// horizontal one gives each tile's even and odd output columns, which are
// then interleaved.
func winoOutputRows[T Float](m []T, ms int, bias T, y0, y1 []T, n, ow int) {
	j := 0
	if m32, ok := any(m).([]float32); ok {
		j = winoOutput32(m32, ms, float32(bias), any(y0).([]float32), any(y1).([]float32), ow/2)
	}
	winoOutputGo(m, ms, bias, y0, y1, j, n, ow)
}

// winoOutputGo is winoOutputRows for tiles [j0, n), with the assembly's
// order of operations; it writes only columns below ow.
func winoOutputGo[T Float](m []T, ms int, bias T, y0, y1 []T, j0, n, ow int) {
	for j := j0; j < n; j++ {
		var s0, s1 [4]T
		for b := range 4 {
			m0, m1, m2, m3 := m[b*ms+j], m[(4+b)*ms+j], m[(8+b)*ms+j], m[(12+b)*ms+j]
			s0[b] = m0 + m1 + m2
			s1[b] = m1 - m2 - m3
		}
		y0[2*j] = s0[0] + s0[1] + s0[2] + bias
		y1[2*j] = s1[0] + s1[1] + s1[2] + bias
		if 2*j+1 < ow {
			y0[2*j+1] = s0[1] - s0[2] - s0[3] + bias
			y1[2*j+1] = s1[1] - s1[2] - s1[3] + bias
		}
	}
}
