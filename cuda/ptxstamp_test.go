package cuda

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// sourcesHash is kernels/gen.sh's stamp: the SHA-256 of each kernel source's
// name, a newline and its bytes, in byte order of the names.
func sourcesHash(t *testing.T) string {
	t.Helper()
	var names []string
	for _, pat := range []string{"kernels/*.cu", "kernels/*.cuh"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	if len(names) == 0 {
		t.Fatal("no kernel sources in kernels/")
	}
	sort.Slice(names, func(i, j int) bool { return filepath.Base(names[i]) < filepath.Base(names[j]) })
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.Base(n) + "\n"))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var stampRE = regexp.MustCompile(`\A// sources: sha256 ([0-9a-f]{64}) `)

// TestPTXStamp fails when a kernel source changed and the embedded PTX was
// not regenerated (sh cuda/kernels/gen.sh, which needs nvcc 11.8).
func TestPTXStamp(t *testing.T) {
	want := sourcesHash(t)
	for name, ptx := range map[string]string{"kernels_sm80.ptx": ptxSM80, "kernels_sm90.ptx": ptxSM90} {
		m := stampRE.FindStringSubmatch(ptx)
		if m == nil {
			t.Errorf("ptx/%s has no sources stamp on its first line: regenerate it with sh cuda/kernels/gen.sh", name)
			continue
		}
		if m[1] != want {
			t.Errorf("ptx/%s was made from other sources (stamp %.12s, kernels/ now %.12s): regenerate it with sh cuda/kernels/gen.sh", name, m[1], want)
		}
	}
}
