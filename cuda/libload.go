package cuda

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Run-time loading of cuBLAS and cuSOLVER, the parts that need no cgo (so
// that they are tested in every build): the order in which candidates are
// tried and the error that reports them, and the dependencies of a
// library inside a PyTorch wheel that must be loaded first.

// libAttempt is one candidate's outcome.
type libAttempt struct {
	path string
	err  error // nil: the candidate was accepted
}

// tryCandidates tries the candidate paths in order (a bare soname goes to
// the dynamic loader; a path with a slash is tried only when exists says
// it is there) until try accepts one, and returns it. try must do the
// whole job for one candidate (open the library, look up its symbols,
// create a handle, bind the stream) and undo what it did before it
// returns an error. When none is accepted the error names what was
// wanted, every candidate tried and why it failed, and how many guessed
// paths were absent.
func tryCandidates(what string, candidates []string, exists func(string) bool, try func(path string) error) (string, error) {
	var tried []libAttempt
	absent := 0
	for _, p := range candidates {
		if strings.Contains(p, "/") && !exists(p) {
			absent++
			continue
		}
		err := try(p)
		if err == nil {
			return p, nil
		}
		tried = append(tried, libAttempt{p, err})
	}
	return "", candidatesError(what, tried, absent)
}

func candidatesError(what string, tried []libAttempt, absent int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cuda: no usable %s: ", what)
	if len(tried) == 0 {
		b.WriteString("no candidate could be opened")
	} else {
		fmt.Fprintf(&b, "%d candidate(s) tried", len(tried))
	}
	for i, a := range tried {
		fmt.Fprintf(&b, "; [%d] %s: %v", i+1, a.path, a.err)
	}
	if absent > 0 {
		fmt.Fprintf(&b, "; %d guessed path(s) absent (set the *_LIB variable to a full path, or *_DIRS)", absent)
	}
	return fmt.Errorf("%s", b.String())
}

// fileExists is tryCandidates's exists outside tests.
func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// preloadPlan lists, in load order, the libraries to open with
// RTLD_GLOBAL before lib, a library in a PyTorch wheel
// (<site-packages>/nvidia/<name>/lib/), so that the dynamic loader finds
// lib's dependencies without LD_LIBRARY_PATH: those of lib's NEEDED
// sonames (and theirs, depth first) that are files in lib's own folder or
// in the sibling wheels' nvidia/*/lib folders. Outside a wheel the plan
// is empty (the toolkit's libraries find each other through the loader's
// cache and their RUNPATH). cuSOLVER from a CUDA 12
// wheel, for instance, needs libnvJitLink.so.12 (nvidia/nvjitlink/lib),
// libcusparse.so.12 (nvidia/cusparse/lib), libcublasLt.so.12 and
// libcublas.so.12 (nvidia/cublas/lib). A soname found nowhere there is
// left to the loader. needed reads a file's NEEDED entries (elfNeeded
// outside tests); glob is filepath.Glob outside tests.
func preloadPlan(lib string, needed func(string) ([]string, error), glob func(string) ([]string, error)) []string {
	dir := filepath.Dir(lib)
	nv := filepath.Dir(filepath.Dir(dir))
	if !strings.Contains(lib, "/") || filepath.Base(dir) != "lib" || filepath.Base(nv) != "nvidia" {
		return nil
	}
	dirs := []string{dir}
	sib, _ := glob(filepath.Join(nv, "*", "lib"))
	slices.Sort(sib)
	for _, s := range sib {
		if s != dir {
			dirs = append(dirs, s)
		}
	}
	find := func(soname string) string {
		for _, d := range dirs {
			if m, _ := glob(filepath.Join(d, soname)); len(m) == 1 {
				return m[0]
			}
		}
		return ""
	}
	var plan []string
	seen := map[string]bool{lib: true}
	var visit func(path string, depth int)
	visit = func(path string, depth int) {
		if depth > 8 {
			return
		}
		names, err := needed(path)
		if err != nil {
			return
		}
		for _, n := range names {
			p := find(n)
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			visit(p, depth+1)
			plan = append(plan, p)
		}
	}
	visit(lib, 0)
	return plan
}

// elfNeeded is the NEEDED entries of an ELF file.
func elfNeeded(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ImportedLibraries()
}

// missingSymbols names the entries of names whose address is 0 in addrs.
func missingSymbols(names []string, addrs []uintptr) error {
	var miss []string
	for i, n := range names {
		if i >= len(addrs) || addrs[i] == 0 {
			miss = append(miss, n)
		}
	}
	if len(miss) == 0 {
		return nil
	}
	return fmt.Errorf("missing symbol(s) %s", strings.Join(miss, ", "))
}

// cublasStatus names a cublasStatus_t, with its number.
func cublasStatus(s int) string {
	names := map[int]string{
		1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED", 7: "CUBLAS_STATUS_INVALID_VALUE",
		8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR", 13: "CUBLAS_STATUS_EXECUTION_FAILED",
		14: "CUBLAS_STATUS_INTERNAL_ERROR", 15: "CUBLAS_STATUS_NOT_SUPPORTED", 16: "CUBLAS_STATUS_LICENSE_ERROR",
	}
	return statusName(names[s], s)
}

// cusolverStatus names a cusolverStatus_t, with its number.
func cusolverStatus(s int) string {
	names := map[int]string{
		1: "CUSOLVER_STATUS_NOT_INITIALIZED", 2: "CUSOLVER_STATUS_ALLOC_FAILED", 3: "CUSOLVER_STATUS_INVALID_VALUE",
		4: "CUSOLVER_STATUS_ARCH_MISMATCH", 5: "CUSOLVER_STATUS_MAPPING_ERROR", 6: "CUSOLVER_STATUS_EXECUTION_FAILED",
		7: "CUSOLVER_STATUS_INTERNAL_ERROR", 8: "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED", 9: "CUSOLVER_STATUS_NOT_SUPPORTED",
	}
	return statusName(names[s], s)
}

func statusName(name string, s int) string {
	if name == "" {
		return fmt.Sprintf("status %d", s)
	}
	return fmt.Sprintf("%s (status %d)", name, s)
}

// jitLog is a JIT log buffer's text: up to its first NUL, trimmed.
func jitLog(buf []byte) string {
	if i := slices.Index(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return strings.TrimSpace(string(buf))
}

func orNone(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
