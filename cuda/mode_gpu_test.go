//go:build gpu && cgo

package cuda

import (
	"os"
	"strings"
	"testing"
)

// emulated is false: the tests run on a GPU.
const emulated = false

// openEngine starts an engine on the GPU.
func openEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := New(opts)
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

// TestCuBLASLoaded fails when NL_REQUIRE_CUBLAS is set (device-check.sh
// sets it when it finds a libcublas) and the engine cannot load cuBLAS.
func TestCuBLASLoaded(t *testing.T) {
	e, err := New(Options{GEMM: GEMMCuBLAS})
	if err != nil {
		if os.Getenv("NL_REQUIRE_CUBLAS") != "" {
			t.Fatal(err)
		}
		t.Skipf("no cuBLAS (set NL_REQUIRE_CUBLAS=1 to make this a failure): %v", err)
	}
	defer e.Close()
	inf := e.Info()
	t.Logf("%+v", inf)
	if !strings.HasPrefix(inf.GEMM, "cuBLAS") {
		t.Errorf("GEMM %q", inf.GEMM)
	}
}

// TestTF32 runs products with TF32 allowed: results stay near the CPU's
// (TF32 keeps 10 bits of mantissa in the products).
func TestTF32(t *testing.T) {
	eng := openEngine(t, Options{AllowTF32: true})
	needCuBLAS(t, eng)
	t.Logf("%+v", eng.Info())
	for _, c := range opCases() {
		if !strings.HasPrefix(c.name, "conv/") && !strings.HasPrefix(c.name, "linear/") && !strings.HasPrefix(c.name, "matmul/") {
			continue
		}
		t.Run(c.name, func(t *testing.T) { checkAgainstCPU(t, eng, c.name, c.fn, 1e-2, c.inputs...) })
	}
}

// TestCuBLASOncePerProcess: engines share the process's one cuBLAS (and
// cuSOLVER); closing one destroys only its handles, and the other keeps
// computing.
func TestCuBLASOncePerProcess(t *testing.T) {
	a := openEngine(t, Options{})
	needCuBLAS(t, a)
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ga, gb := a.Info().GEMM, b.Info().GEMM; ga != gb {
		t.Errorf("two engines, two libraries: %q and %q", ga, gb)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range opCases() {
		if strings.HasPrefix(c.name, "matmul/") || strings.HasPrefix(c.name, "linear/") {
			checkAgainstCPU(t, a, c.name, c.fn, opTol, c.inputs...)
		}
	}
}
