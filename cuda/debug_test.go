//go:build cgo && (gpu || gpuemu)

package cuda

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// needCuBLAS skips t, saying why, when eng has no cuBLAS, unless
// NL_REQUIRE_CUBLAS is set (device-check.sh sets it when it finds a
// libcublas): then it fails.
func needCuBLAS(t *testing.T, eng *Engine) {
	t.Helper()
	inf := eng.Info()
	if strings.HasPrefix(inf.GEMM, "cuBLAS") {
		return
	}
	if os.Getenv("NL_REQUIRE_CUBLAS") != "" {
		t.Fatalf("NL_REQUIRE_CUBLAS is set but the engine has no cuBLAS: %s", inf.GEMMNote)
	}
	t.Skipf("no cuBLAS (set NL_REQUIRE_CUBLAS=1 to make this a failure): %s", inf.GEMMNote)
}

// needCuSOLVER is needCuBLAS for cuSOLVER (and cuBLAS, which the fits
// on the device need as well), with NL_REQUIRE_CUSOLVER.
func needCuSOLVER(t *testing.T, eng *Engine) {
	t.Helper()
	needCuBLAS(t, eng)
	if _, err := eng.SolverInfo(); err != nil {
		if os.Getenv("NL_REQUIRE_CUSOLVER") != "" {
			t.Fatalf("NL_REQUIRE_CUSOLVER is set: %v", err)
		}
		t.Skipf("no cuSOLVER (set NL_REQUIRE_CUSOLVER=1 to make this a failure): %v", err)
	}
}

// TestEngineInfo prints one line that device-check.sh turns into its
// engine row: driver, compute capability, GEMM (cuBLAS path and version,
// or why not), cuSOLVER, PTX load time. On a GPU it also logs the JIT's
// information log (registers and shared memory per kernel).
func TestEngineInfo(t *testing.T) {
	eng := openEngine(t, Options{})
	inf := eng.Info()
	sol, err := eng.SolverInfo()
	if err != nil {
		sol = "none: " + err.Error()
	}
	note := ""
	if inf.GEMMNote != "" {
		note = " gemm_note=" + fmt.Sprintf("%q", inf.GEMMNote)
	}
	fmt.Printf("ENGINE device=%q cc=%d.%d mem=%dMiB driver=%d gemm=%q tf32=%v solver=%q ptx_load=%v emulated=%v debug=%v%s\n",
		inf.Name, inf.Major, inf.Minor, inf.TotalMem>>20, inf.Driver, inf.GEMM, inf.TF32, sol,
		inf.PTXLoad.Round(time.Millisecond), inf.Emulated, inf.Debug, note)
	if inf.JITLog != "" {
		t.Logf("JIT information log:\n%s", inf.JITLog)
	}
	if !emulated && inf.PTXLoad <= 0 {
		t.Errorf("PTX load time %v", inf.PTXLoad)
	}
}

// TestDebugMode: with NL_CUDA_DEBUG=1 the engine synchronises after each
// launch, still computes what the CPU does, and a launch that fails
// names the kernel, its grid and block.
func TestDebugMode(t *testing.T) {
	t.Setenv("NL_CUDA_DEBUG", "1")
	eng := openEngine(t, Options{Poison: true})
	if !eng.Info().Debug {
		t.Fatal("Info().Debug is false")
	}
	n := 0
	for _, c := range opCases() {
		if n == 6 {
			break
		}
		if strings.HasPrefix(c.name, "conv/") || strings.HasPrefix(c.name, "softmax") || strings.HasPrefix(c.name, "linear/") {
			n++
			t.Run(c.name, func(t *testing.T) { checkAgainstCPU(t, eng, c.name, c.fn, opTol, c.inputs...) })
		}
	}
	// A grid of zero blocks is refused by cuLaunchKernel (and the emulation).
	var err error
	if derr := eng.do(func() {
		err = eng.launchKernel(kUnary, dim3{0, 1, 1}, dim3{256, 1, 1}, new(args).i64(0).i32(0).f32(0).f32(0).ptr(0).ptr(0))
	}); derr != nil {
		t.Fatal(derr)
	}
	if err == nil || !strings.Contains(err.Error(), "kernel unary_f32 grid (0,1,1) block (256,1,1): launch: ") {
		t.Fatalf("err = %v", err)
	}
	if !emulated && !strings.Contains(err.Error(), "CUresult ") {
		t.Errorf("no numeric CUresult in %v", err)
	}
	t.Log(err)
}
