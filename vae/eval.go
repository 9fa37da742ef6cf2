package vae

import (
	"fmt"
	"slices"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/probe"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Metrics are held-out measurements of a VAE-GAN beside the PCA baseline of
// the same latent size (the linear model VanRullen & Reddy compare with). It
// is a plain value: safe for concurrent use as long as no goroutine modifies
// it.
type Metrics struct {
	Latent     int `json:"latent"`
	TrainCount int `json:"train_images"` // images the probe and PCA were fitted on
	TestCount  int `json:"test_images"`
	// PixCorr is the mean Pearson correlation between each test image and
	// its reconstruction G(mu(x)).
	PixCorr float64 `json:"pixcorr"`
	// ProbeAccuracy is the test accuracy of a softmax regression of the
	// labels on mu(x), fitted on the training images.
	ProbeAccuracy float64 `json:"probe_accuracy"`
	// The same two measures for PCA with Latent components.
	PCAPixCorr       float64 `json:"pca_pixcorr"`
	PCAProbeAccuracy float64 `json:"pca_probe_accuracy"`
}

// Evaluate measures reconstruction and linear decodability of the labels
// on test images, fitting the probe (and PCA) on train. Both datasets must
// be labelled; classes are 0..max label.
func Evaluate(v *VAEGAN, train, test *dataset.Memory) (Metrics, error) {
	m := Metrics{Latent: v.cfg.Latent, TrainCount: train.Len(), TestCount: test.Len()}
	xTrain, yTrain, err := (&dataset.Loader{Data: train}).All()
	if err != nil {
		return m, err
	}
	xTest, yTest, err := (&dataset.Loader{Data: test}).All()
	if err != nil {
		return m, err
	}
	classes := slices.Max(yTrain) + 1
	if slices.Min(yTrain) < 0 || slices.Min(yTest) < 0 {
		return m, fmt.Errorf("vae: evaluation needs labelled images")
	}
	muTrain, err := v.encodeAll(xTrain)
	if err != nil {
		return m, err
	}
	muTest, err := v.encodeAll(xTest)
	if err != nil {
		return m, err
	}
	rec, err := v.decodeAll(muTest)
	if err != nil {
		return m, err
	}
	if m.PixCorr, err = probe.PixelCorrelation(xTest, rec); err != nil {
		return m, err
	}
	if m.ProbeAccuracy, err = probe.HeldOutAccuracy(muTrain, yTrain, muTest, yTest, classes); err != nil {
		return m, err
	}

	m.PCAPixCorr, m.PCAProbeAccuracy, err = probe.PCABaseline(xTrain, yTrain, xTest, yTest, v.cfg.Latent, classes)
	return m, err
}

// encodeAll encodes in batches of 500 and returns mu.
func (v *VAEGAN) encodeAll(x *nt.Dense) (*nt.Dense, error) {
	return v.batched(x, func(b *nt.Dense) (*nt.Dense, error) {
		mu, _, err := v.Encode(b)
		return mu, err
	})
}

// decodeAll decodes in batches of 500.
func (v *VAEGAN) decodeAll(z *nt.Dense) (*nt.Dense, error) {
	return v.batched(z, v.Decode)
}

func (v *VAEGAN) batched(x *nt.Dense, fn func(*nt.Dense) (*nt.Dense, error)) (*nt.Dense, error) {
	s := x.Shape()
	n, row := s[0], s.TotalSize()/s[0]
	src := nt.Data32(x)
	var out []float32
	var outShape []int
	for lo := 0; lo < n; lo += 500 {
		hi := min(lo+500, n)
		shape := append([]int{hi - lo}, s[1:]...)
		r, err := fn(nt.New32(src[lo*row:hi*row], shape...))
		if err != nil {
			return nil, err
		}
		out = append(out, nt.Data32(r)...)
		outShape = r.Shape()[1:]
	}
	return nt.New32(out, append([]int{n}, outShape...)...), nil
}
