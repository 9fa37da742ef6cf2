package classify_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/decode/classify"
	"github.com/neurolatent/neurolatent/decode/stats"
	"gonum.org/v1/gonum/mat"
)

// Four categories shown once per run in eight runs: each category has its
// own pattern over 40 voxels, seen through noise and a run-wise offset.
// Patterns are z-scored within runs, then classified leave-one-run-out
// by correlation with the category means, with a bootstrap interval and
// a permutation p-value.
func ExampleEvaluate() {
	rng := rand.New(rand.NewPCG(1, 2))
	categories := []string{"face", "house", "cat", "shoe"}
	proto := make([][]float64, len(categories))
	for k := range proto {
		proto[k] = make([]float64, 40)
		for j := range proto[k] {
			proto[k][j] = rng.NormFloat64()
		}
	}
	x := mat.NewDense(8*len(categories), 40, nil)
	var labels, runs []string
	for r := 0; r < 8; r++ {
		offset := 5 * rng.Float64()
		for k, c := range categories {
			row := x.RawRowView(r*len(categories) + k)
			for j := range row {
				row[j] = offset + proto[k][j] + 2*rng.NormFloat64()
			}
			labels, runs = append(labels, c), append(runs, fmt.Sprint("run", r))
		}
	}
	if _, err := classify.ZScoreByRun(x, runs); err != nil {
		log.Fatal(err)
	}
	e, err := classify.Evaluate(x, labels, runs, classify.CorrelationFitter, stats.Options{Seed: 1, Permutations: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("accuracy %.3f (chance 0.25), 95%% CI [%.3f, %.3f], p = %.4f\n", e.Accuracy, e.CI[0], e.CI[1], e.P)
	for i, a := range e.ClassAccuracy() {
		fmt.Printf("  %-5s %.3f\n", e.Classes[i], a)
	}
	// Output:
	// accuracy 0.688 (chance 0.25), 95% CI [0.531, 0.844], p = 0.0010
	//   cat   0.625
	//   face  0.875
	//   house 0.625
	//   shoe  0.625
}
