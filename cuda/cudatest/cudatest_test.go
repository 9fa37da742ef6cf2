package cudatest

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
)

// The BigGAN stack runs on the CPU backend at a tiny width and gives
// images of the right shape in [-1, 1].
func TestBigGANTiny(t *testing.T) {
	g, err := NewBigGAN(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := graph.NewEngine().Run(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{g.Forward(b, in[0])}
	}, Random(2, 2, Latent))
	if err != nil {
		t.Fatal(err)
	}
	if s := outs[0].Shape(); !s.Eq(tensor.Shape{2, 3, 128, 128}) {
		t.Fatalf("shape %v", s)
	}
	for _, v := range outs[0].Float32s() {
		if v < -1 || v > 1 || v != v {
			t.Fatalf("value %v outside [-1,1]", v)
		}
	}
}

func TestRelErr(t *testing.T) {
	a := Random(1, 3, 4)
	if e, err := RelErr(a, a); err != nil || e != 0 {
		t.Fatalf("self: %v %v", e, err)
	}
	b := a.Clone().(*tensor.Dense)
	b.Float32s()[0] += 1
	if e, _ := RelErr(b, a); e <= 0 {
		t.Fatalf("difference not seen: %v", e)
	}
	if _, err := RelErr(Random(1, 12), a); err == nil {
		t.Fatal("shape mismatch not reported")
	}
}
