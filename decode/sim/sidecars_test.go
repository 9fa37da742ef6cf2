package sim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/nifti"
)

// Every run has a sidecar whose RepetitionTime is the header's TR, and
// the derivatives folder says it is a derivative.
func TestSidecars(t *testing.T) {
	p, err := New(tiny(), loadImages(t))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ds.Runs {
		raw, err := os.ReadFile(strings.TrimSuffix(r.Bold, ".nii.gz") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var side struct {
			RepetitionTime float64
			TaskName       string
		}
		if err := json.Unmarshal(raw, &side); err != nil {
			t.Fatal(err)
		}
		h, err := nifti.ReadHeader(r.Bold)
		if err != nil {
			t.Fatal(err)
		}
		tr, _, err := h.TR()
		if err != nil || side.RepetitionTime != tr || side.TaskName != r.Task {
			t.Errorf("%s: sidecar %+v, header TR %g (%v)", filepath.Base(r.Bold), side, tr, err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(ds.Dir, "derivatives", "sim", "dataset_description.json"))
	if err != nil {
		t.Fatal(err)
	}
	var desc struct {
		DatasetType string
		GeneratedBy []struct{ Name string }
	}
	if err := json.Unmarshal(raw, &desc); err != nil || desc.DatasetType != "derivative" || len(desc.GeneratedBy) == 0 {
		t.Errorf("derivatives/sim/dataset_description.json: %s (%v)", raw, err)
	}
}
