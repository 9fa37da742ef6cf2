//go:build cgo && (gpu || gpuemu)

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

// dlerror is per thread: read it right after the failing call.
static void* nl_dlopen(const char* path, int global, char* err, int errlen) {
	dlerror();
	void* h = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
	if (!h) {
		const char* e = dlerror();
		snprintf(err, errlen, "%s", e ? e : "dlopen failed");
	}
	return h;
}
static void* nl_dlsym(void* h, const char* name) { return dlsym(h, name); }
static void nl_dlclose(void* h) { dlclose(h); }
*/
import "C"

import (
	"errors"
	"path/filepath"
	"sync"
	"unsafe"
)

// The libraries opened at run time stay loaded for the life of the
// process: each is opened once (the chosen cuBLAS and cuSOLVER are kept
// in cublasProc and cusolverProc, their wheels' dependencies in
// preloaded), engines create and destroy only handles, and nothing that
// was accepted is ever dlclose'd (CUDA's libraries do not promise to
// unload cleanly). Only a candidate that failed is closed again.

// dlOpen opens path (RTLD_NOW; RTLD_GLOBAL when global).
func dlOpen(path string, global bool) (unsafe.Pointer, error) {
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	buf := (*C.char)(C.malloc(512))
	defer C.free(unsafe.Pointer(buf))
	g := C.int(0)
	if global {
		g = 1
	}
	h := C.nl_dlopen(cp, g, buf, 512)
	if h == nil {
		return nil, errors.New("dlopen: " + C.GoString(buf))
	}
	return h, nil
}

// dlSyms looks up names in h; a missing one has address 0.
func dlSyms(h unsafe.Pointer, names []string) []unsafe.Pointer {
	out := make([]unsafe.Pointer, len(names))
	for i, n := range names {
		cn := C.CString(n)
		out[i] = C.nl_dlsym(h, cn)
		C.free(unsafe.Pointer(cn))
	}
	return out
}

// addrs converts dlSyms's result for missingSymbols.
func addrs(ps []unsafe.Pointer) []uintptr {
	out := make([]uintptr, len(ps))
	for i, p := range ps {
		out[i] = uintptr(p)
	}
	return out
}

// dlClose closes a candidate that was not accepted.
func dlClose(h unsafe.Pointer) { C.nl_dlclose(h) }

var preloaded struct {
	sync.Mutex
	done map[string]error
}

// preloadDeps opens, with RTLD_GLOBAL and by full path, the dependencies
// of lib that preloadPlan finds beside it (a wheel's own and sibling
// nvidia/*/lib folders), each once per process. It returns the failures,
// for the candidate's error should lib itself then fail to open.
func preloadDeps(lib string) []string {
	preloaded.Lock()
	defer preloaded.Unlock()
	if preloaded.done == nil {
		preloaded.done = map[string]error{}
	}
	var fails []string
	for _, p := range preloadPlan(lib, elfNeeded, filepath.Glob) {
		err, ok := preloaded.done[p]
		if !ok {
			_, err = dlOpen(p, true)
			preloaded.done[p] = err
		}
		if err != nil {
			fails = append(fails, "preloading "+p+": "+err.Error())
		}
	}
	return fails
}
