package metrics

import (
	"fmt"
	"math"
)

// ImageSize is the height and width of grayscale images stored row-major. A
// plain value, safe for concurrent use.
type ImageSize struct{ H, W int }

func (s ImageSize) check(a, b []float64) error {
	if s.H < 1 || s.W < 1 {
		return fmt.Errorf("metrics: image size %dx%d", s.H, s.W)
	}
	if len(a) != s.H*s.W || len(b) != s.H*s.W {
		return fmt.Errorf("metrics: images of %d and %d pixels for size %dx%d", len(a), len(b), s.H, s.W)
	}
	for i := range a {
		if math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return fmt.Errorf("metrics: pixel %d is not finite", i)
		}
	}
	return nil
}

// PixCorr is the Pearson correlation of the pixels of two images (NaN when
// either is constant).
func PixCorr(a, b []float64, size ImageSize) (float64, error) {
	if err := size.check(a, b); err != nil {
		return 0, err
	}
	return pearson(a, b), nil
}

// SSIM parameters: Gaussian window sigma 1.5 truncated at 3.5 sigma
// (radius 5, an 11x11 window), K1 = 0.01, K2 = 0.03.
const (
	ssimSigma    = 1.5
	ssimTruncate = 3.5
	ssimK1       = 0.01
	ssimK2       = 0.03
)

// SSIM is the mean structural similarity of two grayscale images with
// values spanning dataRange (1 for images in [0, 1]), computed as skimage's
// structural_similarity(gaussian_weights=True, sigma=1.5,
// use_sample_covariance=False): local means, variances and covariance from
// a Gaussian filter (edges mirrored as scipy's mode "reflect"), averaged
// over the pixels at least the window radius from the border. Images must
// be at least 11x11.
func SSIM(a, b []float64, size ImageSize, dataRange float64) (float64, error) {
	if err := size.check(a, b); err != nil {
		return 0, err
	}
	if !(dataRange > 0) || math.IsInf(dataRange, 0) {
		return 0, fmt.Errorf("metrics: data range %v", dataRange)
	}
	r := int(math.Floor(ssimTruncate*ssimSigma + 0.5)) // 5, as ndimage
	if size.H < 2*r+1 || size.W < 2*r+1 {
		return 0, fmt.Errorf("metrics: SSIM needs images of at least %dx%d, got %dx%d", 2*r+1, 2*r+1, size.H, size.W)
	}
	k := gaussKernel(ssimSigma, r)
	n := len(a)
	prod := func(x, y []float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = x[i] * y[i]
		}
		return out
	}
	ux, uy := blur(a, size, k), blur(b, size, k)
	uxx, uyy, uxy := blur(prod(a, a), size, k), blur(prod(b, b), size, k), blur(prod(a, b), size, k)
	return ssimMean(ux, uy, uxx, uyy, uxy, size, r, dataRange), nil
}

// ssimMean averages the SSIM map, from the filtered means, second moments
// and cross moment of two images, over the pixels at least r from the
// border.
func ssimMean(ux, uy, uxx, uyy, uxy []float64, size ImageSize, r int, dataRange float64) float64 {
	c1 := (ssimK1 * dataRange) * (ssimK1 * dataRange)
	c2 := (ssimK2 * dataRange) * (ssimK2 * dataRange)
	var sum float64
	count := 0
	for y := r; y < size.H-r; y++ {
		for x := r; x < size.W-r; x++ {
			i := y*size.W + x
			vx, vy, vxy := uxx[i]-ux[i]*ux[i], uyy[i]-uy[i]*uy[i], uxy[i]-ux[i]*uy[i]
			sum += (2*ux[i]*uy[i] + c1) * (2*vxy + c2) / ((ux[i]*ux[i] + uy[i]*uy[i] + c1) * (vx + vy + c2))
			count++
		}
	}
	return sum / float64(count)
}

// gaussKernel returns the normalised 1D Gaussian weights for offsets -r..r.
func gaussKernel(sigma float64, r int) []float64 {
	k := make([]float64, 2*r+1)
	var s float64
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		s += k[i]
	}
	for i := range k {
		k[i] /= s
	}
	return k
}

// reflect maps an index outside [0, n) back into it by mirroring about
// the edges, repeating the edge sample (scipy.ndimage mode "reflect":
// d c b a | a b c d | d c b a).
func reflect(i, n int) int {
	for i < 0 || i >= n {
		if i < 0 {
			i = -i - 1
		} else {
			i = 2*n - i - 1
		}
	}
	return i
}

// blur filters the image separably with the kernel k.
func blur(img []float64, s ImageSize, k []float64) []float64 {
	r := len(k) / 2
	tmp := make([]float64, len(img))
	for y := 0; y < s.H; y++ {
		for x := 0; x < s.W; x++ {
			var v float64
			for t, w := range k {
				v += w * img[y*s.W+reflect(x+t-r, s.W)]
			}
			tmp[y*s.W+x] = v
		}
	}
	out := make([]float64, len(img))
	for y := 0; y < s.H; y++ {
		for x := 0; x < s.W; x++ {
			var v float64
			for t, w := range k {
				v += w * tmp[reflect(y+t-r, s.H)*s.W+x]
			}
			out[y*s.W+x] = v
		}
	}
	return out
}

// SSIMMatrix is the SSIM of every prediction a[i] with every image b[j],
// each equal to SSIM(a[i], b[j], size, dataRange); the filtered means and
// second moments of every image are computed once, leaving one filtered
// product per pair instead of five.
func SSIMMatrix(a, b [][]float64, size ImageSize, dataRange float64) (*Similarity, error) {
	if len(a) != len(b) || len(a) == 0 {
		return nil, fmt.Errorf("metrics: SSIM matrix of %d predictions and %d images", len(a), len(b))
	}
	for i := range a {
		if err := size.check(a[i], b[i]); err != nil {
			return nil, fmt.Errorf("metrics: image %d: %w", i, err)
		}
	}
	if !(dataRange > 0) || math.IsInf(dataRange, 0) {
		return nil, fmt.Errorf("metrics: data range %v", dataRange)
	}
	r := int(math.Floor(ssimTruncate*ssimSigma + 0.5))
	if size.H < 2*r+1 || size.W < 2*r+1 {
		return nil, fmt.Errorf("metrics: SSIM needs images of at least %dx%d, got %dx%d", 2*r+1, 2*r+1, size.H, size.W)
	}
	k := gaussKernel(ssimSigma, r)
	type moments struct{ mean, sq []float64 }
	filtered := func(imgs [][]float64) []moments {
		out := make([]moments, len(imgs))
		for i, x := range imgs {
			sq := make([]float64, len(x))
			for p, v := range x {
				sq[p] = v * v
			}
			out[i] = moments{blur(x, size, k), blur(sq, size, k)}
		}
		return out
	}
	ma, mb := filtered(a), filtered(b)
	prod := make([]float64, size.H*size.W)
	return NewSimilarity(len(a), func(i, j int) (float64, error) {
		for p := range prod {
			prod[p] = a[i][p] * b[j][p]
		}
		return ssimMean(ma[i].mean, mb[j].mean, ma[i].sq, mb[j].sq, blur(prod, size, k), size, r, dataRange), nil
	})
}
