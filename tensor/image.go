package tensor

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // registers the JPEG decoder for LoadImage
	"image/png"
	"io"
	"math"
	"os"

	gt "gorgonia.org/tensor"
)

// Images are float32 tensors [C, H, W] (batches [N, C, H, W]) with C = 1 for
// grey and 3 for colour (alpha is dropped), values in [0, 1], or in [-1, 1]
// with rangeMinusOneOne (the range GAN generators use).

// MaxImagePixels bounds the images LoadImage decodes: a few bytes of PNG
// header can ask for gigabytes.
var MaxImagePixels = 1 << 26

// isGray reports whether img carries one channel.
func isGray(img image.Image) bool {
	switch img.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		return true
	}
	return false
}

// FromImage converts img to a float32 tensor [C, H, W]: C = 1 for grey
// images, 3 otherwise. Values are in [0, 1], or [-1, 1] with
// rangeMinusOneOne. Alpha is dropped (colours stay premultiplied, that is,
// composited over black).
func FromImage(img image.Image, rangeMinusOneOne bool) *Dense {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	c := 3
	if isGray(img) {
		c = 1
	}
	out := make([]float32, c*h*w)
	fromImage(out, img, c)
	if rangeMinusOneOne {
		for i, v := range out {
			out[i] = 2*v - 1
		}
	}
	return New32(out, c, h, w)
}

// fromImage fills out ([C, H, W], values in [0, 1]) from img.
func fromImage(out []float32, img image.Image, c int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	plane := w * h
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				out[y*w+x] = float32(v) / 255
			}
		}
		return
	case *image.RGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				i := y*w + x
				out[i] = float32(row[4*x]) / 255
				out[plane+i] = float32(row[4*x+1]) / 255
				out[2*plane+i] = float32(row[4*x+2]) / 255
			}
		}
		return
	}
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*w + x
			if c == 1 {
				out[i] = float32(r) / 0xffff
				continue
			}
			out[i] = float32(r) / 0xffff
			out[plane+i] = float32(g) / 0xffff
			out[2*plane+i] = float32(bl) / 0xffff
		}
	}
}

// FromImages converts images of one size and channel count to a float32
// batch [N, C, H, W]. See FromImage.
func FromImages(imgs []image.Image, rangeMinusOneOne bool) (*Dense, error) {
	if len(imgs) == 0 {
		return nil, fmt.Errorf("tensor: FromImages: no images")
	}
	first := FromImage(imgs[0], rangeMinusOneOne)
	s := first.Shape()
	per := Numel(s)
	out := make([]float32, len(imgs)*per)
	copy(out, first.Float32s())
	for i, img := range imgs[1:] {
		t := FromImage(img, rangeMinusOneOne)
		if !t.Shape().Eq(s) {
			return nil, fmt.Errorf("tensor: FromImages: image %d is %v, image 0 is %v", i+1, t.Shape(), s)
		}
		copy(out[(i+1)*per:], t.Float32s())
	}
	return New32(out, len(imgs), s[0], s[1], s[2]), nil
}

// toByte maps a value in [0, 1] (or [-1, 1]) to 0..255, clipping and
// mapping NaN to 0.
func toByte(v float32, rangeMinusOneOne bool) uint8 {
	if rangeMinusOneOne {
		v = (v + 1) / 2
	}
	if !(v > 0) { // also NaN
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(math.Round(float64(v) * 255))
}

// imageTensor checks a [C, H, W] or [N, C, H, W] float tensor and returns
// it as float32 data.
func imageTensor(t *Dense, dims int) ([]float32, []int, error) {
	s := t.Shape()
	if len(s) != dims || (s[dims-3] != 1 && s[dims-3] != 3) {
		want := "[C H W]"
		if dims == 4 {
			want = "[N C H W]"
		}
		return nil, nil, fmt.Errorf("tensor: image tensor must be %s with C 1 or 3, have %v", want, s)
	}
	switch t.Dtype() {
	case gt.Float32:
		return rowMajor(t).Float32s(), s, nil
	case gt.Float64:
		f, err := ToFloat32(t)
		if err != nil {
			return nil, nil, err
		}
		return f.Float32s(), s, nil
	}
	return nil, nil, fmt.Errorf("tensor: image tensor must be float32 or float64, not %v", t.Dtype())
}

// toImage converts one [C, H, W] plane set to an image.
func toImage(data []float32, c, h, w int, rangeMinusOneOne bool) image.Image {
	plane := h * w
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range plane {
			img.Pix[i] = toByte(data[i], rangeMinusOneOne)
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range plane {
		img.Pix[4*i] = toByte(data[i], rangeMinusOneOne)
		img.Pix[4*i+1] = toByte(data[plane+i], rangeMinusOneOne)
		img.Pix[4*i+2] = toByte(data[2*plane+i], rangeMinusOneOne)
		img.Pix[4*i+3] = 255
	}
	return img
}

// ToImage converts a [C, H, W] float tensor (C 1 or 3) to an *image.Gray or
// an opaque *image.RGBA. Values are clipped to [0, 1] (or [-1, 1] with
// rangeMinusOneOne).
func ToImage(t *Dense, rangeMinusOneOne bool) (image.Image, error) {
	data, s, err := imageTensor(t, 3)
	if err != nil {
		return nil, err
	}
	return toImage(data, s[0], s[1], s[2], rangeMinusOneOne), nil
}

// ToImages converts a batch [N, C, H, W] to N images. See ToImage.
func ToImages(batch *Dense, rangeMinusOneOne bool) ([]image.Image, error) {
	data, s, err := imageTensor(batch, 4)
	if err != nil {
		return nil, err
	}
	per := s[1] * s[2] * s[3]
	out := make([]image.Image, s[0])
	for i := range out {
		out[i] = toImage(data[i*per:(i+1)*per], s[1], s[2], s[3], rangeMinusOneOne)
	}
	return out, nil
}

// LoadImage decodes the PNG or JPEG file at path, refusing images of more
// than MaxImagePixels pixels before decoding them.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tensor: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	cfg, format, err := image.DecodeConfig(br)
	if err != nil {
		return nil, errorf(path, "not a PNG or JPEG image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImagePixels/max(cfg.Height, 1) {
		return nil, errorf(path, "%s image of %dx%d pixels exceeds MaxImagePixels (%d)", format, cfg.Width, cfg.Height, MaxImagePixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, errorf(path, "%w", err)
	}
	br.Reset(f)
	img, _, err := image.Decode(br)
	if err != nil {
		return nil, errorf(path, "%w", err)
	}
	return img, nil
}

// LoadImageTensor is LoadImage followed by FromImage.
func LoadImageTensor(path string, rangeMinusOneOne bool) (*Dense, error) {
	img, err := LoadImage(path)
	if err != nil {
		return nil, err
	}
	return FromImage(img, rangeMinusOneOne), nil
}

// GridOptions lay out the images of SavePNGGrid. The zero value is one row
// of images in [0, 1] with no padding.
type GridOptions struct {
	// Cols is the number of columns; 0 (or more than the images) puts them
	// all in one row.
	Cols int
	// Padding is the black border, in pixels, between and around the images
	// (torchvision's save_image draws 2).
	Padding int
	// MinusOneOne says the pixels are in [-1, 1] (GAN generators' tanh
	// range) rather than [0, 1].
	MinusOneOne bool
}

// SavePNGGrid writes a batch [N, C, H, W] to path as one PNG: the images in
// a grid laid out by o, like torchvision's save_image. The file is written
// atomically.
func SavePNGGrid(path string, batch *Dense, o GridOptions) error {
	cols, padding := o.Cols, o.Padding
	imgs, err := ToImages(batch, o.MinusOneOne)
	if err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	if len(imgs) == 0 {
		return errorf(path, "empty batch")
	}
	if padding < 0 {
		return errorf(path, "negative padding %d", padding)
	}
	n := len(imgs)
	if cols < 0 {
		return errorf(path, "negative column count %d", cols)
	}
	if cols == 0 || cols > n {
		cols = n
	}
	rows := (n + cols - 1) / cols
	s := batch.Shape()
	h, w := s[2], s[3]
	gw, gh := cols*(w+padding)+padding, rows*(h+padding)+padding
	var grid draw.Image
	if s[1] == 1 {
		grid = image.NewGray(image.Rect(0, 0, gw, gh))
	} else {
		rgba := image.NewRGBA(image.Rect(0, 0, gw, gh))
		draw.Draw(rgba, rgba.Bounds(), image.Black, image.Point{}, draw.Src)
		grid = rgba
	}
	for i, img := range imgs {
		x := padding + (i%cols)*(w+padding)
		y := padding + (i/cols)*(h+padding)
		draw.Draw(grid, image.Rect(x, y, x+w, y+h), img, image.Point{}, draw.Src)
	}
	return writeAtomic(path, func(wr io.Writer) error {
		if err := png.Encode(wr, grid); err != nil {
			return errorf(path, "%w", err)
		}
		return nil
	})
}

// SavePNG writes one [C, H, W] tensor to path as a PNG, atomically.
func SavePNG(path string, t *Dense, rangeMinusOneOne bool) error {
	img, err := ToImage(t, rangeMinusOneOne)
	if err != nil {
		return fmt.Errorf("tensor: %s: %w", path, err)
	}
	return writeAtomic(path, func(wr io.Writer) error {
		if err := png.Encode(wr, img); err != nil {
			return errorf(path, "%w", err)
		}
		return nil
	})
}
