package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A short sweep on two participants: noise-free points at two training
// sizes and one noise structure at a small training size, with every
// method's scores recorded per participant.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-out", dir, "-snr", "0", "-base-train", "150", "-train", "150", "-noise", "independent",
		"-base-snr", "2", "-voxels", "100", "-participants", "2", "-test", "10", "-repeats", "3"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sweep.json", "sweep.md", "snr.png", "training.png", "noise.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	var got struct {
		Points []point `json:"points"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Points) != 3 {
		t.Fatalf("%d points, want 3", len(got.Points))
	}
	for _, p := range got.Points {
		for _, m := range []string{"vaegan ridge", "pca ridge", "pixels ridge", "pixels category-oracle"} {
			if len(p.Scores[m]) != 2 {
				t.Errorf("%s %s: %d participants' scores, want 2", p.Axis, m, len(p.Scores[m]))
			}
		}
	}
	// Noise-free decoding is far above chance for every participant.
	for _, v := range got.Points[0].Scores["vaegan ridge"] {
		if !(v > 0.8) {
			t.Errorf("noise-free VAE-GAN ridge pairwise %.3f", v)
		}
	}
	// Redrawn from the saved results alone.
	again := t.TempDir()
	if err := run([]string{"-out", again, "-from", filepath.Join(dir, "sweep.json")}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if md, err := os.ReadFile(filepath.Join(again, "sweep.md")); err != nil || !strings.Contains(string(md), "| noise | 2 | 150 | independent |") {
		t.Errorf("redrawn table: %v\n%s", err, md)
	}
	for _, bad := range [][]string{{"-snr", "x"}, {"-noise", "loud"}, {"-participants", "0"}, {"-train", "5"}} {
		if err := run(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	// An unwritable -out is found before the sweep (issue 17, item 9).
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := run([]string{"-out", filepath.Join(file, "sweep")}, io.Discard); err == nil || !strings.Contains(err.Error(), "-out: cannot make the folder") {
		t.Errorf("unwritable -out: %v", err)
	}
}

func TestInterval(t *testing.T) {
	// Mean 2, SD 1, n 4: t(0.975, 3) = 3.182, half-width 3.182 / 2.
	m, lo, hi := interval([]float64{1, 2, 2, 3.0 + 0})
	sd := math.Sqrt(2.0 / 3)
	if math.Abs(m-2) > 1e-12 || math.Abs(hi-lo-2*3.182446*sd/2) > 1e-5 {
		t.Errorf("interval %v [%v, %v]", m, lo, hi)
	}
}

// TestPairedDifferences checks the paired table on made-up scores: a best
// method ahead of the oracle by exactly 0.1 in every participant, and a
// noise structure that changes nothing.
func TestPairedDifferences(t *testing.T) {
	ridge := []float64{0.9, 0.8, 0.85, 0.95, 0.7, 0.75}
	oracle := []float64{0.8, 0.7, 0.75, 0.85, 0.6, 0.65}
	pts := []point{
		{Axis: "noise", SNR: 0.8, Train: 100, Noise: "realistic", Scores: map[string][]float64{"vaegan ridge": ridge, "pixels category-oracle": oracle}},
		{Axis: "noise", SNR: 0.8, Train: 100, Noise: "independent", Scores: map[string][]float64{"vaegan ridge": ridge, "pixels category-oracle": oracle}},
	}
	var b strings.Builder
	paired(&b, pts)
	out := b.String()
	// 6 participants all ahead: the exact sign-flip p is 2/64.
	want := "| VAE-GAN ridge − category oracle (SNR 0.8, 100 training, realistic) | +0.100 [+0.100, +0.100] | 0.0312 |"
	if !strings.Contains(out, want) {
		t.Errorf("missing %q in\n%s", want, out)
	}
	if !strings.Contains(out, "| VAE-GAN ridge: independent − realistic | +0.000 [+0.000, +0.000] | 1 |") {
		t.Errorf("no-change row wrong:\n%s", out)
	}
}
