// Package safepath resolves file names that come from data files (the
// stim_file column of BIDS events, a list of stimuli) against the folder
// they are relative to, and refuses names that would leave it: a data file
// from elsewhere must not make a program read /etc/passwd, a device or
// another user's files.
//
// The rule: a name must be relative and stay inside the folder. Refused
// are an empty name, an absolute path (or, on Windows, a volume or
// reserved name), a ".." that climbs above the folder ("a/../b" is fine:
// filepath.IsLocal decides), and a symbolic link that resolves outside the
// folder. Links that stay inside are followed, so datasets that link
// within themselves (git-annex and DataLad keep file contents under
// .git/annex, inside the dataset) work when the folder is the dataset's
// root. The link check is os.Root's, which also refuses escapes through
// ".." after a link.
//
// Join checks a name and returns the path for code that opens files by
// name; a process that can change the folder between the check and the
// open could still swap a link in. Open checks and opens in one step, with
// no such window.
package safepath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutside is wrapped by the errors of names that leave their folder.
var ErrOutside = errors.New("path leaves its folder")

// check refuses names that leave root without looking at the disk.
func check(root, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: an empty file name (relative to %s)", ErrOutside, root)
	case filepath.IsAbs(name) || filepath.VolumeName(name) != "":
		return fmt.Errorf("%w: %q is an absolute path; data files must name files relative to %s", ErrOutside, name, root)
	case !filepath.IsLocal(name):
		return fmt.Errorf("%w: %q is outside %s (it climbs out with ..)", ErrOutside, name, root)
	}
	return nil
}

// rootEscape reports whether err is os.Root's refusal of a path that
// escapes the root (its error value is not exported).
func rootEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// escaped builds the error for a name that os.Root refused although the
// file exists, or with its escape error: a symbolic link out of root.
func escaped(root, name string) error {
	p := filepath.Join(root, name)
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return fmt.Errorf("%w: %q resolves through a symbolic link to %s, outside %s", ErrOutside, name, real, root)
	}
	return fmt.Errorf("%w: %q leads outside %s through a symbolic link", ErrOutside, name, root)
}

// Join returns filepath.Join(root, name) if name names an existing file
// inside root (see the package documentation), else an error naming name
// and root: ErrOutside for a name that leaves root, the file system's
// error (fs.ErrNotExist, ...) otherwise.
func Join(root, name string) (string, error) {
	if err := check(root, name); err != nil {
		return "", err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", err
	}
	defer r.Close()
	if _, err := r.Stat(name); err != nil {
		p := filepath.Join(root, name)
		if _, serr := os.Stat(p); serr == nil || rootEscape(err) {
			return "", escaped(root, name)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return filepath.Join(root, name), nil
}

// Open opens the file name inside root for reading, refusing names that
// leave root as Join does, with the check and the open in one step.
func Open(root, name string) (*os.File, error) {
	if err := check(root, name); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.Open(name)
	if err != nil {
		p := filepath.Join(root, name)
		if _, serr := os.Stat(p); serr == nil || rootEscape(err) {
			return nil, escaped(root, name)
		}
		return nil, fmt.Errorf("%s: %w", p, errors.Unwrap(err))
	}
	return f, nil
}
