package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/vae"
)

const images = "../../assets/fashion-mnist/train-images-idx3-ubyte.gz"

// Seconds-long runs of both models: checkpoints, curves and weights that
// load, and a resumed run that continues from the checkpoint.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	w := filepath.Join(dir, "vae.safetensors")
	var errw bytes.Buffer
	args := []string{"-model", "vae", "-config", "small32", "-data", images, "-limit", "64", "-batch", "8",
		"-steps", "2", "-checkpoint-every", "1", "-sample-every", "2", "-out", filepath.Join(dir, "vae"), "-weights", w, "-quiet"}
	if err := run(args, &errw); err != nil {
		t.Fatalf("%v\n%s", err, errw.String())
	}
	if _, err := vae.Load(w); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{gan.CheckpointName, "losses.csv", "losses.png"} {
		if _, err := os.Stat(filepath.Join(dir, "vae", f)); err != nil {
			t.Error(err)
		}
	}
	// Resume to 3 steps: the history grows by one row.
	args[11] = "3"
	if err := run(append(args, "-resume"), &errw); err != nil {
		t.Fatalf("resume: %v\n%s", err, errw.String())
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "vae", "losses.csv"))
	if n := strings.Count(string(csv), "\n"); n != 4 { // header + 3 steps
		t.Errorf("losses.csv has %d lines after resuming to step 3:\n%s", n, csv)
	}
	gargs := []string{"-model", "gan", "-config", "32", "-data", images, "-limit", "32", "-batch", "8",
		"-steps", "1", "-out", filepath.Join(dir, "gan"), "-weights", filepath.Join(dir, "gan.safetensors"), "-quiet"}
	if err := run(gargs, &errw); err != nil {
		t.Fatalf("gan: %v\n%s", err, errw.String())
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", ""}, "-data"},
		{[]string{"-data", images, "-model", "flow"}, "-model"},
		{[]string{"-data", images, "-steps", "0"}, "-steps"},
		{[]string{"-data", "missing.idx.gz"}, "missing.idx.gz"},
		{[]string{"-data", images, "-config", "huge"}, "huge"},
		{[]string{"-data", images, "-lr", "NaN"}, "-lr NaN"},
		{[]string{"-data", images, "-lr", "+Inf"}, "-lr +Inf"},
		{[]string{"-data", images, "-resume"}, "-resume: no checkpoint"},
	} {
		var errw bytes.Buffer
		err := run(append(c.args, "-out", t.TempDir(), "-quiet"), &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// Issue 17, item 9: an unwritable -out or -weights was found only after
// training; resuming with another batch size went on silently.
func TestOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	var errw bytes.Buffer
	// The data file does not exist: the -out error must come first.
	for _, c := range [][]string{
		{"-data", "missing.idx.gz", "-out", filepath.Join(file, "out")},
		{"-data", "missing.idx.gz", "-out", filepath.Join(dir, "ok"), "-weights", filepath.Join(file, "w.safetensors")},
	} {
		err := run(append(c, "-quiet"), &errw)
		if err == nil || strings.Contains(err.Error(), "missing.idx.gz") || !strings.Contains(err.Error(), file) {
			t.Errorf("%v: %v", c, err)
		}
	}
	out := filepath.Join(dir, "gan")
	args := []string{"-model", "gan", "-config", "32", "-data", images, "-limit", "16", "-batch", "8", "-steps", "1", "-sample-every", "0", "-out", out, "-quiet"}
	if err := run(args, &errw); err != nil {
		t.Fatalf("%v\n%s", err, errw.String())
	}
	args[9], args[11] = "4", "2" // -batch 4, -steps 2
	if err := run(append(args, "-resume"), &errw); err == nil || !strings.Contains(err.Error(), "batch size 8, not 4") {
		t.Errorf("resume with another batch size: %v", err)
	}
}
