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
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(getenv("CUBLAS_LIB"))

	var dirs []string
	for _, d := range strings.Split(getenv("CUBLAS_DIRS"), ":") {
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
			for _, sub := range []string{"nvidia/cu13/lib", "nvidia/cublas/lib"} {
				expand(filepath.Join(p, "lib", "python3*", sp, sub))
			}
		}
	}
	for _, d := range []string{"/usr/lib/python3/dist-packages/nvidia/cu13/lib", "/usr/lib/python3/dist-packages/nvidia/cublas/lib"} {
		dirs = append(dirs, d)
	}
	for _, v := range cublasVersions {
		name := "libcublas.so." + strconv.Itoa(v)
		add(name)
		for _, d := range dirs {
			add(filepath.Join(d, name))
		}
	}
	return out
}
