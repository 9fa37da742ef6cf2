package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

var simulateFlags = []flagSpec{
	{name: "images", help: "IDX image file (MNIST-style, gzip or not), e.g. Fashion-MNIST"},
	{name: "train", help: "training images (default 1200)"},
	{name: "test", help: "test images (default 50)"},
	{name: "repeats", help: "test repeats (default 35)"},
	{name: "snr", help: "signal-to-noise ratio (default 0.8)"},
	{name: "seed", help: "random seed (default 1)"},
	{name: "grid", help: "voxel grid X,Y,Z (default 26,26,12)"},
	{name: "voxels", help: "visual mask voxels E,H[,W,N]: early, higher, weakly selective and non-selective (default 1500,1000,400,400); with two values W and N keep their defaults"},
	{name: "out", help: "output directory (a BIDS dataset)"},
}

// runSimulate writes a simulated participant's experiment.
func runSimulate(args []string, w io.Writer) error {
	p, err := parseArgs("simulate", args, simulateFlags)
	if err != nil {
		return err
	}
	ip, err := p.required("images")
	if err != nil {
		return err
	}
	out, err := p.required("out")
	if err != nil {
		return err
	}
	if err := atomicfile.CheckDir(out); err != nil {
		return fmt.Errorf("simulate: -out: %w", err)
	}
	cfg := sim.DefaultConfig()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"train", &cfg.TrainImages}, {"test", &cfg.TestImages}, {"repeats", &cfg.TestRepeats}} {
		if *f.dst, err = p.int(f.name, *f.dst); err != nil {
			return err
		}
	}
	if cfg.SNR, err = p.float("snr", cfg.SNR); err != nil {
		return err
	}
	seed, err := p.int("seed", int(cfg.Seed))
	if err != nil {
		return err
	}
	cfg.Seed = uint64(seed)
	if g := p.str("grid", ""); g != "" {
		v, err := ints(g, 3)
		if err != nil {
			return fmt.Errorf("simulate: -grid: %w", err)
		}
		cfg.Grid = [3]int{v[0], v[1], v[2]}
	}
	if g := p.str("voxels", ""); g != "" {
		n := 2
		if strings.Count(g, ",") == 3 {
			n = 4
		}
		v, err := ints(g, n)
		if err != nil {
			return fmt.Errorf("simulate: -voxels (E,H or E,H,W,N): %w", err)
		}
		cfg.EarlyVoxels, cfg.HigherVoxels = v[0], v[1]
		if n == 4 {
			cfg.WeakVoxels, cfg.NonselectiveVoxels = v[2], v[3]
		}
	}
	images, err := sim.LoadIDX(ip)
	if err != nil {
		return err
	}
	part, err := sim.New(cfg, images)
	if err != nil {
		return err
	}
	ds, err := part.Write(out)
	if err != nil {
		return err
	}
	var trainRuns, testRuns int
	for _, r := range ds.Runs {
		if r.Task == "train" {
			trainRuns++
		} else {
			testRuns++
		}
	}
	fmt.Fprintf(w, "simulated %d training images (%d runs) and %d test images x %d (%d runs), SNR %g, %d visual voxels\n",
		cfg.TrainImages, trainRuns, cfg.TestImages, cfg.TestRepeats, testRuns, cfg.SNR, cfg.EarlyVoxels+cfg.HigherVoxels+cfg.WeakVoxels+cfg.NonselectiveVoxels)
	fmt.Fprintf(w, "wrote %s (visual mask: %s)\n", ds.Dir, ds.VisualMask)
	return nil
}

func ints(s string, n int) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("%q: want %d comma-separated integers", s, n)
	}
	out := make([]int, n)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out[i] = v
	}
	return out, nil
}
