package recon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/recon"
)

// A BIDS layout made from the Haxby et al. (2001) runs in ../shared
// (links, an inherited task sidecar, a derivatives mask) is read as the
// simulator's is: 12 runs in order, the TR from the dataset-level sidecar
// (2.5 s, the header's too), and a disagreeing sidecar noted.
func TestFindBIDSRunsHaxby(t *testing.T) {
	dir := realdata.HaxbyBIDS(t, 0, "brain")
	side := filepath.Join(dir, "task-objects_bold.json")
	r, err := recon.FindBIDSRuns(dir, "1", "", "objects")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Bold) != 12 || !strings.HasSuffix(r.Bold[11], "run-12_bold.nii.gz") || len(r.Notes) != 0 {
		t.Fatalf("%d runs (last %s), notes %v", len(r.Bold), r.Bold[len(r.Bold)-1], r.Notes)
	}
	for _, tr := range r.TR {
		if tr != 2.5 {
			t.Fatalf("TR %g, want 2.5", tr)
		}
	}
	if m, err := recon.FindBIDSMask(dir, "1", ""); err != nil || filepath.Base(m) != "sub-1_desc-brain_mask.nii.gz" {
		t.Errorf("mask %q, %v", m, err)
	}
	if err := os.WriteFile(side, []byte(`{"RepetitionTime": 2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err = recon.FindBIDSRuns(dir, "1", "", "objects"); err != nil {
		t.Fatal(err)
	}
	if r.TR[0] != 2 || len(r.Notes) != 12 || !strings.Contains(r.Notes[0], "header's 2.5 s") {
		t.Errorf("disagreeing sidecar: TR %v, notes %q", r.TR, r.Notes)
	}
}
