package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A seconds-long sweep: two noise-free points and one simulated one.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-out", dir, "-snr", "0", "-snr-train", "150", "-train", "150", "-base-snr", "1", "-voxels", "100", "-seeds", "2"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sweep.json", "snr.png", "training.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if err := run([]string{"-snr", "x"}, io.Discard); err == nil {
		t.Error("bad -snr accepted")
	}
	// An unwritable -out is found before the sweep (issue 17, item 9).
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := run([]string{"-out", filepath.Join(file, "sweep")}, io.Discard); err == nil || !strings.Contains(err.Error(), "-out: cannot make the folder") {
		t.Errorf("unwritable -out: %v", err)
	}
}
