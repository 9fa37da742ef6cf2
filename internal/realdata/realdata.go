// Package realdata finds the real recordings that sit beside the
// repository in ../shared/data/real (digit69, Haxby 2001, Kriegeskorte 92,
// Olivetti faces). Their terms allow research use, not redistribution, so
// they are never committed; tests that read them skip, with a one-line
// reason, where the folder is absent (a user's clone).
package realdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Root returns the folder ../shared/data/real beside the module root (the
// folder holding go.mod), searched upwards from the working directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			real := filepath.Join(dir, "..", "shared", "data", "real")
			if _, err := os.Stat(real); err != nil {
				return "", fmt.Errorf("realdata: %s not found beside the repository", real)
			}
			return real, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("realdata: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Dir returns the data set's folder (for example "digit69"), or skips the
// test when the real data are not beside the repository.
func Dir(t testing.TB, name string) string {
	t.Helper()
	root, err := Root()
	if err != nil {
		t.Skipf("real data absent (../shared/data/real beside the repository): %v", err)
	}
	dir := filepath.Join(root, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data set %s absent: %v", name, err)
	}
	return dir
}
