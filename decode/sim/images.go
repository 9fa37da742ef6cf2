package sim

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/tensor"
)

// ImageSet is a set of grayscale images of one size, pixels row-major in [0,
// 1]. It is a plain value: safe for concurrent use as long as no goroutine
// modifies it.
type ImageSet struct {
	H, W int
	Pix  [][]float64
}

// FromTensor converts a float tensor [N, C, H, W] (values in [0, 1]) to an
// ImageSet; colour images become their mean over channels.
func FromTensor(t *tensor.Dense) (*ImageSet, error) {
	s := t.Shape()
	if len(s) != 4 {
		return nil, fmt.Errorf("sim: images must be [N C H W], have %v", s)
	}
	f, err := tensor.ToFloat64(t)
	if err != nil {
		return nil, err
	}
	data := tensor.Data64(f)
	n, c, h, w := s[0], s[1], s[2], s[3]
	set := &ImageSet{H: h, W: w, Pix: make([][]float64, n)}
	for i := range set.Pix {
		p := make([]float64, h*w)
		for ch := 0; ch < c; ch++ {
			src := data[(i*c+ch)*h*w : (i*c+ch+1)*h*w]
			for k, v := range src {
				p[k] += v / float64(c)
			}
		}
		for k, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("sim: image %d pixel %d is %v", i, k, v)
			}
		}
		set.Pix[i] = p
	}
	return set, nil
}

// LoadIDX reads an IDX image file (MNIST, Fashion-MNIST; gzip or not).
func LoadIDX(path string) (*ImageSet, error) {
	t, err := tensor.IDXImages(path)
	if err != nil {
		return nil, err
	}
	return FromTensor(t)
}

// Tensor returns image i as a float32 [1, H, W] tensor.
func (s *ImageSet) Tensor(i int) *tensor.Dense {
	p := make([]float32, s.H*s.W)
	for k, v := range s.Pix[i] {
		p[k] = float32(v)
	}
	return tensor.New32(p, 1, s.H, s.W)
}
