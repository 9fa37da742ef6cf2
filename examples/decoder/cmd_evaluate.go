package main

import (
	"fmt"
	"io"

	"github.com/neurolatent/neurolatent/decode/metrics"
)

var evaluateFlags = []flagSpec{
	{name: "pred", help: "predictions .npy (rows: samples)"},
	{name: "true", help: "true values .npy, same shape"},
	{name: "per-dim", bool: true, help: "also print r and R^2 of every dimension"},
}

// runEvaluate prints pairwise identification, Pearson r and R^2.
func runEvaluate(args []string, w io.Writer) error {
	p, err := parseArgs("evaluate", args, evaluateFlags)
	if err != nil {
		return err
	}
	pp, err := p.required("pred")
	if err != nil {
		return err
	}
	tp, err := p.required("true")
	if err != nil {
		return err
	}
	pred, err := loadMatrix(pp)
	if err != nil {
		return err
	}
	truth, err := loadMatrix(tp)
	if err != nil {
		return err
	}
	acc, err := metrics.Pairwise(pred, truth)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	r, err := metrics.PearsonPerDim(pred, truth)
	if err != nil {
		return err
	}
	r2, err := metrics.R2PerDim(pred, truth)
	if err != nil {
		return err
	}
	n, d := pred.Dims()
	mr, kr := metrics.Mean(r)
	mr2, _ := metrics.Mean(r2)
	fmt.Fprintf(w, "samples %d, dimensions %d\n", n, d)
	fmt.Fprintf(w, "pairwise identification %.4f (chance 0.5, %d ordered pairs)\n", acc, n*(n-1))
	fmt.Fprintf(w, "mean Pearson r %.4f (%d dimensions with a defined r)\n", mr, kr)
	fmt.Fprintf(w, "mean R^2 %.4f\n", mr2)
	if p.has("per-dim") {
		fmt.Fprintln(w, "dim\tr\tR^2")
		for j := range r {
			fmt.Fprintf(w, "%d\t%.4f\t%.4f\n", j, r[j], r2[j])
		}
	}
	return nil
}
