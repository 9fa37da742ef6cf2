package graph_test

import (
	"testing"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
)

// Benchmarks at the generators' shapes; bench/nn/run.sh runs them beside
// PyTorch. GFLOP/s counts a multiply-add as two operations.

func benchProgram(b *testing.B, flops float64, fn nn.Func, shape ...int) {
	b.Helper()
	x := randT(1, shape...)
	p := graph.Compile(fn)
	if _, err := p.Run(x); err != nil { // build and warm up
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := p.Run(x); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkConv2d: 3x3, 192->96 channels at 64x64, batch 8 (a BigGAN
// block's second convolution at 64x64, halved).
func BenchmarkConv2d(b *testing.B) {
	conv := nn.NewConv2d(nn.NewInit(1), 192, 96, 3, nn.ConvParams{Pad: [4]int{1, 1, 1, 1}}, true)
	flops := 2.0 * 8 * 96 * 64 * 64 * 192 * 9
	benchProgram(b, flops, func(bk nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{conv.Forward(bk, in[0])}
	}, 8, 192, 64, 64)
}

// BenchmarkConvTranspose2d: the VAE-GAN generator's 384->256 deconvolution,
// 16x16 -> 32x32 (3x3, stride 2, TensorFlow 'SAME'), batch 8.
func BenchmarkConvTranspose2d(b *testing.B) {
	ct := nn.NewConvTranspose2d(nn.NewInit(1), 384, 256, 3, nn.ConvParams{Stride: [2]int{2, 2}}, true)
	ct.Same = true
	flops := 2.0 * 8 * 384 * 16 * 16 * 256 * 9
	benchProgram(b, flops, func(bk nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{ct.Forward(bk, in[0])}
	}, 8, 384, 16, 16)
}

// BenchmarkLinear: the VAE-GAN generator's 1024->16384 linear, batch 64.
func BenchmarkLinear(b *testing.B) {
	lin := nn.NewLinear(nn.NewInit(1), 1024, 16384, true)
	flops := 2.0 * 64 * 1024 * 16384
	benchProgram(b, flops, func(bk nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{lin.Forward(bk, in[0])}
	}, 64, 1024)
}
