package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveConv is the textbook definition, used as the reference.
func naiveConv(c Conv, x, w, b []float64) []float64 {
	y := make([]float64, c.N*c.O*c.OH*c.OW)
	cg, og := c.C/c.Groups, c.O/c.Groups
	for n := range c.N {
		for o := range c.O {
			gi := o / og
			for oh := range c.OH {
				for ow := range c.OW {
					var s float64
					if b != nil {
						s = b[o]
					}
					for ci := range cg {
						ch := gi*cg + ci
						for ki := range c.KH {
							for kj := range c.KW {
								ih := oh*c.SH - c.PT + ki*c.DH
								iw := ow*c.SW - c.PL + kj*c.DW
								if ih < 0 || ih >= c.H || iw < 0 || iw >= c.W {
									continue
								}
								s += x[((n*c.C+ch)*c.H+ih)*c.W+iw] * w[((o*cg+ci)*c.KH+ki)*c.KW+kj]
							}
						}
					}
					y[((n*c.O+o)*c.OH+oh)*c.OW+ow] = s
				}
			}
		}
	}
	return y
}

// naiveConvT scatters every input pixel through the kernel.
func naiveConvT(c ConvT, x, w, b []float64) []float64 {
	y := make([]float64, c.N*c.O*c.OH*c.OW)
	cg, og := c.C/c.Groups, c.O/c.Groups
	for n := range c.N {
		for ch := range c.C {
			gi := ch / cg
			for ih := range c.H {
				for iw := range c.W {
					v := x[((n*c.C+ch)*c.H+ih)*c.W+iw]
					for oi := range og {
						o := gi*og + oi
						for ki := range c.KH {
							for kj := range c.KW {
								oh := ih*c.SH - c.PT + ki*c.DH
								ow := iw*c.SW - c.PL + kj*c.DW
								if oh < 0 || oh >= c.OH || ow < 0 || ow >= c.OW {
									continue
								}
								y[((n*c.O+o)*c.OH+oh)*c.OW+ow] += v * w[((ch*og+oi)*c.KH+ki)*c.KW+kj]
							}
						}
					}
				}
			}
		}
		if b != nil {
			for o := range c.O {
				for i := range c.OH * c.OW {
					y[(n*c.O+o)*c.OH*c.OW+i] += b[o]
				}
			}
		}
	}
	return y
}

func randSlice(r *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = r.NormFloat64()
	}
	return s
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func closeAll(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

type convCase struct {
	n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, groups int
}

var convCases = []convCase{
	{1, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	{2, 3, 7, 6, 4, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1, 1}, // TF SAME, stride 2
	{2, 4, 8, 8, 6, 3, 2, 1, 2, 2, 1, 2, 0, 1, 3, 2}, // dilation, groups, asymmetric
	{1, 6, 4, 4, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3}, // 1x1 identity path, groups
	{3, 2, 9, 5, 5, 5, 3, 3, 1, 1, 2, 2, 2, 0, 0, 1},
	{1, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1},   // 1x1 output
	{5, 2, 40, 38, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, // 1520 positions: groups of 2, 2 and 1 images
	{5, 4, 33, 31, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2}, // the same with the 1x1 path
}

func TestConvAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, cc := range convCases {
		c := Conv{N: cc.n, C: cc.c, H: cc.h, W: cc.w, O: cc.o, KH: cc.kh, KW: cc.kw, SH: cc.sh, SW: cc.sw,
			DH: cc.dh, DW: cc.dw, PT: cc.pt, PL: cc.pl, Groups: cc.groups}
		c.OH = (c.H+cc.pt+cc.pb-cc.dh*(cc.kh-1)-1)/cc.sh + 1
		c.OW = (c.W+cc.pl+cc.pr-cc.dw*(cc.kw-1)-1)/cc.sw + 1
		x := randSlice(r, c.N*c.C*c.H*c.W)
		w := randSlice(r, c.O*c.C/c.Groups*c.KH*c.KW)
		b := randSlice(r, c.O)
		y := make([]float64, c.N*c.O*c.OH*c.OW)
		scratch := make([]float64, c.ScratchSize())
		ConvForward(c, x, w, b, y, scratch)
		closeAll(t, "conv", y, naiveConv(c, x, w, b), 1e-12)

		// The backward passes are adjoints: <gy, conv(x,w)> = <conv^T(gy,w), x> = <gw(x,gy), w>.
		gy := randSlice(r, len(y))
		gx := make([]float64, len(x))
		ConvBackwardInput(c, gy, w, gx, scratch)
		gw := make([]float64, len(w))
		ConvBackwardWeight(c, x, gy, gw, scratch)
		lin := dot(gy, naiveConv(c, x, w, nil))
		if d := math.Abs(dot(gx, x) - lin); d > 1e-9*(1+math.Abs(lin)) {
			t.Fatalf("%+v: input adjoint off by %g", cc, d)
		}
		if d := math.Abs(dot(gw, w) - lin); d > 1e-9*(1+math.Abs(lin)) {
			t.Fatalf("%+v: weight adjoint off by %g", cc, d)
		}

		// The transposed convolution with the same geometry is the adjoint
		// of the convolution: check it against its own naive form.
		ct := ConvT{N: c.N, C: c.O, H: c.OH, W: c.OW, O: c.C, OH: c.H, OW: c.W, KH: c.KH, KW: c.KW,
			SH: c.SH, SW: c.SW, DH: c.DH, DW: c.DW, PT: c.PT, PL: c.PL, Groups: c.Groups}
		wt := randSlice(r, ct.C*ct.O/ct.Groups*ct.KH*ct.KW)
		xt := randSlice(r, ct.N*ct.C*ct.H*ct.W)
		bt := randSlice(r, ct.O)
		yt := make([]float64, ct.N*ct.O*ct.OH*ct.OW)
		st := make([]float64, ct.ScratchSize())
		ConvTForward(ct, xt, wt, bt, yt, st)
		closeAll(t, "convT", yt, naiveConvT(ct, xt, wt, bt), 1e-12)
		gyt := randSlice(r, len(yt))
		gxt := make([]float64, len(xt))
		ConvTBackwardInput(ct, gyt, wt, gxt, st)
		gwt := make([]float64, len(wt))
		ConvTBackwardWeight(ct, xt, gyt, gwt, st)
		lin = dot(gyt, naiveConvT(ct, xt, wt, nil))
		if d := math.Abs(dot(gxt, xt) - lin); d > 1e-9*(1+math.Abs(lin)) {
			t.Fatalf("%+v: convT input adjoint off by %g", cc, d)
		}
		if d := math.Abs(dot(gwt, wt) - lin); d > 1e-9*(1+math.Abs(lin)) {
			t.Fatalf("%+v: convT weight adjoint off by %g", cc, d)
		}
	}
}
