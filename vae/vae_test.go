package vae

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/neurolatent/neurolatent/nn"
)

// The published architecture has exactly the published parameter counts.
func TestPublishedParameterCounts(t *testing.T) {
	m, err := NewModel(Published(), 1)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := nn.NumParams(m.Encoder)
	gen, _ := nn.NumParams(m.Generator)
	if enc != 21330176 || gen != 24617993 {
		t.Fatalf("encoder %d, generator %d parameters; want 21,330,176 and 24,617,993", enc, gen)
	}
}

func TestStepTiming(t *testing.T) {
	v, err := New(Small32(), 1)
	if err != nil {
		t.Fatal(err)
	}
	x := nn.NewInit(2).Uniform(0.5, 64, 1, 32, 32)
	for i := range x.Float32s() {
		x.Float32s()[i] += 0.5
	}
	for i := range 3 {
		t0 := time.Now()
		l, err := v.Step(x, rand.New(rand.NewPCG(1, uint64(i))))
		if err != nil {
			t.Fatal(err)
		}
		t.Log(time.Since(t0), l)
	}
}
