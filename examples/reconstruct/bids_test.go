package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reconstruct -bids reads the simulator's dataset as a BIDS dataset (runs,
// events, sidecars, the derivatives mask) and decodes it as the
// simulation did, writing the derivative and the report.
func TestBIDSInput(t *testing.T) {
	sim := t.TempDir()
	small := []string{"-train", "150", "-test", "6", "-repeats", "3", "-voxels", "200", "-show", "6", "-bootstrap", "200", "-permutations", "200"}
	var out, errb bytes.Buffer
	if err := run(append([]string{"-out", sim, "-json"}, small...), &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var simRes map[string]any
	if err := json.Unmarshal(out.Bytes(), &simRes); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out.Reset()
	errb.Reset()
	args := []string{"-bids", filepath.Join(sim, "participant"), "-sub", "01", "-task-train", "train", "-task-test", "test",
		"-out", dir, "-voxels", "200", "-show", "6", "-bootstrap", "200", "-permutations", "200"}
	if err := run(args, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if s := errb.String(); !strings.Contains(s, "BIDS: sub-01, ") || !strings.Contains(s, "confounds tables") || strings.Contains(s, "no confounds") || strings.Contains(s, "no sidecar") {
		t.Errorf("progress does not show the BIDS runs, or lacks sidecars:\n%s", s)
	}
	// The same trials, the same decoder: the same headline score.
	if !strings.Contains(out.String(), "vaegan ridge") {
		t.Fatalf("summary:\n%s", out.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bidsRes map[string]any
	if err := json.Unmarshal(raw, &bidsRes); err != nil {
		t.Fatal(err)
	}
	if a, b := simRes["pairwise_latent"], bidsRes["pairwise_latent"]; a == nil || a != b {
		t.Errorf("pairwise latent %v from the simulation, %v from its BIDS dataset", a, b)
	}
	for _, f := range []string{"report.html", "derivatives/neurolatent/dataset_description.json", "derivatives/neurolatent/sub-01/sub-01_desc-vaeganEncodingR2_statmap.nii.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// Usage errors: -bids with explicit runs, an unknown participant.
	for _, c := range [][]string{{"-bids", sim, "-bold-train", "x.nii"}, {"-bids", filepath.Join(sim, "participant"), "-sub", "02"}} {
		if err := run(append(c, "-out", t.TempDir()), &out, &errb); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
}
