package metrics_test

import (
	"fmt"
	"log"

	"github.com/neurolatent/neurolatent/decode/metrics"
	"gonum.org/v1/gonum/mat"
)

func ExamplePairwise() {
	truth := mat.NewDense(4, 3, []float64{
		1, 0, 0,
		0, 1, 0,
		0, 0, 1,
		1, 1, 0,
	})
	// Noisy decoded vectors: the last one is closer to sample 0's truth.
	pred := mat.NewDense(4, 3, []float64{
		0.9, 0.1, 0.0,
		0.1, 0.8, 0.2,
		0.0, 0.2, 0.9,
		0.9, 0.2, 0.1,
	})
	acc, err := metrics.Pairwise(pred, truth)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("pairwise identification %.3f (chance 0.5)\n", acc)
	// Output: pairwise identification 0.917 (chance 0.5)
}
