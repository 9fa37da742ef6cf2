package tensor

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	gt "gorgonia.org/tensor"
)

func TestLoadImageFixtures(t *testing.T) {
	// A PNG written by the Python script from Fashion-MNIST's first test image.
	g, err := LoadImageTensor(fixture("fashion0.png"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Shape().Eq(gt.Shape{1, 28, 28}) {
		t.Fatalf("shape %v", g.Shape())
	}
	for i, v := range expectedInts(t, "fashion/image0") {
		if Data32(g)[i] != float32(v)/255 {
			t.Fatalf("pixel %d = %v, want %d/255", i, Data32(g)[i], v)
		}
	}
	c, err := LoadImageTensor(fixture("rgb.png"), true)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Shape().Eq(gt.Shape{3, 2, 3}) {
		t.Fatalf("shape %v", c.Shape())
	}
	for i, v := range expectedInts(t, "png/rgb") {
		if want := float32(v)/255*2 - 1; math.Abs(float64(Data32(c)[i]-want)) > 1e-6 {
			t.Fatalf("value %d = %v, want %v", i, Data32(c)[i], want)
		}
	}
}

func TestImageRoundTrip(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 3, 2))
	gray := image.NewGray(image.Rect(0, 0, 3, 2))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		x, y := i%3, i/3
		rgba.Set(x, y, color.RGBA{uint8(40 * i), uint8(255 - 40*i), uint8(7 * i), 255})
		nrgba.Set(x, y, color.NRGBA{uint8(40 * i), uint8(255 - 40*i), uint8(7 * i), 255})
		gray.Set(x, y, color.Gray{uint8(50 * i)})
	}
	for _, minusOne := range []bool{false, true} {
		for _, img := range []image.Image{rgba, gray, nrgba} {
			tt := FromImage(img, minusOne)
			back, err := ToImage(tt, minusOne)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				x, y := i%3, i/3
				r0, g0, b0, _ := img.At(x, y).RGBA()
				r1, g1, b1, _ := back.At(x, y).RGBA()
				if r0>>8 != r1>>8 || g0>>8 != g1>>8 || b0>>8 != b1>>8 {
					t.Fatalf("%T minusOne=%v pixel %d: %v vs %v", img, minusOne, i, img.At(x, y), back.At(x, y))
				}
			}
		}
	}
	if tt := FromImage(gray, false); tt.Shape()[0] != 1 {
		t.Errorf("gray image has %d channels", tt.Shape()[0])
	}
	// A sub-image keeps its own origin.
	sub := rgba.SubImage(image.Rect(1, 1, 3, 2))
	st := FromImage(sub, false)
	if !st.Shape().Eq(gt.Shape{3, 1, 2}) || Data32(st)[0] != float32(160)/255 {
		t.Errorf("sub-image %v %v", st.Shape(), Data32(st))
	}
}

func TestToImageClips(t *testing.T) {
	nan := float32(math.NaN())
	tt := New32([]float32{-5, 0, 0.5, 1, 7, nan}, 1, 2, 3)
	img, err := ToImage(tt, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint8{0, 0, 128, 255, 255, 0}
	if got := img.(*image.Gray).Pix; !bytes.Equal(got, want) {
		t.Errorf("pixels %v, want %v", got, want)
	}
	img, _ = ToImage(New32([]float32{-1, 0, 1, -3, 3, 0.5}, 1, 2, 3), true)
	if got := img.(*image.Gray).Pix; !bytes.Equal(got, []uint8{0, 128, 255, 0, 255, 191}) {
		t.Errorf("[-1,1] pixels %v", got)
	}
	for _, bad := range []*Dense{New32(make([]float32, 8), 2, 2, 2), New32(make([]float32, 4), 2, 2)} {
		_, err := ToImage(bad, false)
		mustErr(t, err, "[C H W] with C 1 or 3")
	}
	_, err = ToImage(gt.New(gt.WithShape(1, 1, 1), gt.WithBacking([]int32{1})), false)
	mustErr(t, err, "float32 or float64")
	img, err = ToImage(New64([]float64{0.25}, 1, 1, 1), false)
	if err != nil || img.(*image.Gray).Pix[0] != 64 {
		t.Errorf("float64 image %v %v", img, err)
	}
}

func TestBatchesAndGrid(t *testing.T) {
	imgs := make([]image.Image, 5)
	for i := range imgs {
		g := image.NewGray(image.Rect(0, 0, 4, 3))
		for j := range g.Pix {
			g.Pix[j] = uint8(50 * (i + 1))
		}
		imgs[i] = g
	}
	batch, err := FromImages(imgs, false)
	if err != nil {
		t.Fatal(err)
	}
	if !batch.Shape().Eq(gt.Shape{5, 1, 3, 4}) {
		t.Fatalf("batch %v", batch.Shape())
	}
	back, err := ToImages(batch, false)
	if err != nil || len(back) != 5 || back[4].(*image.Gray).Pix[0] != 250 {
		t.Fatalf("ToImages: %v", err)
	}
	_, err = FromImages([]image.Image{imgs[0], image.NewGray(image.Rect(0, 0, 2, 2))}, false)
	mustErr(t, err, "image 1 is (1, 2, 2)")
	_, err = FromImages(nil, false)
	mustErr(t, err, "no images")

	dir := t.TempDir()
	p := filepath.Join(dir, "grid.png")
	if err := SavePNGGrid(p, batch, GridOptions{Cols: 2, Padding: 1}); err != nil {
		t.Fatal(err)
	}
	g, err := LoadImage(p)
	if err != nil {
		t.Fatal(err)
	}
	// 2 columns, 3 rows, 1 pixel of padding around and between.
	if b := g.Bounds(); b.Dx() != 2*5+1 || b.Dy() != 3*4+1 {
		t.Fatalf("grid %v", b)
	}
	at := func(x, y int) uint8 { r, _, _, _ := g.At(x, y).RGBA(); return uint8(r >> 8) }
	for _, c := range []struct{ x, y, want int }{
		{0, 0, 0}, {1, 1, 50}, {4, 3, 50}, {5, 1, 0}, {6, 1, 100}, {1, 5, 150}, {6, 9, 0}, {1, 9, 250}, {10, 12, 0},
	} {
		if got := at(c.x, c.y); int(got) != c.want {
			t.Errorf("grid pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
	// Colour batches, one row when cols is 0.
	col := New32(make([]float32, 2*3*2*2), 2, 3, 2, 2)
	Data32(col)[0] = 1
	if err := SavePNGGrid(p, col, GridOptions{}); err != nil {
		t.Fatal(err)
	}
	g, _ = LoadImage(p)
	if b := g.Bounds(); b.Dx() != 4 || b.Dy() != 2 {
		t.Errorf("colour grid %v", b)
	}
	if r, _, _, _ := g.At(0, 0).RGBA(); r>>8 != 255 {
		t.Errorf("colour grid pixel %v", g.At(0, 0))
	}
	mustErr(t, SavePNGGrid(p, New32(make([]float32, 4), 2, 2), GridOptions{Cols: 1}), p, "[N C H W]")
	mustErr(t, SavePNGGrid(p, batch, GridOptions{Cols: 1, Padding: -1}), "negative padding")
	mustErr(t, SavePNGGrid(p, batch, GridOptions{Cols: -1}), "negative column count")
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	if err := SavePNG(filepath.Join(dir, "one.png"), New32([]float32{0.5}, 1, 1, 1), false); err != nil {
		t.Error(err)
	}
}

func TestLoadImageJPEGAndLimits(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	p := filepath.Join(dir, "x.jpg")
	os.WriteFile(p, buf.Bytes(), 0o644)
	tt, err := LoadImageTensor(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if !tt.Shape().Eq(gt.Shape{3, 8, 16}) || math.Abs(float64(Data32(tt)[0])-200.0/255) > 0.02 {
		t.Errorf("jpeg %v %v", tt.Shape(), Data32(tt)[0])
	}

	// A PNG header claiming 100000 x 100000 pixels is refused before decoding.
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	bomb := append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
	p = filepath.Join(dir, "bomb.png")
	os.WriteFile(p, bomb, 0o644)
	_, err = LoadImage(p)
	mustErr(t, err, p, "100000x100000", "MaxImagePixels")

	os.WriteFile(p, []byte("not an image"), 0o644)
	_, err = LoadImage(p)
	mustErr(t, err, p, "not a PNG or JPEG")
	_, err = LoadImage(filepath.Join(dir, "missing.png"))
	mustErr(t, err, "missing.png")
}
