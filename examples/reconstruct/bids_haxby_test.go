package main

import (
	"bytes"
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
	dir := realdata.HaxbyBIDS(t, 2, "vt")
	deriv := filepath.Join(dir, "derivatives", "pymvpa")
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
