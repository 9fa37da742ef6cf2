package main

import (
	"fmt"
	"io"

	"github.com/neurolatent/neurolatent/decode/ridge"
)

var predictFlags = []flagSpec{
	{name: "model", help: "model written by fit"},
	{name: "x", help: "features .npy (rows: samples)"},
	{name: "rescale", bool: true, help: "give each predicted column the training targets' mean and std"},
	{name: "float32", bool: true, help: "write float32"},
	{name: "out", help: "predictions .npy"},
}

// runPredict applies a fitted model.
func runPredict(args []string, w io.Writer) error {
	p, err := parseArgs("predict", args, predictFlags)
	if err != nil {
		return err
	}
	mp, err := p.required("model")
	if err != nil {
		return err
	}
	xp, err := p.required("x")
	if err != nil {
		return err
	}
	out, err := p.required("out")
	if err != nil {
		return err
	}
	if err := checkOut("predict", p, "out"); err != nil {
		return err
	}
	m, err := ridge.Load(mp)
	if err != nil {
		return err
	}
	x, err := loadMatrix(xp)
	if err != nil {
		return err
	}
	pred, err := m.Predict(x)
	if err != nil {
		return fmt.Errorf("predict: %s: %w", xp, err)
	}
	if p.has("rescale") {
		if m.YStd == nil {
			return fmt.Errorf("predict: %s has no training statistics to rescale with", mp)
		}
		if pred, err = m.Rescale(pred); err != nil {
			return err
		}
	}
	if err := saveMatrix(out, pred, p.has("float32")); err != nil {
		return err
	}
	r, c := pred.Dims()
	fmt.Fprintf(w, "wrote %s (%d x %d)\n", out, r, c)
	return nil
}
