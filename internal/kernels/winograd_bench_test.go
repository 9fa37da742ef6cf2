package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkWinograd runs 3x3 'same' float32 convolutions by im2col and by
// Winograd side by side; winoWorthIt is set from these figures.
//
//	GOMAXPROCS=2 go test ./internal/kernels -run '^$' -bench Winograd -benchtime 3x -count 5
func BenchmarkWinograd(b *testing.B) {
	for _, s := range []struct{ n, c, o, hw int }{
		{8, 192, 96, 64}, // nn/graph's BenchmarkConv2d
		{8, 64, 64, 32},
		{8, 64, 64, 128},
		{8, 3, 64, 64}, // an RGB input layer
		{8, 8, 8, 64},
		{8, 16, 16, 64},
		{8, 32, 32, 64},
		{8, 256, 256, 16},
		{8, 512, 512, 16},
		{8, 64, 64, 8},
		{8, 512, 512, 8},
		{8, 128, 128, 4},
		{1, 192, 96, 64},
	} {
		c := Conv{N: s.n, C: s.c, H: s.hw, W: s.hw, O: s.o, OH: s.hw, OW: s.hw, KH: 3, KW: 3,
			SH: 1, SW: 1, DH: 1, DW: 1, PT: 1, PL: 1, Groups: 1}
		r := rand.New(rand.NewPCG(1, 1))
		x := to32(randSlice(r, c.N*c.C*c.H*c.W))
		w := to32(randSlice(r, c.O*c.C*9))
		bias := to32(randSlice(r, c.O))
		y := make([]float32, c.N*c.O*c.OH*c.OW)
		scratch := make([]float32, c.ScratchSize())
		flops := 2 * float64(c.N*c.O*c.OH*c.OW*c.C*9)
		for _, m := range []struct {
			name string
			mode int
		}{{"im2col", -1}, {"winograd", 1}} {
			b.Run(fmt.Sprintf("%dx%dto%d_%dx%d/%s", s.n, s.c, s.o, s.hw, s.hw, m.name), func(b *testing.B) {
				withWino(m.mode, func() {
					for b.Loop() {
						ConvForward(c, x, w, bias, y, scratch)
					}
				})
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
