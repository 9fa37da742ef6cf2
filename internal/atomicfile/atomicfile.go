// Package atomicfile writes files so that a crash or an error never leaves
// a half-written file: the data goes to a temporary file in the same
// directory, which is synced and renamed over the destination. Every
// writer in the module (tensors, checkpoints, NIfTI, events, word vectors,
// plots, reports) goes through it.
//
// A process killed during a write (kill -9, power loss) leaves its
// temporary file, ".NAME.tmpDIGITS" beside NAME. Clean and CleanDir remove
// such files at the next start; programs that rewrite the same files (the
// training loop, checkpoints) call them. CheckWritable and CheckDir tell
// before a long computation whether its output can be written at all.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// started is when this process started (near enough: when the package was
// initialised). Temporary files last written before it belong to a process
// that is gone; later ones may be another live writer's.
var started = time.Now()

// Write calls write with a buffered writer on a temporary file and, if it
// and every later step succeed, renames the file to path (mode 0644). On
// any error the temporary file is removed and path is left as it was.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; the result is an ordinary file.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Sync the directory so the rename itself survives a crash; not every
	// platform allows it, and the data is already safe, so failures are
	// ignored.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteBytes writes data to path atomically.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// tempSuffix matches the part of a temporary file's name after the
// destination's: os.CreateTemp replaces the "*" of ".NAME.tmp*" by digits.
var tempSuffix = regexp.MustCompile(`^\.tmp[0-9]+$`)

// isTemp reports whether name is a temporary file of Write for base ("" for
// any destination).
func isTemp(name, base string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, ".tmp")
	if i <= 1 || !tempSuffix.MatchString(name[i:]) {
		return false
	}
	return base == "" || name[1:i] == base
}

// Clean removes the temporary files that interrupted writes of path left
// behind, and returns their names. Only files last modified before this
// process started are removed, so a write in progress in another process
// is left alone.
func Clean(path string) ([]string, error) {
	return clean(filepath.Dir(path), filepath.Base(path))
}

// CleanDir removes the temporary files that interrupted writes left in dir
// (not in its subdirectories), for any destination, as Clean does. Use it
// on directories a program owns, such as a training run's samples.
func CleanDir(dir string) ([]string, error) {
	return clean(dir, "")
}

func clean(dir, base string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !isTemp(e.Name(), base) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(started) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// CheckWritable reports, with an error that names path, whether a file
// could be written at path now, the way Write would: path's directory must
// exist and take a new file, and path must not be a directory. It creates
// and removes a temporary file; it changes nothing else.
func CheckWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// CheckDir makes the directory dir (and its parents) if needed and reports
// whether files can be written in it.
func CheckDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make the folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check.tmp*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
