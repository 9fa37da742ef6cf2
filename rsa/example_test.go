package rsa_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/rsa"
)

// A model's codes for six stimuli (two categories of three) against three
// subjects' RDMs: the correlation with each, the noise ceiling, and the
// mean correlation with its bootstrap interval over stimuli and its
// stimulus-label permutation p-value (exact: all 6! relabellings).
func Example() {
	codes := mat.NewDense(6, 3, []float64{
		1.0, 0.9, 0.1,
		0.8, 1.0, 0.0,
		0.9, 0.7, 0.2,
		0.1, 0.2, 1.0,
		0.0, 0.3, 0.8,
		0.2, 0.0, 0.9,
	})
	model, err := rsa.Compute("model", codes, rsa.Euclidean)
	if err != nil {
		panic(err)
	}
	var subjects []*rsa.RDM
	for i, upper := range [][]float64{
		{0.2, 0.3, 0.9, 1.0, 0.8, 0.4, 1.1, 0.9, 1.0, 0.8, 0.7, 1.0, 0.3, 0.2, 0.4},
		{0.3, 0.2, 0.8, 0.7, 0.9, 0.3, 0.9, 1.0, 0.8, 0.9, 0.8, 0.9, 0.2, 0.4, 0.3},
		{0.4, 0.5, 0.7, 0.9, 0.6, 0.2, 0.8, 0.7, 0.9, 0.6, 0.9, 0.7, 0.5, 0.3, 0.2},
	} {
		s, err := rsa.FromVector(fmt.Sprintf("subject %d", i+1), upper)
		if err != nil {
			panic(err)
		}
		subjects = append(subjects, s)
	}
	rho, err := rsa.Compare(model, subjects[0], rsa.Spearman)
	if err != nil {
		panic(err)
	}
	fmt.Printf("Spearman with subject 1: %.3f\n", rho)
	e, err := rsa.Evaluate([]*rsa.RDM{model}, subjects, rsa.Spearman, stats.Options{Permutations: 720, Seed: 1})
	if err != nil {
		panic(err)
	}
	c, s := e.Ceiling, e.Models[0]
	fmt.Printf("noise ceiling [%.3f, %.3f]\n", c.Lower.Value, c.Upper.Value)
	fmt.Printf("model %.3f, 95%% CI [%.3f, %.3f], p = %.4f (exact %v)\n", s.Value, s.CI[0], s.CI[1], s.P, e.ExactP)
	// Output:
	// Spearman with subject 1: 0.893
	// noise ceiling [0.659, 0.843]
	// model 0.775, 95% CI [0.258, 0.944], p = 0.0111 (exact true)
}
