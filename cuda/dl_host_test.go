//go:build gpuemu && cgo && !gpu

package cuda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostLib is where Debian's nvidia-cuda-toolkit (CUDA 11.8) puts its
// libraries; this machine has them but no GPU and no driver.
const hostLibDir = "/usr/lib/x86_64-linux-gnu/"

// TestLoaderOnHostLibraries runs the real run-time loader (dlopen, the
// symbol lookups, handle creation) against a cuBLAS and cuSOLVER
// installed on a host without a GPU: each candidate is opened and its
// symbols are found, handle creation then fails (no driver), and the
// error lists that candidate with the library's status; a library that
// lacks the symbols is reported by their names. Skipped where the
// libraries are not installed.
func TestLoaderOnHostLibraries(t *testing.T) {
	blas, solver := hostLibDir+"libcublas.so.11", hostLibDir+"libcusolver.so.11"
	if !fileExists(blas) || !fileExists(solver) || !fileExists(hostLibDir+"libcublasLt.so.11") {
		t.Skip("no CUDA 11 libcublas/libcusolver in " + hostLibDir + " (Debian's nvidia-cuda-toolkit puts them there)")
	}
	t.Setenv("CUBLAS_DIRS", "")
	t.Setenv("CUSOLVER_DIRS", "")

	t.Setenv("CUBLAS_LIB", blas)
	_, err := openCuBLAS(0, false)
	if err == nil {
		t.Fatal("a cuBLAS handle without a driver")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "[1] "+blas+": cublasCreate_v2: CUBLAS_STATUS_") {
		t.Errorf("the first candidate's outcome is not reported: %v", err)
	}

	// The wrong library (cuBLASLt, a dependency of cuBLAS): every missing
	// symbol is named. (dlsym also searches a library's dependencies, so
	// libcusolver, which needs libcublas, would pass this check.)
	lt := hostLibDir + "libcublasLt.so.11"
	t.Setenv("CUBLAS_LIB", lt)
	_, err = openCuBLAS(0, false)
	if err == nil || !strings.Contains(err.Error(), "[1] "+lt+": missing symbol(s) cublasCreate_v2, cublasDestroy_v2,") {
		t.Errorf("err = %v", err)
	}
	t.Log(err)

	t.Setenv("CUSOLVER_LIB", solver)
	_, err = openCuSOLVER(0)
	if err == nil || !strings.Contains(err.Error(), "[1] "+solver+": cusolverDnCreate: ") {
		t.Errorf("err = %v", err)
	}
	t.Log(err)
}

// TestPreloadOnHostLibraries: for a cuBLAS in a wheel's layout
// (nvidia/cublas/lib, made here of links to the host's CUDA 11 files),
// its cuBLASLt in a sibling wheel folder is opened first, by full path
// with RTLD_GLOBAL, and the candidate's failure (no driver) is then its
// handle's, not a missing dependency.
func TestPreloadOnHostLibraries(t *testing.T) {
	blas, lt := hostLibDir+"libcublas.so.11", hostLibDir+"libcublasLt.so.11"
	if !fileExists(blas) || !fileExists(lt) {
		t.Skip("no CUDA 11 libcublas/libcublasLt in " + hostLibDir)
	}
	site := t.TempDir()
	wb, wlt := site+"/nvidia/cublas/lib/libcublas.so.11", site+"/nvidia/cublaslt/lib/libcublasLt.so.11"
	for _, l := range [][2]string{{blas, wb}, {lt, wlt}} {
		if err := os.MkdirAll(filepath.Dir(l[1]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	if fails := preloadDeps(wb); len(fails) > 0 {
		t.Fatal(fails)
	}
	preloaded.Lock()
	err, ok := preloaded.done[wlt]
	preloaded.Unlock()
	if !ok || err != nil {
		t.Fatalf("%s not preloaded (%v, %v)", wlt, ok, err)
	}
	t.Setenv("CUBLAS_LIB", wb)
	t.Setenv("CUBLAS_DIRS", "")
	_, err = openCuBLAS(0, false)
	if err == nil || !strings.Contains(err.Error(), "[1] "+wb+": cublasCreate_v2: ") {
		t.Errorf("err = %v", err)
	}
}
