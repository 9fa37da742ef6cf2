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
		t.Skip(err)
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
	t.Logf("%+v", eng.Info())
	for _, c := range opCases() {
		if !strings.HasPrefix(c.name, "conv/") && !strings.HasPrefix(c.name, "linear/") && !strings.HasPrefix(c.name, "matmul/") {
			continue
		}
		t.Run(c.name, func(t *testing.T) { checkAgainstCPU(t, eng, c.name, c.fn, 1e-2, c.inputs...) })
	}
}
