package bigbigan

import (
	"fmt"
	"slices"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/probe"
)

// Metrics are held-out measurements of a trained BigBiGAN's encoder beside
// the PCA baseline of the same size. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type Metrics struct {
	Latent     int `json:"latent"`
	TrainCount int `json:"train_images"` // images the probe and PCA were fitted on
	TestCount  int `json:"test_images"`
	// ProbeAccuracy is the test accuracy of a softmax regression of the
	// labels on the encoder's mean mu(x), fitted on the training images.
	ProbeAccuracy float64 `json:"probe_accuracy"`
	// FeatureProbeAccuracy is the same on the trunk's pooled features
	// (Encoder.Features), the representation BigBiGAN's paper evaluates.
	FeatureProbeAccuracy float64 `json:"feature_probe_accuracy"`
	FeatureDim           int     `json:"feature_dim"`
	// PixCorr is the mean Pearson correlation between each test image and
	// its reconstruction G(mu(x)). A BiGAN reconstructs semantically, not
	// pixel by pixel, so this is much lower than an autoencoder's.
	PixCorr float64 `json:"pixcorr"`
	// The same two measures for PCA with Latent components.
	PCAProbeAccuracy float64 `json:"pca_probe_accuracy"`
	PCAPixCorr       float64 `json:"pca_pixcorr"`
}

// Evaluate fits a linear probe on mu(x) of the train images and measures
// it, and the reconstructions G(mu(x)), on the test images, beside PCA.
// Both datasets must be labelled (classes 0..max label), in [0, 1] as
// package dataset stores them.
func Evaluate(v *BiGAN, train, test *dataset.Memory) (Metrics, error) {
	m := Metrics{Latent: v.cfg.Gen.Latent(), TrainCount: train.Len(), TestCount: test.Len()}
	xTrain, yTrain, err := (&dataset.Loader{Data: train, MinusOneOne: true}).All()
	if err != nil {
		return m, err
	}
	xTest, yTest, err := (&dataset.Loader{Data: test, MinusOneOne: true}).All()
	if err != nil {
		return m, err
	}
	if slices.Min(yTrain) < 0 || slices.Min(yTest) < 0 {
		return m, fmt.Errorf("bigbigan: evaluation needs labelled images")
	}
	classes := max(slices.Max(yTrain), slices.Max(yTest)) + 1
	muTrain, _, err := v.Encode(xTrain)
	if err != nil {
		return m, err
	}
	muTest, _, err := v.Encode(xTest)
	if err != nil {
		return m, err
	}
	if m.ProbeAccuracy, err = probe.HeldOutAccuracy(muTrain, yTrain, muTest, yTest, classes); err != nil {
		return m, err
	}
	fTrain, err := v.Features(xTrain)
	if err != nil {
		return m, err
	}
	fTest, err := v.Features(xTest)
	if err != nil {
		return m, err
	}
	m.FeatureDim = fTrain.Shape()[1]
	if m.FeatureProbeAccuracy, err = probe.HeldOutAccuracy(fTrain, yTrain, fTest, yTest, classes); err != nil {
		return m, err
	}
	rec, err := v.Generate(muTest)
	if err != nil {
		return m, err
	}
	if m.PixCorr, err = probe.PixelCorrelation(xTest, rec); err != nil {
		return m, err
	}

	m.PCAPixCorr, m.PCAProbeAccuracy, err = probe.PCABaseline(xTrain, yTrain, xTest, yTest, m.Latent, classes)
	return m, err
}
