package recon

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/dataset"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// LoadImageArray reads a stimulus set stored as one .npy array and
// preprocesses every image to channels x size x size in [0, 1], as image
// files are (dataset.Preprocess: centre square, anti-aliased resize,
// colour to grey by luma). Accepted layouts: [N, H, W] (grey),
// [N, H, W, C] (channels last, as numpy image stacks usually are) and
// [N, C, H, W], with C 1 or 3; uint8 values are divided by 255, float
// values must already lie in [0, 1]. The Olivetti faces
// (faces-400x64x64-uint8.npy) and Kriegeskorte et al.'s 92 objects
// (images-92x175x175x3.npy) are such arrays.
func LoadImageArray(path string, channels, size int) (*nt.Dense, error) {
	t, err := nt.LoadNPY(path)
	if err != nil {
		return nil, err
	}
	s := t.Shape()
	var n, c, h, w int
	last := false
	switch {
	case len(s) == 3:
		n, c, h, w = s[0], 1, s[1], s[2]
	case len(s) == 4 && (s[3] == 1 || s[3] == 3) && s[1] != 1 && s[1] != 3:
		n, h, w, c, last = s[0], s[1], s[2], s[3], true
	case len(s) == 4 && (s[1] == 1 || s[1] == 3):
		n, c, h, w = s[0], s[1], s[2], s[3]
	default:
		return nil, fmt.Errorf("recon: %s has shape %v; want [N,H,W], [N,H,W,C] or [N,C,H,W] with C 1 or 3", path, s)
	}
	if n == 0 {
		return nil, fmt.Errorf("recon: %s holds no images", path)
	}
	f, err := nt.ToFloat64(t)
	if err != nil {
		return nil, fmt.Errorf("recon: %s: %w", path, err)
	}
	raw := nt.Data64(f)
	scale := 1.0
	if t.Dtype().Name() == "uint8" {
		scale = 1.0 / 255
	}
	p := dataset.Preprocess{Size: size, CropFactor: 1, Gray: channels == 1}
	out := make([]float32, n*channels*size*size)
	src := make([]float32, c*h*w)
	for i := range n {
		img := raw[i*c*h*w : (i+1)*c*h*w]
		for k := range src {
			ch, pix := k/(h*w), k%(h*w)
			v := img[k]
			if last { // channels last: pixel-major in the file
				v = img[pix*c+ch]
			}
			v *= scale
			if math.IsNaN(v) || v < 0 || v > 1 {
				return nil, fmt.Errorf("recon: %s image %d has value %v outside [0, 1]", path, i, v)
			}
			src[k] = float32(v)
		}
		if err := p.Convert(src, c, h, w, channels, out[i*channels*size*size:(i+1)*channels*size*size]); err != nil {
			return nil, fmt.Errorf("recon: %s image %d: %w", path, i, err)
		}
	}
	return nt.New32(out, n, channels, size, size), nil
}

// GreyToChannels repeats grey images [N,1,H,W] over c channels: a grey
// stimulus as a model that takes c channels sees it (R = G = B). The
// simulated participant sees the same picture (sim.FromTensor takes the
// channel mean), so the model gets what the participant saw.
func GreyToChannels(images *nt.Dense, c int) (*nt.Dense, error) {
	if images == nil {
		return nil, fmt.Errorf("recon: no images")
	}
	s := images.Shape()
	if len(s) != 4 || s[1] != 1 {
		return nil, fmt.Errorf("recon: images of shape %v; want grey [N,1,H,W]", s)
	}
	if c < 1 {
		return nil, fmt.Errorf("recon: %d channels: want at least 1", c)
	}
	n, px := s[0], s[2]*s[3]
	src := nt.Data32(images)
	out := make([]float32, 0, n*c*px)
	for i := range n {
		for range c {
			out = append(out, src[i*px:(i+1)*px]...)
		}
	}
	return nt.New32(out, n, c, s[2], s[3]), nil
}
