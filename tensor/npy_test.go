package tensor

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	gt "gorgonia.org/tensor"
)

var npyFixtures = []string{
	"f32.npy", "f32_fortran.npy", "f64_fortran.npy", "f64.npy", "i64.npy", "u8.npy",
	"scalar.npy", "f16.npy", "bool.npy", "f32_be.npy", "i16_be.npy", "empty.npy",
}

func TestLoadNPYFixtures(t *testing.T) {
	for _, name := range npyFixtures {
		got, err := LoadNPY(fixture(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkExpected(t, name, got)
		// The stream reader gives the same result.
		b, _ := os.ReadFile(fixture(name))
		got2, err := ReadNPY(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s (stream): %v", name, err)
		}
		checkExpected(t, name, got2)
	}
}

func TestNPYFortranIsRowMajor(t *testing.T) {
	c, err := LoadNPY(fixture("f32.npy"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadNPY(fixture("f32_fortran.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if f.IsMaterializable() {
		t.Error("Fortran array came back as a view")
	}
	for i, v := range Data32(c) {
		if Data32(f)[i] != v {
			t.Fatalf("Fortran array in memory %v, C array %v", Data32(f), Data32(c))
		}
	}
}

func roundTripTensors() map[string]*Dense {
	return map[string]*Dense{
		"f32":    New32([]float32{1.5, -2, 3, 4, 5, 6}, 2, 3),
		"f64":    New64([]float64{1e-300, 2}, 2, 1),
		"scalar": New64([]float64{3.25}),
		"empty":  New32(nil, 0, 3),
		"i64":    gt.New(gt.WithShape(3), gt.WithBacking([]int64{-1 << 40, 0, 7})),
		"i32":    gt.New(gt.WithShape(1, 2), gt.WithBacking([]int32{-70000, 3})),
		"i16":    gt.New(gt.WithShape(2), gt.WithBacking([]int16{-300, 300})),
		"i8":     gt.New(gt.WithShape(2), gt.WithBacking([]int8{-128, 127})),
		"u8":     gt.New(gt.WithShape(2, 2), gt.WithBacking([]uint8{0, 1, 128, 255})),
		"u16":    gt.New(gt.WithShape(1), gt.WithBacking([]uint16{65535})),
		"bool":   gt.New(gt.WithShape(3), gt.WithBacking([]bool{true, false, true})),
	}
}

func sameDense(t *testing.T, what string, got, want *Dense) {
	t.Helper()
	if got.Dtype() != want.Dtype() || !got.Shape().Eq(want.Shape()) {
		t.Fatalf("%s: %v %v, want %v %v", what, got.Dtype(), got.Shape(), want.Dtype(), want.Shape())
	}
	want = rowMajor(want)
	n := Numel(want.Shape()) * elemSize(want.Dtype())
	if !bytes.Equal(got.Raw[:n], want.Raw[:n]) {
		t.Fatalf("%s: data differs", what)
	}
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for name, want := range roundTripTensors() {
		p := filepath.Join(dir, name+".npy")
		if err := SaveNPY(p, want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := os.ReadFile(p)
		// numpy's layout: version 1.0, data 64-byte aligned, header ends in '\n'.
		hlen := int(binary.LittleEndian.Uint16(b[8:]))
		if b[6] != 1 || (10+hlen)%64 != 0 || b[10+hlen-1] != '\n' {
			t.Errorf("%s: header layout %q", name, b[:10+hlen])
		}
		got, err := LoadNPY(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameDense(t, name, got, want)
	}
	// A transposed view is written in its logical order.
	v := New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	v.T()
	var buf bytes.Buffer
	if err := WriteNPY(&buf, v); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Shape().Eq(gt.Shape{3, 2}) || Data32(got)[1] != 4 {
		t.Errorf("transposed view written as %v %v", got.Shape(), Data32(got))
	}
}

// npyio, an independent implementation, reads what WriteNPY writes and
// writes what ReadNPY reads.
func TestNPYAgainstNpyio(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, New32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)); err != nil {
		t.Fatal(err)
	}
	r, err := npy.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var data []float32
	if err := r.Read(&data); err != nil {
		t.Fatal(err)
	}
	if s := r.Header.Descr.Shape; len(s) != 2 || s[0] != 2 || s[1] != 3 || r.Header.Descr.Fortran || len(data) != 6 || data[5] != 6 {
		t.Errorf("npyio read %v %v", r.Header.Descr, data)
	}

	buf.Reset()
	if err := npy.Write(&buf, []int16{-3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dtype() != gt.Int16 || got.Int16s()[0] != -3 || got.Int16s()[2] != 5 {
		t.Errorf("read npyio's file as %v %v", got.Dtype(), got.Data())
	}
}

func npyBytes(header string, data []byte) []byte {
	h := header + "\n"
	b := []byte(npyMagic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(append(b, h...), data...)
}

func TestNPYErrors(t *testing.T) {
	good := "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a .npy file"},
		{"magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), "bad magic"},
		{"version", []byte(npyMagic + "\x07\x00\x00\x00"), "unsupported .npy version 7.0"},
		{"truncated header", npyBytes(good, nil)[:20], "truncated"},
		{"truncated data", npyBytes(good, make([]byte, 7)), "truncated"},
		{"not a dict", npyBytes("[1, 2]", nil), "not a dict"},
		{"bad literal", npyBytes("{'descr': '<f4', 'fortran_order': Fals", nil), "bad header"},
		{"missing shape", npyBytes("{'descr': '<f4', 'fortran_order': False, 'x': 1}", nil), "'shape'"},
		{"extra key", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", nil), "keys"},
		{"negative dim", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", nil), "shape"},
		{"complex", npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), `unsupported dtype "<c8"`},
		{"object", npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", nil), "unsupported dtype"},
		{"structured", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", nil), "structured"},
		{"huge", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", nil), "truncated"},
		{"overflow", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil), "overflows"},
		{"dup key", npyBytes("{'descr': '<f4', 'descr': '<f4', 'shape': ()}", nil), "duplicate key"},
	}
	for _, c := range cases {
		_, err := ReadNPY(bytes.NewReader(c.data))
		mustErr(t, err, "tensor: npy:", c.want)
	}

	// Files: the size must match the header exactly, and errors name the file.
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	os.WriteFile(p, npyBytes(good, make([]byte, 12)), 0o644)
	_, err := LoadNPY(p)
	mustErr(t, err, p, "needs 8 data bytes, file has 12")
	os.WriteFile(p, npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", nil), 0o644)
	_, err = LoadNPY(p)
	mustErr(t, err, p, "needs 8000000000000 data bytes, file has 0")
	b := []byte(npyMagic + "\x02\x00\xff\xff\xff\x7f")
	os.WriteFile(p, b, 0o644)
	_, err = LoadNPY(p)
	mustErr(t, err, "header length 2147483647 does not fit")
	_, err = LoadNPY(filepath.Join(dir, "missing.npy"))
	mustErr(t, err, "missing.npy")
}

func TestSaveNPYUnsupported(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.npy")
	err := SaveNPY(p, gt.New(gt.WithShape(1), gt.WithBacking([]complex128{1})))
	mustErr(t, err, p, "cannot write a complex128 tensor")
	if _, serr := os.Stat(p); serr == nil {
		t.Error("a failed save left a file")
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 0 {
		t.Errorf("a failed save left %v", entries)
	}
}

func TestLoadNPZFixtures(t *testing.T) {
	for _, name := range []string{"plain.npz", "compressed.npz"} {
		sd, err := LoadNPZ(fixture(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := strings.Join(sd.Keys(), ","); got != "a,b,c,d" {
			t.Errorf("%s: keys %s", name, got)
		}
		for _, k := range sd.Keys() {
			v, _ := sd.Get(k)
			checkExpected(t, "npz/"+k, v)
		}
	}
}

func TestNPZRoundTrip(t *testing.T) {
	sd := NewStateDict()
	for _, k := range []string{"f32", "i64", "scalar", "bool", "empty"} {
		sd.Set(k, roundTripTensors()[k])
	}
	p := filepath.Join(t.TempDir(), "x.npz")
	if err := SaveNPZ(p, sd); err != nil {
		t.Fatal(err)
	}
	got, err := LoadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Keys(), ",") != strings.Join(sd.Keys(), ",") {
		t.Fatalf("keys %v, want %v", got.Keys(), sd.Keys())
	}
	for _, k := range sd.Keys() {
		a, _ := got.Get(k)
		b, _ := sd.Get(k)
		sameDense(t, k, a, b)
	}
	// npyio's npz reader sees the same arrays.
	r, err := npz.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var f []float32
	if err := r.Read("f32.npy", &f); err != nil || len(f) != 6 || f[0] != 1.5 {
		t.Errorf("npyio read %v %v", f, err)
	}
}

func TestNPZErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.npz")
	os.WriteFile(p, []byte("not a zip"), 0o644)
	_, err := LoadNPZ(p)
	mustErr(t, err, p, "not an .npz")

	zipWith := func(name string, data []byte) []byte {
		var buf bytes.Buffer
		zw := newZip(&buf)
		zw.add(name, data)
		zw.close()
		return buf.Bytes()
	}
	os.WriteFile(p, zipWith("readme.txt", []byte("hi")), 0o644)
	_, err = LoadNPZ(p)
	mustErr(t, err, p, `entry "readme.txt" is not a .npy array`)

	os.WriteFile(p, zipWith("w.npy", []byte("garbage")), 0o644)
	_, err = LoadNPZ(p)
	mustErr(t, err, p, `array "w"`, "not a .npy file")
}
