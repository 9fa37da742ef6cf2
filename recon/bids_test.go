package recon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/recon"
)

// The simulator's dataset read as BIDS: runs and events in run order, the
// TR from the sidecars, the visual mask from derivatives; a sidecar that
// disagrees with the header is believed and noted.
func TestFindBIDSRuns(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = 120, 4, 2
	images, err := sim.FromTensor(stimuli(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.New(cfg, images)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ds, err := p.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recon.FindBIDSRuns(dir, "01", "", "train")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rf := range ds.Runs {
		if rf.Task == "train" {
			want = append(want, rf.Bold)
		}
	}
	if len(want) < 2 || strings.Join(r.Bold, ",") != strings.Join(want, ",") || len(r.Events) != len(want) || len(r.Notes) != 0 {
		t.Fatalf("runs %v, want %v; notes %v", r.Bold, want, r.Notes)
	}
	for _, tr := range r.TR {
		if tr != cfg.TR {
			t.Errorf("TR %g, want %g", tr, cfg.TR)
		}
	}
	side := strings.TrimSuffix(r.Bold[0], ".nii.gz") + ".json"
	if err := os.WriteFile(side, []byte(`{"RepetitionTime": 1.5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(strings.TrimSuffix(r.Bold[1], ".nii.gz") + ".json")
	r, err = recon.FindBIDSRuns(dir, "01", "", "train")
	if err != nil {
		t.Fatal(err)
	}
	if r.TR[0] != 1.5 || r.TR[1] != cfg.TR || len(r.Notes) != 2 || !strings.Contains(r.Notes[0], "1.5 s") || !strings.Contains(r.Notes[1], "no sidecar") {
		t.Errorf("TR %v, notes %q", r.TR[:2], r.Notes)
	}
	mask, err := recon.FindBIDSMask(dir, "01", "")
	if err != nil || mask != ds.VisualMask {
		t.Errorf("mask %q (%v), want %s", mask, err, ds.VisualMask)
	}
	for _, c := range [][3]string{{"02", "", "train"}, {"01", "", "nope"}, {"../x", "", "train"}, {"01", "", "tra"}} {
		if _, err := recon.FindBIDSRuns(dir, c[0], c[1], c[2]); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
	if _, err := recon.FindBIDSMask(filepath.Join(dir, "sub-01"), "01", ""); err == nil {
		t.Error("no derivatives: no error")
	}
}
