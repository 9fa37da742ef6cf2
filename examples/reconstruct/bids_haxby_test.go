package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/realdata"
)

// reconstruct -bids on a BIDS layout made from the Haxby et al. (2001)
// runs in ../shared (links; runs 1-10 as task "objects", 11-12 as task
// "objectstest"; a dataset-level sidecar; a derivatives mask). The
// program finds every run, takes the TR from the sidecar and the mask
// from the derivatives, estimates the GLM, and then stops with a clear
// error: Haxby's events name categories (a block design), not stimulus
// images, so there is nothing to reconstruct.
func TestBIDSInputHaxby(t *testing.T) {
	src := realdata.Dir(t, "haxby2001-sub1")
	dir := t.TempDir()
	fn := filepath.Join(dir, "sub-1", "func")
	deriv := filepath.Join(dir, "derivatives", "pymvpa")
	for _, d := range []string{fn, deriv} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := func(from, to string) {
		if err := os.Symlink(from, to); err != nil {
			t.Fatal(err)
		}
	}
	for r := 1; r <= 12; r++ {
		run := filepath.Join(src, "runs-25mm", fmt.Sprintf("task001_run%03d", r))
		task := "objects"
		if r > 10 {
			task = "objectstest"
		}
		base := filepath.Join(fn, fmt.Sprintf("sub-1_task-%s_run-%02d", task, r))
		link(filepath.Join(run, "bold_25mm.nii.gz"), base+"_bold.nii.gz")
		link(filepath.Join(run, "bold_events.tsv"), base+"_events.tsv")
	}
	link(filepath.Join(src, "masks-25mm", "25mm", "vt.nii.gz"), filepath.Join(deriv, "sub-1_desc-vt_mask.nii.gz"))
	for _, task := range []string{"objects", "objectstest"} {
		side := filepath.Join(dir, "task-"+task+"_bold.json")
		if err := os.WriteFile(side, []byte(`{"RepetitionTime": 2.5}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	err := run([]string{"-bids", dir, "-sub", "1", "-task-train", "objects", "-task-test", "objectstest", "-out", t.TempDir()}, &out, &errb)
	log := errb.String()
	if !strings.Contains(log, "BIDS: sub-1, 10 objects runs, 2 objectstest runs (TR 2.5 s), mask "+filepath.Join(deriv, "sub-1_desc-vt_mask.nii.gz")+", no confounds tables") {
		t.Errorf("BIDS discovery:\n%s", log)
	}
	if err == nil || !strings.Contains(err.Error(), "stim_file") {
		t.Errorf("want an error naming the missing stim_file column, got %v", err)
	}
	t.Logf("stops with: %v", err)
}
