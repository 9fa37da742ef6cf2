package tensor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
)

// errorf formats an error as "tensor: NAME: message", NAME being the file
// (or a format name for readers that have no file).
func errorf(name, format string, args ...any) error {
	return fmt.Errorf("tensor: %s: "+format, append([]any{name}, args...)...)
}

// writeAtomic writes a file through a temporary file renamed over path
// (package atomicfile), so an error never leaves a half-written file.
func writeAtomic(path string, write func(w io.Writer) error) error {
	err := atomicfile.Write(path, write)
	if err == nil || strings.HasPrefix(err.Error(), "tensor: ") { // the format's own error
		return err
	}
	return fmt.Errorf("tensor: %s: %w", path, err)
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
