package tensor

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	gt "gorgonia.org/tensor"
)

const (
	fashionImages = "fashion-t10k-images-16-idx3-ubyte.gz"
	fashionLabels = "fashion-t10k-labels-16-idx1-ubyte.gz"
)

func expectedInts(t *testing.T, key string) []int {
	var v []int
	if err := json.Unmarshal(expected(t, key), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLoadIDXFashion(t *testing.T) {
	imgs, err := LoadIDX(fixture(fashionImages))
	if err != nil {
		t.Fatal(err)
	}
	if imgs.Dtype() != gt.Uint8 || !imgs.Shape().Eq(gt.Shape{16, 28, 28}) {
		t.Fatalf("images %v %v", imgs.Dtype(), imgs.Shape())
	}
	sums := expectedInts(t, "fashion/pixel_sums")
	pix := imgs.Uint8s()
	for i := range 16 {
		s := 0
		for _, v := range pix[i*784 : (i+1)*784] {
			s += int(v)
		}
		if s != sums[i] {
			t.Errorf("image %d: pixel sum %d, want %d", i, s, sums[i])
		}
	}
	labels, err := IDXLabels(fixture(fashionLabels))
	if err != nil {
		t.Fatal(err)
	}
	want := expectedInts(t, "fashion/labels")
	for i := range want {
		if labels[i] != want[i] {
			t.Fatalf("labels %v, want %v", labels, want)
		}
	}

	f, err := IDXImages(fixture(fashionImages))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Shape().Eq(gt.Shape{16, 1, 28, 28}) {
		t.Fatalf("IDXImages shape %v", f.Shape())
	}
	img0 := expectedInts(t, "fashion/image0")
	for i, v := range img0 {
		if Data32(f)[i] != float32(v)/255 {
			t.Fatalf("IDXImages[0][%d] = %v, want %v/255", i, Data32(f)[i], v)
		}
	}

	// The same data through the stream reader, gzip detected from the bytes.
	b, _ := os.ReadFile(fixture(fashionImages))
	s, err := ReadIDX(bytes.NewReader(b))
	if err != nil || !bytes.Equal(s.Uint8s(), pix) {
		t.Fatalf("ReadIDX: %v", err)
	}
}

func TestLoadIDXTypes(t *testing.T) {
	for _, name := range []string{"i8.idx", "i16.idx", "i32.idx", "f32.idx", "f64.idx"} {
		got, err := LoadIDX(fixture(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkExpected(t, "idx/"+name, got)
	}
	labels, err := IDXLabels(fixture("i32.idx"))
	if err != nil || labels[0] != -70000 {
		t.Errorf("IDXLabels(int32) = %v, %v", labels, err)
	}
	_, err = IDXLabels(fixture("f64.idx"))
	mustErr(t, err, "f64.idx", "labels must be integers")
	_, err = IDXImages(fixture("i32.idx"))
	mustErr(t, err, "i32.idx", "images must have 3 dimensions")
}

func idxFile(code byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, code, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestIDXErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not an IDX file"},
		{"magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, "bad magic"},
		{"type", []byte{0, 0, 7, 1, 0, 0, 0, 0}, "bad magic"},
		{"no dims", []byte{0, 0, 8, 0}, "bad magic"},
		{"truncated dims", []byte{0, 0, 8, 3, 0, 0}, "dimensions: data is truncated"},
		{"short data", idxFile(8, []uint32{2, 3}, make([]byte, 5)), "dimensions [2 3] of ubyte need 6 data bytes, file has 5"},
		{"long data", idxFile(0x0B, []uint32{2}, make([]byte, 6)), "dimensions [2] of short need 4 data bytes, file has 6"},
		{"huge", idxFile(0x0E, []uint32{1 << 20, 1 << 20}, nil), "need 8796093022208 data bytes, file has 0"},
		{"overflow", idxFile(8, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), "overflow"},
		{"gzip truncated", gz(idxFile(8, []uint32{100}, make([]byte, 100)))[:30], "truncated"},
		{"gzip short", gz(idxFile(8, []uint32{100}, make([]byte, 50))), "truncated"},
		{"gzip trailing", gz(idxFile(8, []uint32{2}, make([]byte, 5))), "unexpected data"},
		{"gzip huge", gz(idxFile(0x0E, []uint32{1 << 20, 1 << 20}, nil)), "tensor.MaxInflateRatio"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".idx")
		os.WriteFile(p, c.file, 0o644)
		_, err := LoadIDX(p)
		mustErr(t, err, "tensor: "+p+": ", c.want)
	}
	_, err := ReadIDX(bytes.NewReader(idxFile(8, []uint32{2}, []byte{1, 2, 3})))
	mustErr(t, err, "tensor: idx:", "unexpected data")
	// A stream's size is unknown: memory grows with the data.
	_, err = ReadIDX(bytes.NewReader(gz(idxFile(0x0E, []uint32{1 << 20, 1 << 20}, nil))))
	mustErr(t, err, "tensor: idx:", "truncated")
}
