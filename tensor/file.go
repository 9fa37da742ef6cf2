package tensor

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// errorf formats an error as "tensor: NAME: message", NAME being the file
// (or a format name for readers that have no file).
func errorf(name, format string, args ...any) error {
	return fmt.Errorf("tensor: %s: "+format, append([]any{name}, args...)...)
}

// writeAtomic writes a file through a temporary file in the same directory,
// synced and then renamed over path, so a crash or an error never leaves a
// half-written file under path.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
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
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a saved tensor file is an ordinary file.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	// Sync the directory so the rename itself survives a crash; not every
	// platform allows it, and the data is already safe, so failures are ignored.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// openSized opens path for reading and returns its size.
func openSized(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("tensor: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("tensor: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, errorf(path, "not a regular file")
	}
	return f, st.Size(), nil
}

// ErrUnsafePickle is wrapped by the error LoadPyTorch returns when a pickle
// asks for a Python global outside the short list needed to rebuild tensors
// (see LoadPyTorch).
var ErrUnsafePickle = errors.New("pickle global not allowed")
