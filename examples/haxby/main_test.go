package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/realdata"
)

// TestSmoke runs the command on the real data with its defaults (in
// -short mode with 100 permutations) and checks its table and JSON
// against the numpy check: the same accuracies, and intervals and
// p-values within their Monte Carlo error (the two use different random
// streams).
func TestSmoke(t *testing.T) {
	dir := realdata.Dir(t, "haxby2001-sub1")
	out := filepath.Join(t.TempDir(), "haxby.json")
	args := []string{"-data", dir, "-json", out, "-quiet"}
	perms := 1000
	if testing.Short() {
		perms = 100
		args = append(args, "-perm", "100")
	}
	var stdout, stderr bytes.Buffer
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	t.Logf("\n%s", stdout.String())
	for _, want := range []string{"chance 12.5%", "4D + attributes, block betas (GLM)", "4D + attributes, volumes", "runs + events, block means", "accuracy per category", "scramble"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res output
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	g := loadGolden(t)
	if len(res.Analyses) != len(g.Analyses) || res.Permutations != perms || res.Chance != 0.125 {
		t.Fatalf("%d analyses, %d permutations, chance %v", len(res.Analyses), res.Permutations, res.Chance)
	}
	for i, a := range res.Analyses {
		n := g.Analyses[i]
		name := a.Route + " " + a.Patterns
		if a.Route != n.Route || a.Patterns != n.Patterns || a.Samples != n.Samples || a.Voxels != n.Voxels {
			t.Fatalf("analysis %d: %s %s (%d x %d), numpy %s %s (%d x %d)", i, a.Route, a.Patterns, a.Samples, a.Voxels, n.Route, n.Patterns, n.Samples, n.Voxels)
		}
		if a.Accuracy != n.Accuracy {
			t.Errorf("%s: accuracy %v, numpy %v", name, a.Accuracy, n.Accuracy)
		}
		for c, acc := range n.ClassAccuracy {
			if a.PerClass[c] != acc {
				t.Errorf("%s: %s accuracy %v, numpy %v", name, c, a.PerClass[c], acc)
			}
		}
		// Bootstrap quantiles: a 2.5% quantile of 2,000 resamples moves by
		// about one sample (1/n) between random streams.
		if tol := 2.5/float64(a.Samples) + 0.005; math.Abs(a.CI[0]-n.CI[0]) > tol || math.Abs(a.CI[1]-n.CI[1]) > tol {
			t.Errorf("%s: interval %v, numpy %v", name, a.CI, n.CI)
		}
		// p: both Monte Carlo estimates of one p; allow 4 standard errors
		// of each plus the (k+1)/(N+1) offset.
		se := func(p float64, n int) float64 { return math.Sqrt(p * (1 - p) / float64(n)) }
		if tol := 4*(se(n.P, g.Permutations)+se(a.P, perms)) + 1/float64(perms+1); math.Abs(a.P-n.P) > tol {
			t.Errorf("%s: p %v, numpy %v (tolerance %.3g)", name, a.P, n.P, tol)
		}
	}
}

// TestRoutesAgree: the per-run files bold_1slice.nii.gz (the same
// volumes as bold.nii.gz) with their events files and mask.nii.gz give
// the 4d route's predictions for every pattern kind.
func TestRoutesAgree(t *testing.T) {
	dir := realdata.Dir(t, "haxby2001-sub1")
	cfg := defaultConfig(dir)
	cfg.opt.Permutations, cfg.opt.Resamples = 1, 2
	a4, err := analyze(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.routes, cfg.runsBold, cfg.runsMsk = []string{"runs"}, "bold_1slice.nii.gz", "mask.nii.gz"
	ar, err := analyze(cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ar {
		b := a4[i]
		if a.Voxels != 530 || a.Samples != b.Samples || a.Accuracy != b.Accuracy || strings.Join(a.Predicted, ",") != strings.Join(b.Predicted, ",") {
			t.Errorf("%s: accuracy %v from the per-run files, %v from the 4D file", a.Patterns, a.Accuracy, b.Accuracy)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", dir, "-patterns", "pixels"}, `unknown kind "pixels"`},
		{[]string{"-data", dir, "-hp", "0"}, "-hp 0"},
		{[]string{"-data", dir, "-boot", "1"}, "-boot 1"},
		{[]string{"-data", dir, "-routes", ","}, "at least one"},
		{[]string{"-data", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"-data", dir, "-routes", "4d"}, "route 4d"},
		{[]string{"-data", dir, "-routes", "meg"}, `unknown route "meg"`},
		{[]string{"-data", dir, "-routes", "runs", "-runs-mask", "missing.nii.gz"}, "missing.nii.gz"},
	} {
		err := run(c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}

// TestOneVoxelMask: the 25 mm ventral temporal mask holds one voxel; the
// command says why it cannot classify with it.
func TestOneVoxelMask(t *testing.T) {
	dir := realdata.Dir(t, "haxby2001-sub1")
	err := run([]string{"-data", dir, "-routes", "runs", "-patterns", "means", "-runs-mask", "masks-25mm/25mm/vt.nii.gz", "-perm", "1", "-quiet"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "1 voxel") {
		t.Errorf("vt mask: %v", err)
	}
}
