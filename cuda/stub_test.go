//go:build !(gpu && cgo)

package cuda

import (
	"errors"
	"testing"
)

func TestStub(t *testing.T) {
	e, err := New(Options{})
	if e != nil || !errors.Is(err, ErrNoCUDA) || Available {
		t.Fatalf("New: %v %v", e, err)
	}
	t.Log(err)
}
