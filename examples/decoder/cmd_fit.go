package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/tensor"
)

var fitFlags = []flagSpec{
	{name: "x", help: "features .npy (rows: samples), e.g. betas"},
	{name: "y", help: "targets .npy (rows: samples), e.g. latents"},
	{name: "alphas", help: "LO:HI:N, N alphas log-spaced from 10^LO to 10^HI (default 0:6:13)"},
	{name: "per-target", bool: true, help: "choose an alpha per target"},
	{name: "cv", help: "loo (default, efficient leave-one-out) or K for K-fold"},
	{name: "mode", help: "auto (default), dual or primal"},
	{name: "no-intercept", bool: true, help: "fit without intercept"},
	{name: "stream", bool: true, help: "read -x from disk in blocks of columns instead of loading it (a float32 or float64 .npy larger than memory; leave-one-out, dual form)"},
	{name: "out", help: "model file (.npz)"},
}

// runFit: RidgeCV from X to Y.
func runFit(args []string, w io.Writer) error {
	p, err := parseArgs("fit", args, fitFlags)
	if err != nil {
		return err
	}
	xp, err := p.required("x")
	if err != nil {
		return err
	}
	yp, err := p.required("y")
	if err != nil {
		return err
	}
	out, err := p.required("out")
	if err != nil {
		return err
	}
	if err := checkOut("fit", p, "out"); err != nil {
		return err
	}
	alphas, err := alphaGrid(p.str("alphas", "0:6:13"))
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	cfg := ridge.Config{Alphas: alphas, PerTarget: p.has("per-target"), NoIntercept: p.has("no-intercept")}
	if cv := p.str("cv", "loo"); cv != "loo" {
		k, err := strconv.Atoi(cv)
		if err != nil || k < 2 {
			return fmt.Errorf("fit: -cv %q: want loo or a number of folds >= 2", cv)
		}
		cfg.Folds = k
	}
	switch m := p.str("mode", "auto"); m {
	case "auto":
	case "dual":
		cfg.Mode = ridge.Dual
	case "primal":
		cfg.Mode = ridge.Primal
	default:
		return fmt.Errorf("fit: -mode %q: want auto, dual or primal", m)
	}
	y, err := loadMatrix(yp)
	if err != nil {
		return err
	}
	var m *ridge.Model
	var n, f int
	if p.has("stream") {
		if cfg.Folds != 0 || cfg.Mode == ridge.Primal {
			return fmt.Errorf("fit: -stream fits leave-one-out in the dual form: drop -cv and -mode primal")
		}
		x, err := tensor.OpenNPYMatrix(xp)
		if err != nil {
			return err
		}
		defer x.Close()
		n, f = x.Dims()
		if m, err = ridge.FitColumns(x, y, cfg); err != nil {
			return err
		}
	} else {
		x, err := loadMatrix(xp)
		if err != nil {
			return err
		}
		n, f = x.Dims()
		if m, err = ridge.Fit(x, y, cfg); err != nil {
			return err
		}
	}
	if err := ridge.Save(out, m); err != nil {
		return err
	}
	_, d := y.Dims()
	count := map[float64]int{}
	for _, a := range m.Alpha {
		count[a]++
	}
	fmt.Fprintf(w, "fit: %d samples, %d features -> %d targets, %s form, %d alphas %g..%g\n", n, f, d, m.Mode, len(alphas), alphas[0], alphas[len(alphas)-1])
	fmt.Fprintf(w, "chosen alphas (alpha: targets):")
	for _, a := range alphas {
		if count[a] > 0 {
			fmt.Fprintf(w, " %.3g: %d", a, count[a])
		}
	}
	fmt.Fprintf(w, "\nwrote %s\n", out)
	return nil
}
