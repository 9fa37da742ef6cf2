package realdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocateErrors(t *testing.T) {
	tmp := t.TempDir()
	if _, err := ModuleRoot(tmp); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("no module: %v", err)
	}
	os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module x\n"), 0o644)
	if _, err := Locate(tmp, "nothing"); err == nil || !strings.Contains(err.Error(), "nothing is absent") {
		t.Errorf("absent: %v", err)
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("root %s: %v", root, err)
	}
}
