package cuda

import (
	"slices"
	"strings"
	"testing"
)

func TestCublasCandidates(t *testing.T) {
	env := map[string]string{
		"CUBLAS_LIB":  "/opt/my/libcublas.so.12",
		"CUBLAS_DIRS": "/x:/y",
		"VIRTUAL_ENV": "/venv",
		"HOME":        "/home/u",
	}
	globs := map[string][]string{
		"/venv/lib/python3*/site-packages/nvidia/cu13/lib":              {"/venv/lib/python3.12/site-packages/nvidia/cu13/lib"},
		"/opt/torch/.venv/lib/python3*/site-packages/nvidia/cublas/lib": {"/opt/torch/.venv/lib/python3.11/site-packages/nvidia/cublas/lib", "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib"},
	}
	c := cublasCandidates(func(k string) string { return env[k] }, func(p string) ([]string, error) { return globs[p], nil })
	idx := func(s string) int { return slices.Index(c, s) }
	if c[0] != "/opt/my/libcublas.so.12" {
		t.Errorf("CUBLAS_LIB not first: %v", c[:3])
	}
	order := []string{
		"libcublas.so.13",
		"/x/libcublas.so.13",
		"/y/libcublas.so.13",
		"/usr/local/cuda/lib64/libcublas.so.13",
		"/venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13",
		"/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cublas/lib/libcublas.so.13",
		"/opt/torch/.venv/lib/python3.11/site-packages/nvidia/cublas/lib/libcublas.so.13",
		"libcublas.so.12",
		"/venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.12",
		"libcublas.so.11",
		"/opt/torch/.venv/lib/python3.11/site-packages/nvidia/cublas/lib/libcublas.so.11",
	}
	for i := 1; i < len(order); i++ {
		a, b := idx(order[i-1]), idx(order[i])
		if a < 0 || b < 0 || a >= b {
			t.Errorf("%s (%d) should come before %s (%d)", order[i-1], a, order[i], b)
		}
	}
	for _, p := range c {
		if !strings.Contains(p, "libcublas.so.1") {
			t.Errorf("odd candidate %q", p)
		}
	}
	if len(c) != len(slices.Compact(slices.Clone(c))) {
		t.Error("duplicates")
	}
	// Without any environment: the sonames come first of their version.
	c = cublasCandidates(func(string) string { return "" }, func(string) ([]string, error) { return nil, nil })
	if c[0] != "libcublas.so.13" {
		t.Errorf("first %q", c[0])
	}
}
