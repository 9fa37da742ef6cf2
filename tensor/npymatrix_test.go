package tensor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NPYMatrix reads the same values as LoadNPY, in any block, from C- and
// Fortran-order, little- and big-endian, float32 and float64 files
// (the fixtures written by numpy), and from files SaveNPY writes.
func TestNPYMatrixMatchesLoadNPY(t *testing.T) {
	dir := t.TempDir()
	written := filepath.Join(dir, "w.npy")
	vals := make([]float64, 7*5)
	for i := range vals {
		vals[i] = float64(i*i) - 3.25
	}
	if err := SaveNPY(written, New64(vals, 7, 5)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fixture("f32_be.npy"), fixture("f64_fortran.npy"), written} {
		want, err := LoadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := OpenNPYMatrix(path)
		if err != nil {
			t.Fatal(err)
		}
		r, c := m.Dims()
		at := func(i, j int) float64 {
			if d, ok := want.Data().([]float32); ok {
				return float64(d[i*c+j])
			}
			return want.Data().([]float64)[i*c+j]
		}
		for j0 := 0; j0 < c; j0++ {
			for w := 0; j0+w <= c; w++ {
				got := make([]float64, r*w)
				if err := m.ReadColumns(got, j0, w); err != nil {
					t.Fatal(err)
				}
				for i := range r {
					for k := range w {
						if got[i*w+k] != at(i, j0+k) {
							t.Fatalf("%s columns %d+%d: (%d,%d) = %v, want %v", path, j0, w, i, k, got[i*w+k], at(i, j0+k))
						}
					}
				}
			}
		}
		rows := make([]float64, 2*c)
		if err := m.ReadRows(rows, r-2, 2); err != nil {
			t.Fatal(err)
		}
		for k, v := range rows {
			if v != at(r-2+k/c, k%c) {
				t.Fatalf("%s rows: %v", path, rows)
			}
		}
		if err := m.ReadColumns(make([]float64, r*2), c-1, 2); err == nil {
			t.Errorf("%s: columns past the end read", path)
		}
		if err := m.ReadRows(make([]float64, 1), 0, 1); err == nil && c > 1 {
			t.Errorf("%s: a row into too short a slice read", path)
		}
		m.Close()
	}
}

// Files that cannot be read in blocks are refused by name before any data
// are read: 3-D, integer and float16 arrays, and truncated files.
func TestOpenNPYMatrixErrors(t *testing.T) {
	for _, name := range []string{"f32.npy", "i64.npy", "f16.npy", "scalar.npy"} {
		if _, err := OpenNPYMatrix(fixture(name)); err == nil || !strings.Contains(err.Error(), "want a 2-D float32 or float64") {
			t.Errorf("%s: %v", name, err)
		}
	}
	raw, err := os.ReadFile(fixture("f64_fortran.npy"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.npy")
	os.WriteFile(cut, raw[:len(raw)-3], 0o644)
	if _, err := OpenNPYMatrix(cut); err == nil || !strings.Contains(err.Error(), "data bytes") {
		t.Errorf("truncated: %v", err)
	}
	if _, err := OpenNPYMatrix(filepath.Join(t.TempDir(), "absent.npy")); err == nil {
		t.Error("absent file opened")
	}
}

// FuzzOpenNPYMatrix: no header makes OpenNPYMatrix or a read panic.
func FuzzOpenNPYMatrix(f *testing.F) {
	for _, name := range []string{"f32_be.npy", "f64_fortran.npy", "f32.npy"} {
		b, _ := os.ReadFile(fixture(name))
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "x.npy")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Skip()
		}
		m, err := OpenNPYMatrix(path)
		if err != nil {
			return
		}
		defer m.Close()
		r, c := m.Dims()
		if r*c > 1<<20 {
			return
		}
		_ = m.ReadColumns(make([]float64, r*c), 0, c)
	})
}
