package dataset

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestResizeKeepsConstantsAndMeans(t *testing.T) {
	src := make([]float32, 2*6*6)
	for i := range src {
		src[i] = 0.25
	}
	for _, sz := range [][2]int{{6, 6}, {3, 3}, {12, 9}, {5, 7}} {
		out := Resize(src, 2, 6, 6, sz[0], sz[1])
		for i, v := range out {
			if math.Abs(float64(v)-0.25) > 1e-6 {
				t.Fatalf("%v: constant image changed at %d: %g", sz, i, v)
			}
		}
	}
	// Same size is the identity.
	ramp := make([]float32, 5*4)
	for i := range ramp {
		ramp[i] = float32(i)
	}
	if got := Resize(ramp, 1, 5, 4, 5, 4); !slices.Equal(got, ramp) {
		t.Fatalf("identity resize changed the image: %v", got)
	}
	// Halving averages pairs: the mean is kept exactly.
	var sum, half float64
	for _, v := range ramp[:16] {
		sum += float64(v)
	}
	for _, v := range Resize(ramp[:16], 1, 4, 4, 2, 2) {
		half += float64(v)
	}
	if math.Abs(sum/16-half/4) > 1e-5 {
		t.Fatalf("downscaling mean %g, want %g", half/4, sum/16)
	}
}

func TestCentreCropPublished(t *testing.T) {
	// CelebA's aligned images are 178x218: the square is 178, the 0.8
	// crop removes int(178*0.1) = 17 pixels per side.
	src := make([]float32, 218*178)
	for i := range src {
		src[i] = float32(i)
	}
	out, side := CentreCrop(src, 1, 218, 178, 0.8)
	if side != 144 {
		t.Fatalf("side %d, want 144", side)
	}
	// First kept pixel: row (218-178)/2 + 17 = 37, column 17.
	if out[0] != float32(37*178+17) {
		t.Fatalf("first pixel %g", out[0])
	}
}

func TestLoadIDXAndLoader(t *testing.T) {
	d, err := LoadIDX("../testdata/tensor/fashion-t10k-images-16-idx3-ubyte.gz", "../testdata/tensor/fashion-t10k-labels-16-idx1-ubyte.gz", 32)
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := d.Shape(); d.Len() != 16 || c != 1 || h != 32 || w != 32 {
		t.Fatalf("shape %d x %d,%d,%d", d.Len(), c, h, w)
	}
	if d.Label(0) != 9 { // the first Fashion-MNIST test image is an ankle boot
		t.Fatalf("label 0 = %d", d.Label(0))
	}
	l := &Loader{Data: d, BatchSize: 5, Seed: 7, Flip: true, MinusOneOne: true}
	if l.BatchesPerEpoch() != 3 {
		t.Fatalf("batches per epoch %d", l.BatchesPerEpoch())
	}
	a, la, ea, err := l.Batch(4)
	if err != nil {
		t.Fatal(err)
	}
	b, lb, eb, _ := l.Batch(4)
	if !slices.Equal(nt.Data32(a), nt.Data32(b)) || !slices.Equal(la, lb) || ea != 1 || eb != 1 {
		t.Fatal("the same step gave different batches")
	}
	for _, v := range nt.Data32(a) {
		if v < -1 || v > 1 {
			t.Fatalf("pixel %g outside [-1,1]", v)
		}
	}
	// An epoch visits distinct images.
	seen := map[int]bool{}
	for _, i := range l.Order(0)[:15] {
		if seen[i] {
			t.Fatal("an epoch repeats an image")
		}
		seen[i] = true
	}
	if slices.Equal(l.Order(0), l.Order(1)) {
		t.Fatal("two epochs in the same order")
	}
	bad := &Loader{Data: d, BatchSize: 17}
	if _, _, _, err := bad.Batch(0); err == nil || !strings.Contains(err.Error(), "fewer than one batch") {
		t.Fatalf("oversized batch: %v", err)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadFolder(dir, Published); err == nil || !strings.Contains(err.Error(), "no .jpg") {
		t.Fatalf("empty folder: %v", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 50))
	for y := range 50 {
		for x := range 40 {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(5 * y), 128, 255})
		}
	}
	for _, name := range []string{"b.png", "a.png"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("skip me"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.jpg"), []byte("not a jpeg"), 0o644)
	f, err := LoadFolder(dir, Preprocess{Size: 16, CropFactor: 0.8})
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 3 || filepath.Base(f.Path(0)) != "a.png" {
		t.Fatalf("files %d, first %s", f.Len(), f.Path(0))
	}
	dst := make([]float32, 3*16*16)
	if err := f.Image(0, dst); err != nil {
		t.Fatal(err)
	}
	// Blue is constant 128/255 everywhere.
	if v := dst[2*256+37]; math.Abs(float64(v)-128.0/255) > 1e-5 {
		t.Fatalf("blue %g", v)
	}
	if err := f.Image(2, dst); err == nil || !strings.Contains(err.Error(), "c.jpg") {
		t.Fatalf("corrupt file: %v", err)
	}
	if _, err := LoadFolder(dir, Preprocess{Size: 16, CropFactor: 1.5}); err == nil {
		t.Fatal("crop factor 1.5 accepted")
	}
}

// All returns every image in order with its label, mapped to [-1, 1] when
// asked.
func TestLoaderAll(t *testing.T) {
	imgs := nt.New32([]float32{0, 1, 0.5, 0.25, 1, 0}, 3, 1, 1, 2)
	m, err := NewMemory(imgs, []int{2, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := (&Loader{Data: m, MinusOneOne: true}).All()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{-1, 1, 0, -0.5, 1, -1}
	if got := nt.Data32(x); !slices.Equal(got, want) || !slices.Equal(y, []int{2, 0, 1}) || x.Shape()[0] != 3 {
		t.Fatalf("All: %v %v %v", got, y, x.Shape())
	}
}

// Convert does to an array what LoadFolder does to a file: a 175x175
// colour image becomes a 32x32 grey one (ITU-R 601 luma of the resized
// planes), identical to the file route; bad shapes are errors.
func TestConvertArray(t *testing.T) {
	const side = 175
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	src := make([]float32, 3*side*side)
	for y := range side {
		for x := range side {
			c := color.RGBA{uint8(x), uint8((3 * y) % 256), uint8((x + y) % 256), 255}
			img.Set(x, y, c)
			src[y*side+x] = float32(c.R) / 255
			src[side*side+y*side+x] = float32(c.G) / 255
			src[2*side*side+y*side+x] = float32(c.B) / 255
		}
	}
	path := filepath.Join(t.TempDir(), "a.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := Preprocess{Size: 32, CropFactor: 1, Gray: true}
	fromFile := make([]float32, 32*32)
	if err := p.Load(path, 1, fromFile); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 32*32)
	if err := p.Convert(src, 3, side, side, 1, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Abs(float64(got[i]-fromFile[i])) > 1e-6 {
			t.Fatalf("pixel %d: array %g, file %g", i, got[i], fromFile[i])
		}
	}
	// A uniform colour stays uniform, at its luma.
	flat := make([]float32, 3*side*side)
	for k, v := range []float32{0.2, 0.6, 1} {
		for i := range side * side {
			flat[k*side*side+i] = v
		}
	}
	if err := p.Convert(flat, 3, side, side, 1, got); err != nil {
		t.Fatal(err)
	}
	if want := 0.299*0.2 + 0.587*0.6 + 0.114; math.Abs(float64(got[100])-want) > 1e-6 {
		t.Fatalf("luma %g, want %g", got[100], want)
	}
	for _, bad := range []struct {
		src        []float32
		c, h, w, o int
		dst        int
		want       string
	}{
		{flat, 3, side, side, 1, 10, "destination"},
		{flat[:10], 3, side, side, 1, 32 * 32, "values for"},
		{flat, 2, side, side, 1, 32 * 32, "channels"},
		{flat, 3, side, side, 2, 32 * 32, "output channels"},
		{flat[:3], 3, 1, 1, 1, 32 * 32, "too small"},
	} {
		err := p.Convert(bad.src, bad.c, bad.h, bad.w, bad.o, make([]float32, bad.dst))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: got %v", bad.want, err)
		}
	}
}

func TestMemoryBatch(t *testing.T) {
	data := make([]float32, 3*1*2*2)
	for i := range data {
		data[i] = float32(i)
	}
	m, err := NewMemory(nt.New32(data, 3, 1, 2, 2), []int{7, 8, 9})
	if err != nil {
		t.Fatal(err)
	}
	x, labels, err := m.Batch(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); s[0] != 2 || s[1] != 1 || s[2] != 2 || s[3] != 2 {
		t.Fatalf("shape %v, want [2 1 2 2]", s)
	}
	if got := nt.Data32(x); got[0] != 4 || got[7] != 11 {
		t.Errorf("batch starts %v and ends %v; want 4 and 11", got[0], got[7])
	}
	if labels[0] != 8 || labels[1] != 9 {
		t.Errorf("labels %v, want [8 9]", labels)
	}
	nt.Data32(x)[0], labels[0] = -1, -1 // copies: the data set keeps its own
	if m.data[4] != 4 || m.labels[1] != 8 {
		t.Error("Batch returned views of the data set")
	}
	for _, r := range [][2]int{{-1, 1}, {0, 4}, {2, 2}, {2, 1}} {
		if _, _, err := m.Batch(r[0], r[1]); err == nil || !strings.Contains(err.Error(), "batch") {
			t.Errorf("Batch(%d, %d): got %v, want an error", r[0], r[1], err)
		}
	}
	unlabelled, _ := NewMemory(nt.New32(data, 3, 1, 2, 2), nil)
	if _, labels, err := unlabelled.Batch(0, 1); err != nil || labels != nil {
		t.Errorf("unlabelled: labels %v, err %v; want nil, nil", labels, err)
	}
}
