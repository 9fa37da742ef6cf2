// Package testutil holds the small helpers several packages' tests share:
// reading a committed golden JSON file and measuring what a call
// allocates.
package testutil

import (
	"encoding/json"
	"os"
	"runtime"
	"testing"
)

// ReadJSON decodes the JSON file at path into v, failing the test when it
// cannot.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Allocated returns the bytes f allocates on the heap (after a GC, so
// that earlier garbage does not count).
func Allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}
