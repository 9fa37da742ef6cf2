//go:build purego || !amd64

package blas

// availablePaths lists the kernel paths this build can run.
func availablePaths() []string { return []string{"generic"} }

func newConfig(path string) *config { return genericConfig() }
