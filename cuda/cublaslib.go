package cuda

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cublasVersions are the cuBLAS major versions tried, newest first.
var cublasVersions = []int{13, 12, 11}

// cublasCandidates lists the paths the engine passes to dlopen, in order:
//
//  1. $CUBLAS_LIB, a full path, when set;
//  2. for each version 13, 12, 11: the bare soname (found through
//     LD_LIBRARY_PATH, the binary's RUNPATH and the ld.so cache), then that
//     soname in each directory of $CUBLAS_DIRS (colon-separated), of the
//     CUDA toolkit (/usr/local/cuda*/lib64) and of the Python environments
//     where PyTorch's wheels put it: <site-packages>/nvidia/cu13/lib (CUDA
//     13 wheels) and <site-packages>/nvidia/cublas/lib (CUDA 11 and 12),
//     for $VIRTUAL_ENV, $CONDA_PREFIX, /opt/torch/.venv, the user's
//     ~/.local and the system's Python.
//
// getenv and glob are os.Getenv and filepath.Glob outside tests.
func cublasCandidates(getenv func(string) string, glob func(string) ([]string, error)) []string {
	return libCandidates("libcublas", "CUBLAS_LIB", "CUBLAS_DIRS", cublasVersions, "nvidia/cublas/lib", getenv, glob)
}

// cusolverVersions are the cuSOLVER sonames' versions tried, newest first
// (CUDA 13 ships libcusolver.so.12, CUDA 12 libcusolver.so.11).
var cusolverVersions = []int{12, 11}

// cusolverCandidates is cublasCandidates for cuSOLVER: $CUSOLVER_LIB, then
// libcusolver.so.12 and .11 bare and in $CUSOLVER_DIRS, the CUDA toolkit
// and the PyTorch wheels' nvidia/cu13/lib and nvidia/cusolver/lib.
// cuSOLVER needs cuBLAS, cuBLASLt, cuSPARSE and (CUDA 12 and later)
// nvJitLink by soname; for a library in a wheel the engine opens those
// first, by full path with RTLD_GLOBAL, from the wheel's own and sibling
// nvidia/*/lib folders (preloadPlan), so LD_LIBRARY_PATH is not needed.
func cusolverCandidates(getenv func(string) string, glob func(string) ([]string, error)) []string {
	return libCandidates("libcusolver", "CUSOLVER_LIB", "CUSOLVER_DIRS", cusolverVersions, "nvidia/cusolver/lib", getenv, glob)
}

// libCandidates lists the dlopen paths of lib: $<libEnv>, then each
// version's soname bare and in $<dirsEnv>, the toolkit's and the wheels'
// folders (wheelSub for CUDA 11/12 wheels, nvidia/cu13/lib for CUDA 13).
func libCandidates(lib, libEnv, dirsEnv string, versions []int, wheelSub string,
	getenv func(string) string, glob func(string) ([]string, error)) []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(getenv(libEnv))

	var dirs []string
	for _, d := range strings.Split(getenv(dirsEnv), ":") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	expand := func(pattern string) {
		m, _ := glob(pattern)
		slices.Sort(m)
		slices.Reverse(m) // newest Python / CUDA first
		dirs = append(dirs, m...)
	}
	dirs = append(dirs, "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib")
	expand("/usr/local/cuda-*/lib64")
	var prefixes []string
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := getenv(v); p != "" {
			prefixes = append(prefixes, p)
		}
	}
	prefixes = append(prefixes, "/opt/torch/.venv")
	if h := getenv("HOME"); h != "" {
		prefixes = append(prefixes, filepath.Join(h, ".local"))
	}
	prefixes = append(prefixes, "/usr/local", "/usr")
	for _, p := range prefixes {
		for _, sp := range []string{"site-packages", "dist-packages"} {
			for _, sub := range []string{"nvidia/cu13/lib", wheelSub} {
				expand(filepath.Join(p, "lib", "python3*", sp, sub))
			}
		}
	}
	for _, d := range []string{"/usr/lib/python3/dist-packages/nvidia/cu13/lib", "/usr/lib/python3/dist-packages/" + wheelSub} {
		dirs = append(dirs, d)
	}
	for _, v := range versions {
		name := lib + ".so." + strconv.Itoa(v)
		add(name)
		for _, d := range dirs {
			add(filepath.Join(d, name))
		}
	}
	return out
}
