//go:build noembed

package assets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFolder: a noembed build reads from $NL_ASSETS_DIR, finds the
// checkout's assets/ from a directory below it, and says what to set
// when there is none.
func TestFolder(t *testing.T) {
	here, err := os.Getwd() // the package folder: assets/
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(dirEnv, here)
	if b, err := Read("NOTICE"); err != nil || len(b) == 0 {
		t.Fatalf("with %s: %d bytes, %v", dirEnv, len(b), err)
	}
	t.Setenv(dirEnv, "")
	t.Chdir(filepath.Join(here, "vaegan"))
	if _, err := Read("NOTICE"); err != nil {
		t.Fatalf("from assets/vaegan: %v", err)
	}
	t.Chdir(t.TempDir())
	if _, err := Read("NOTICE"); err == nil || !strings.Contains(err.Error(), dirEnv) {
		t.Fatalf("err = %v", err)
	}
	t.Setenv(dirEnv, here)
	if _, err := Read("../go.mod"); err == nil {
		t.Fatal("a path outside the folder was read")
	}
}
