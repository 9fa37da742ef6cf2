//go:build noembed

package assets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// dirEnv names the folder that holds the files in a noembed build.
const dirEnv = "NL_ASSETS_DIR"

// readFile reads name (slash-separated, inside the folder) from the
// assets folder on disk.
func readFile(name string) ([]byte, error) {
	dir, err := folder()
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(os.DirFS(dir), name)
}

// folder is $NL_ASSETS_DIR, else the first assets/ folder holding NOTICE
// in the current directory, the executable's, or one of their parents.
func folder() (string, error) {
	if d := os.Getenv(dirEnv); d != "" {
		return d, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, s := range starts {
		for d := s; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "assets", "NOTICE")); err == nil {
				return filepath.Join(d, "assets"), nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("built with the tag noembed, the files are read from disk: %w (set %s to the repository's assets folder)",
		errors.New("no assets/ folder in or above the current directory or the executable's"), dirEnv)
}
