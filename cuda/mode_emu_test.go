//go:build gpuemu && cgo && !gpu

package cuda

import (
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/ridge"
)

// emulated is true: the tests run on the host emulation (emu.go).
const emulated = true

// emuMemory is the emulated device's memory.
const emuMemory = 4 << 30

// openEngine starts an engine on the emulated device, with the emulated
// cuBLAS unless opts asks for the own kernel.
func openEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := newEmulated(opts, emuOptions{total: emuMemory, cublas: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// TestRidgeWithoutSolver: without cuSOLVER the device fit fails with an
// error that says so (and the engine stays usable).
func TestRidgeWithoutSolver(t *testing.T) {
	e, err := newEmulated(Options{}, emuOptions{total: emuMemory, cublas: true, noSolver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	x, y := ridgeData(3, 30, 80, 2, 1)
	_, err = ridge.Fit(x, y, ridge.Config{Alphas: []float64{1}, Device: e})
	if err == nil || !strings.Contains(err.Error(), "cuSOLVER") {
		t.Fatalf("err = %v, want one naming cuSOLVER", err)
	}
	if _, err := e.SolverInfo(); err == nil {
		t.Fatal("SolverInfo: no error")
	}
}
