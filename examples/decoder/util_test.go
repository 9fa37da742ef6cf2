package main

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

func writeNPY(t *testing.T, path string, r, c int) {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = float64(i%7) - 3
	}
	if err := saveMatrix(path, m, false); err != nil {
		t.Fatal(err)
	}
}
