package bigbigan

import (
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Benchmarks of the generator at batch 1. bench/bigbigan/run.sh measures
// the full-width model beside PyTorch (and its memory) from a .pth file.

func benchGenerate(b *testing.B, g *Generator) {
	z := gan.Noise(rand.New(rand.NewPCG(1, 2)), 1, g.Config().Latent())
	if _, err := g.Generate(z); err != nil { // build the graph
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := g.Generate(z); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateReduced runs the G_ch 4 golden checkpoint.
func BenchmarkGenerateReduced(b *testing.B) {
	g, _ := loadGolden(b)
	benchGenerate(b, g)
}

// BenchmarkGenerateFull writes a random full-width generator (282 MB, in
// the benchmark's temporary folder), loads it and runs it, reporting the
// heap the loaded generator holds.
func BenchmarkGenerateFull(b *testing.B) {
	p := filepath.Join(b.TempDir(), "g96.safetensors")
	func() {
		g, err := NewGenerator(Published(), 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := nt.SaveSafetensors(p, nn.StateDict(g)); err != nil {
			b.Fatal(err)
		}
	}()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	g, err := LoadGenerator(p)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc-base)/(1<<20), "MiB-loaded")
	benchGenerate(b, g)
}
