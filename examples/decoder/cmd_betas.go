package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

var betasFlags = []flagSpec{
	{name: "bold", multi: true, help: "4D NIfTI runs (.nii or .nii.gz)"},
	{name: "events", multi: true, help: "BIDS events.tsv files, one per run, in the same order"},
	{name: "mask", help: "3D mask image: only its non-zero voxels are used (default: every voxel)"},
	{name: "method", help: "lss (default) or lsa"},
	{name: "hp", help: "high-pass cut-off in seconds (default 128; 0 for SPM's 128, -1 for none)"},
	{name: "zscore", help: "bold (default), betas, both or none: per-run z-scoring"},
	{name: "trials", help: "only events whose trial_type is this are trials (default: all)"},
	{name: "average", help: "average rows with the same stim_file (test images shown many times)", bool: true},
	{name: "float32", help: "write float32 instead of float64", bool: true},
	{name: "out", help: "output .npy (rows: trials; a .tsv with the same name lists them)"},
}

// runBetas: single-trial GLM betas from BOLD runs and events files.
func runBetas(args []string, w io.Writer) error {
	p, err := parseArgs("betas", args, betasFlags)
	if err != nil {
		return err
	}
	out, err := p.required("out")
	if err != nil {
		return err
	}
	if err := checkOut("betas", p, "out"); err != nil {
		return err
	}
	if err := atomicfile.CheckWritable(sidecar(out)); err != nil {
		return fmt.Errorf("betas: the list of trials beside -out: %w", err)
	}
	bold, evs := p.list("bold"), p.list("events")
	if len(bold) == 0 || len(bold) != len(evs) {
		return fmt.Errorf("betas: give as many -events files as -bold runs (have %d and %d)", len(bold), len(evs))
	}
	opt := glm.Options{Method: glm.LSS}
	switch m := p.str("method", "lss"); m {
	case "lss":
	case "lsa":
		opt.Method = glm.LSA
	default:
		return fmt.Errorf("betas: -method %q: want lss or lsa", m)
	}
	if opt.HighPass, err = p.float("hp", 0); err != nil {
		return err
	}
	switch z := p.str("zscore", "bold"); z {
	case "bold":
		opt.ZScoreBold = true
	case "betas":
		opt.ZScoreBetas = true
	case "both":
		opt.ZScoreBold, opt.ZScoreBetas = true, true
	case "none":
	default:
		return fmt.Errorf("betas: -zscore %q: want bold, betas, both or none", z)
	}
	if tt := p.str("trials", ""); tt != "" {
		opt.IsTrial = func(e events.Event) bool { return e.TrialType == tt }
	}
	b, mask, err := decode.TrialBetasFromFiles(bold, evs, p.str("mask", ""), opt)
	if err != nil {
		return err
	}
	rows := b.Values
	var lines []string
	if p.has("average") {
		keys, avg, count := b.Average(glm.ByStimFile)
		rows = avg
		lines = append(lines, "stim_file\tn_trials")
		for i, k := range keys {
			lines = append(lines, k+"\t"+strconv.Itoa(count[i]))
		}
	} else {
		lines = append(lines, "run\tonset\ttrial_type\tstim_file")
		for _, t := range b.Trials {
			lines = append(lines, fmt.Sprintf("%d\t%g\t%s\t%s", t.Run, t.Onset, na(t.TrialType), na(t.StimFile)))
		}
	}
	if err := saveMatrix(out, rows, p.has("float32")); err != nil {
		return err
	}
	side := sidecar(out)
	if err := atomicfile.WriteBytes(side, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return fmt.Errorf("betas: %w", err)
	}
	r, c := rows.Dims()
	fmt.Fprintf(w, "betas: %d runs, %d trials, %d voxels (mask: %d), %s; %d constant voxels set to 0\n",
		len(bold), len(b.Trials), c, mask.Len(), opt.Method, len(b.ConstantVoxels))
	fmt.Fprintf(w, "wrote %s (%d x %d) and %s\n", out, r, c, side)
	return nil
}

// sidecar is the .tsv next to a .npy file.
func sidecar(npy string) string {
	return strings.TrimSuffix(npy, ".npy") + ".tsv"
}

func na(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// readSidecar returns the stim_file column of a sidecar written by betas.
func readSidecar(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	col := -1
	var out []string
	for line := 0; sc.Scan(); line++ {
		fields := strings.Split(sc.Text(), "\t")
		if line == 0 {
			for i, h := range fields {
				if h == "stim_file" {
					col = i
				}
			}
			if col < 0 {
				return nil, fmt.Errorf("%s: no stim_file column", path)
			}
			continue
		}
		if col >= len(fields) {
			return nil, fmt.Errorf("%s:%d: too few fields", path, line+1)
		}
		out = append(out, fields[col])
	}
	return out, sc.Err()
}
