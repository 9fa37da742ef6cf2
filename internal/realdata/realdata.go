package realdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Rel is where the real data live relative to the module root.
const Rel = "../shared/data/real"

// ModuleRoot returns the nearest folder at or above start that holds a
// go.mod file.
func ModuleRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("realdata: %w", err)
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("realdata: no go.mod at or above %s", start)
		}
		dir = parent
	}
}

// Locate returns the folder of the real data set sub (such as
// "haxby2001-sub1"): Rel/sub from the module root above start. It is an
// error, naming the path tried, when that folder does not exist.
func Locate(start, sub string) (string, error) {
	root, err := ModuleRoot(start)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, filepath.FromSlash(Rel), sub)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("realdata: %s is absent (real data live in %s beside the repository, not in it)", dir, Rel)
	}
	return dir, nil
}

// Require returns the folder of the real data set sub for a test run from
// the current directory, and skips the test when it is absent.
func Require(t testing.TB, sub string) string {
	t.Helper()
	dir, err := Locate(".", sub)
	if err != nil {
		t.Skip(err)
	}
	return dir
}
