//go:build purego || !amd64

package blas

func identify() (vendor string, family, model int) { return "", 0, 0 }

func measureUnitWidth() int { return 0 }
