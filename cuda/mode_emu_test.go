//go:build gpuemu && cgo && !gpu

package cuda

import "testing"

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
