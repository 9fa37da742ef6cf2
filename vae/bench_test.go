package vae

import (
	"math/rand/v2"
	"testing"

	"github.com/neurolatent/neurolatent/nn"
)

// Benchmarks beside bench/vae/torch_vae.py (bench/vae/run.sh runs both).

func benchModel(b *testing.B, c Config, batch int, train bool) {
	v, err := New(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := nn.NewInit(2).Uniform(0.5, batch, c.Channels, c.Size, c.Size)
	for i := range x.Float32s() {
		x.Float32s()[i] += 0.5
	}
	run := func(i int) {
		var err error
		if train {
			_, err = v.Step(x, rand.New(rand.NewPCG(1, uint64(i))))
		} else {
			_, err = v.Reconstruct(x)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	run(-1) // build the graphs
	b.ResetTimer()
	for i := range b.N {
		run(i)
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "images/s")
}

func BenchmarkTrainStep32(b *testing.B)    { benchModel(b, Small32(), 64, true) }
func BenchmarkReconstruct32(b *testing.B)  { benchModel(b, Small32(), 64, false) }
func BenchmarkTrainStep128(b *testing.B)   { benchModel(b, Published(), 4, true) }
func BenchmarkReconstruct128(b *testing.B) { benchModel(b, Published(), 8, false) }
