package realdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// HaxbyBIDS builds a BIDS layout from the Haxby et al. (2001) runs (25 mm
// voxels) in a temporary folder, by links, and returns its root (or skips
// the test without the data): sub-1's 12 runs, the last testRuns of them
// as task "objectstest" and the others as task "objects"; dataset-level
// sidecars task-<task>_bold.json with RepetitionTime 2.5 s (the
// headers' too); and derivatives/pymvpa/sub-1_desc-<mask>_mask.nii.gz
// linking one of the shipped masks (brain, gray, hoc, vt, white).
func HaxbyBIDS(t testing.TB, testRuns int, mask string) string {
	t.Helper()
	src := Dir(t, "haxby2001-sub1")
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
	tasks := map[string]bool{}
	for r := 1; r <= 12; r++ {
		task := "objects"
		if r > 12-testRuns {
			task = "objectstest"
		}
		tasks[task] = true
		run := filepath.Join(src, "runs-25mm", fmt.Sprintf("task001_run%03d", r))
		base := filepath.Join(fn, fmt.Sprintf("sub-1_task-%s_run-%02d", task, r))
		link(filepath.Join(run, "bold_25mm.nii.gz"), base+"_bold.nii.gz")
		link(filepath.Join(run, "bold_events.tsv"), base+"_events.tsv")
	}
	link(filepath.Join(src, "masks-25mm", "25mm", mask+".nii.gz"), filepath.Join(deriv, "sub-1_desc-"+mask+"_mask.nii.gz"))
	for task := range tasks {
		side := filepath.Join(dir, "task-"+task+"_bold.json")
		if err := os.WriteFile(side, []byte(`{"RepetitionTime": 2.5, "TaskName": "`+task+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
