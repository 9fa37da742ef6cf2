package stats_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/stats"
)

// Pairwise identification of four decoded codes, with its bootstrap
// interval over the test stimuli and the permutation p-value (exact: all
// 4! pairings of predictions with stimuli).
func ExampleEvaluate() {
	truth := mat.NewDense(4, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0})
	pred := mat.NewDense(4, 3, []float64{0.9, 0.2, 0, 0.1, 0.8, 0.1, 0, 0.3, 0.7, 0.6, 0.7, 0.1})
	sim, err := metrics.CorrelationSimilarity(pred, truth)
	if err != nil {
		panic(err)
	}
	e, err := stats.Evaluate(sim.Pairwise, sim.N, stats.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("pairwise %.2f, 95%% CI [%.2f, %.2f], p = %.3f\n", e.Value, e.CI[0], e.CI[1], e.P)
	// Output: pairwise 1.00, 95% CI [1.00, 1.00], p = 0.042
}
