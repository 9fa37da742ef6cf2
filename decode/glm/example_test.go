package glm_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"gonum.org/v1/gonum/mat"
)

// The canonical HRF sampled every 2 s peaks 4-6 s after the stimulus.
func ExampleHRF() {
	h, err := glm.HRF(2, glm.SPMCanonical)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.3f\n", h[:6])
	// Output: [0.000 0.087 0.375 0.385 0.216 0.077]
}

// Single-trial betas of a simulated voxel whose true responses are 1, 2, 3,
// 4 and 5, with LSA (one GLM with a regressor per trial).
func ExampleTrialBetas() {
	tm := glm.Timing{Frames: 60, TR: 2}
	var evs []events.Event
	for i := 0; i < 5; i++ {
		evs = append(evs, events.Event{Onset: 10 + 20*float64(i), Duration: 1, StimFile: fmt.Sprintf("img%d.png", i)})
	}
	y := mat.NewDense(60, 1, nil)
	rng := rand.New(rand.NewPCG(1, 1))
	for i, e := range evs {
		r, err := tm.Regressor([]float64{e.Onset}, []float64{e.Duration}, nil)
		if err != nil {
			log.Fatal(err)
		}
		for k, v := range r {
			y.Set(k, 0, y.At(k, 0)+float64(i+1)*v)
		}
	}
	for k := 0; k < 60; k++ {
		y.Set(k, 0, y.At(k, 0)+100+0.001*rng.NormFloat64())
	}
	b, err := glm.TrialBetas([]glm.Run{{Timing: tm, Events: evs, Data: y}}, glm.Options{Method: glm.LSA})
	if err != nil {
		log.Fatal(err)
	}
	for i, t := range b.Trials {
		fmt.Printf("%s %.2f\n", t.StimFile, b.Values.At(i, 0))
	}
	// Output:
	// img0.png 1.00
	// img1.png 2.00
	// img2.png 3.00
	// img3.png 4.00
	// img4.png 5.00
}
