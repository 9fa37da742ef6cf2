package cuda

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTryCandidates: every candidate is tried in order until one is
// accepted, absent paths are skipped and counted, and the error names
// each tried candidate's failure.
func TestTryCandidates(t *testing.T) {
	var tried []string
	exists := func(p string) bool { return !strings.Contains(p, "absent") }
	fails := map[string]error{
		"libx.so.13":      errors.New("dlopen: libx.so.13: cannot open shared object file"),
		"/a/libx.so.13":   errors.New("missing symbol(s) xCreate"),
		"/b/libx.so.12":   errors.New("xCreate: X_STATUS_NOT_INITIALIZED (status 1)"),
		"/absent/libx.so": nil,
	}
	try := func(p string) error { tried = append(tried, p); return fails[p] }
	cands := []string{"libx.so.13", "/absent/libx.so", "/a/libx.so.13", "/b/libx.so.12", "/c/libx.so.11", "/d/libx.so.11"}
	got, err := tryCandidates("X", cands, exists, try)
	if err != nil || got != "/c/libx.so.11" {
		t.Fatalf("got %q, %v", got, err)
	}
	if want := []string{"libx.so.13", "/a/libx.so.13", "/b/libx.so.12", "/c/libx.so.11"}; !slices.Equal(tried, want) {
		t.Errorf("tried %v, want %v", tried, want)
	}

	tried = nil
	_, err = tryCandidates("X", cands[:4], exists, try)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"no usable X", "3 candidate(s) tried",
		"[1] libx.so.13: dlopen", "[2] /a/libx.so.13: missing symbol(s) xCreate",
		"[3] /b/libx.so.12: xCreate: X_STATUS_NOT_INITIALIZED (status 1)", "1 guessed path(s) absent"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	_, err = tryCandidates("X", []string{"/absent/1"}, exists, try)
	if err == nil || !strings.Contains(err.Error(), "no candidate could be opened") {
		t.Errorf("err = %v", err)
	}
}

// TestPreloadPlan: a wheel's library gets its NEEDED sonames that lie in
// its own and the sibling nvidia/*/lib folders, dependencies first, each
// once; sonames found nowhere there are left to the loader.
func TestPreloadPlan(t *testing.T) {
	site := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(site, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	solver := mk("nvidia/cusolver/lib/libcusolver.so.11")
	blas := mk("nvidia/cublas/lib/libcublas.so.12")
	lt := mk("nvidia/cublas/lib/libcublasLt.so.12")
	sparse := mk("nvidia/cusparse/lib/libcusparse.so.12")
	jit := mk("nvidia/nvjitlink/lib/libnvJitLink.so.12")
	mk("nvidia/cublas/lib/libcublas.so.13") // another version: not needed
	needed := map[string][]string{
		solver: {"libcublas.so.12", "libcublasLt.so.12", "libcusparse.so.12", "libnvJitLink.so.12", "libdl.so.2", "libc.so.6"},
		blas:   {"libcublasLt.so.12", "librt.so.1"},
		lt:     {"libc.so.6"},
		sparse: {"libnvJitLink.so.12"},
	}
	rd := func(p string) ([]string, error) { return needed[p], nil }
	plan := preloadPlan(solver, rd, filepath.Glob)
	if want := []string{lt, blas, jit, sparse}; !slices.Equal(plan, want) {
		t.Errorf("plan\n%v\nwant\n%v", plan, want)
	}
	if p := preloadPlan(blas, rd, filepath.Glob); !slices.Equal(p, []string{lt}) {
		t.Errorf("cuBLAS plan %v", p)
	}
	if p := preloadPlan("libcublas.so.12", rd, filepath.Glob); p != nil {
		t.Errorf("a bare soname is the loader's: %v", p)
	}
	// Outside a wheel: nothing (the loader's cache and RUNPATH serve).
	own := mk("cuda/lib64/libcusolver.so.11")
	mk("cuda/lib64/libcublasLt.so.12")
	needed[own] = []string{"libcublasLt.so.12", "libnvJitLink.so.12"}
	if p := preloadPlan(own, rd, filepath.Glob); p != nil {
		t.Errorf("toolkit plan %v", p)
	}
}

// TestElfNeeded reads the NEEDED entries of a real library of this system.
func TestElfNeeded(t *testing.T) {
	var lib string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6"} {
		if _, err := os.Stat(p); err == nil {
			lib = p
			break
		}
	}
	if lib == "" {
		t.Skip("no libm.so.6 in the usual places")
	}
	n, err := elfNeeded(lib)
	if err != nil || !slices.Contains(n, "libc.so.6") {
		t.Errorf("%s: NEEDED %v, %v", lib, n, err)
	}
	if _, err := elfNeeded(filepath.Join(t.TempDir(), "none.so")); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestMissingSymbols(t *testing.T) {
	names := []string{"a", "b", "c"}
	if err := missingSymbols(names, []uintptr{1, 2, 3}); err != nil {
		t.Error(err)
	}
	err := missingSymbols(names, []uintptr{1, 0, 0})
	if err == nil || err.Error() != "missing symbol(s) b, c" {
		t.Errorf("err = %v", err)
	}
}

func TestStatusNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{cublasStatus(1), "CUBLAS_STATUS_NOT_INITIALIZED (status 1)"},
		{cublasStatus(99), "status 99"},
		{cusolverStatus(7), "CUSOLVER_STATUS_INTERNAL_ERROR (status 7)"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestJITLog(t *testing.T) {
	buf := make([]byte, 64)
	copy(buf, "\nptxas info    : Used 32 registers\n")
	if got := jitLog(buf); got != "ptxas info    : Used 32 registers" {
		t.Errorf("%q", got)
	}
	if got := jitLog(make([]byte, 8)); got != "" {
		t.Errorf("%q", got)
	}
	if got := jitLog([]byte("no terminator")); got != "no terminator" {
		t.Errorf("%q", got)
	}
}

func TestDebugOn(t *testing.T) {
	for env, want := range map[string]bool{"": false, "0": false, "false": false, "1": true, "yes": true} {
		if got := debugOn(Options{}, env); got != want {
			t.Errorf("NL_CUDA_DEBUG=%q: %v", env, got)
		}
	}
	if !debugOn(Options{Debug: true}, "0") {
		t.Error("Options.Debug ignored")
	}
}

func TestLaunchError(t *testing.T) {
	e := &launchError{at: launchInfo{k: kSgemm, grid: dim3{2, 3, 1}, block: dim3{256, 1, 1}, valid: true},
		step: "launch", err: errors.New("cuLaunchKernel: InvalidValue (CUresult 1)")}
	want := "kernel sgemm_f32 grid (2,3,1) block (256,1,1): launch: cuLaunchKernel: InvalidValue (CUresult 1)"
	if e.Error() != want {
		t.Errorf("%q\nwant %q", e.Error(), want)
	}
	if (launchInfo{}).String() != "none" || (launchInfo{afterLibCall: "cublasDgemm_v2"}).String() != "cublasDgemm_v2" {
		t.Error("launchInfo.String")
	}
}
