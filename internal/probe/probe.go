// Package probe measures what a representation holds: a softmax
// (multinomial logistic) regression classifier trained on features, and
// PCA as the linear baseline of the same size. The models' packages use it
// to report held-out metrics beside their baselines.
package probe

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/neurolatent/neurolatent/decode"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// Classifier is a trained softmax regression on standardised features.
type Classifier struct {
	mean, scale []float64
	w           []float64 // [classes, D], row-major
	bias        []float64 // [classes]
	classes     int
}

// C is the inverse regularisation strength of the probe, scikit-learn's
// LogisticRegression default: the probe minimises
// sum_i -log p(y_i | x_i) + ||W||^2 / (2C), the bias unpenalised.
const C = 1.0

// MaxIter bounds the L-BFGS iterations of a probe; the probes here converge
// well before it.
const MaxIter = 5000

// TrainClassifier fits a multinomial logistic regression of labels
// (0..classes-1) on features [N, D] standardised with the training set's
// mean and standard deviation, the objective of scikit-learn's
// StandardScaler + LogisticRegression(C=1), minimised by L-BFGS to
// convergence (at most maxIter iterations). The objective is convex, so the
// probe's accuracy is a property of the features, not of the optimiser.
func TrainClassifier(features *nt.Dense, labels []int, classes, maxIter int) (*Classifier, error) {
	s := features.Shape()
	if len(s) != 2 || s[0] != len(labels) || s[0] == 0 {
		return nil, fmt.Errorf("probe: features %v for %d labels: want [N, D] with N = labels", s, len(labels))
	}
	if classes < 2 {
		return nil, fmt.Errorf("probe: %d classes", classes)
	}
	if maxIter < 1 {
		return nil, fmt.Errorf("probe: %d iterations", maxIter)
	}
	n, d := s[0], s[1]
	c := &Classifier{mean: make([]float64, d), scale: make([]float64, d), classes: classes}
	x := nt.Data32(features)
	for j := range d {
		var sum, sq float64
		for i := range n {
			sum += float64(x[i*d+j])
		}
		m := sum / float64(n)
		for i := range n {
			v := float64(x[i*d+j]) - m
			sq += v * v
		}
		sd := math.Sqrt(sq / float64(n))
		if sd < 1e-12 || math.IsNaN(sd) {
			sd = 1
		}
		c.mean[j], c.scale[j] = m, 1/sd
	}
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("probe: label %d of sample %d outside [0,%d)", l, i, classes)
		}
	}
	xs := c.standardise(x, n)
	k := classes
	nw := k * d
	// The objective is scaled by 1/n so that L-BFGS's gradient tolerance
	// does not depend on the sample count. Logits and gradients are matrix
	// products (X W^T and (P - Y)^T X), so the BLAS does the work.
	X := mat.NewDense(n, d, xs)
	logits := mat.NewDense(n, k, nil)
	gwm := mat.NewDense(k, d, nil)
	var lastTheta, lastGrad []float64
	var lastLoss float64
	obj := func(theta []float64) (float64, []float64) {
		if lastTheta != nil && floats.Equal(theta, lastTheta) {
			return lastLoss, lastGrad
		}
		w, b := theta[:nw], theta[nw:]
		grad := make([]float64, len(theta))
		gb := grad[nw:]
		logits.Mul(X, mat.NewDense(k, d, w).T())
		var loss float64
		raw := logits.RawMatrix()
		for i := range n {
			row := raw.Data[i*raw.Stride : i*raw.Stride+k]
			hi := math.Inf(-1)
			for c := range k {
				row[c] += b[c]
				hi = max(hi, row[c])
			}
			var z float64
			for c := range k {
				row[c] = math.Exp(row[c] - hi)
				z += row[c]
			}
			loss -= math.Log(row[labels[i]] / z)
			for c := range k {
				row[c] /= z
			}
			row[labels[i]]--
			for c := range k {
				gb[c] += row[c]
			}
		}
		gwm.Mul(logits.T(), X) // (P - Y)^T X
		gw := gwm.RawMatrix().Data
		inv := 1 / float64(n)
		for i, v := range w {
			loss += v * v / (2 * C)
			grad[i] = (gw[i] + v/C) * inv
		}
		for c := range gb {
			gb[c] *= inv
		}
		lastTheta, lastGrad, lastLoss = append(lastTheta[:0], theta...), grad, loss*inv
		return lastLoss, lastGrad
	}
	prob := optimize.Problem{
		Func: func(theta []float64) float64 { l, _ := obj(theta); return l },
		Grad: func(grad, theta []float64) { _, g := obj(theta); copy(grad, g) },
	}
	res, err := optimize.Minimize(prob, make([]float64, nw+k), &optimize.Settings{
		MajorIterations:   maxIter,
		GradientThreshold: 1e-9,
	}, &optimize.LBFGS{})
	if res == nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	// Running out of iterations, or a line search that can make no more
	// progress (float64 precision near the optimum, typical of separable
	// classes), still leaves the best point found: a usable probe.
	if err != nil && (math.IsNaN(res.F) || math.IsInf(res.F, 0)) {
		return nil, fmt.Errorf("probe: %w", err)
	}
	c.w = append([]float64(nil), res.X[:nw]...)
	c.bias = append([]float64(nil), res.X[nw:]...)
	return c, nil
}

func (c *Classifier) standardise(x []float32, n int) []float64 {
	d := len(c.mean)
	out := make([]float64, n*d)
	for i, v := range x[:n*d] {
		j := i % d
		out[i] = (float64(v) - c.mean[j]) * c.scale[j]
	}
	return out
}

// Weights returns the probe's coefficients [classes][D] (on standardised
// features) and biases.
func (c *Classifier) Weights() (w [][]float64, bias []float64) {
	d := len(c.mean)
	for k := range c.classes {
		w = append(w, append([]float64(nil), c.w[k*d:(k+1)*d]...))
	}
	return w, append([]float64(nil), c.bias...)
}

// Predict returns the most likely class of each row.
func (c *Classifier) Predict(features *nt.Dense) ([]int, error) {
	s := features.Shape()
	d := len(c.mean)
	if len(s) != 2 || s[1] != d {
		return nil, fmt.Errorf("probe: features %v, want [N, %d]", s, d)
	}
	xs := c.standardise(nt.Data32(features), s[0])
	pred := make([]int, s[0])
	for i := range pred {
		row := xs[i*d : (i+1)*d]
		best, bestV := 0, math.Inf(-1)
		for k := range c.classes {
			v := c.bias[k]
			for j, xv := range row {
				v += c.w[k*d+j] * xv
			}
			if v > bestV {
				best, bestV = k, v
			}
		}
		pred[i] = best
	}
	return pred, nil
}

// Accuracy is the fraction of rows classified as labelled.
func (c *Classifier) Accuracy(features *nt.Dense, labels []int) (float64, error) {
	pred, err := c.Predict(features)
	if err != nil {
		return 0, err
	}
	if len(pred) != len(labels) {
		return 0, fmt.Errorf("probe: %d predictions for %d labels", len(pred), len(labels))
	}
	ok := 0
	for i := range pred {
		if pred[i] == labels[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(pred)), nil
}

// PCA is decode's principal-component basis seen through tensors: samples
// [N, ...] are flattened per row.
type PCA struct{ *decode.PCA }

// FitPCA computes the top k components of x [N, ...] (flattened per row).
func FitPCA(x *nt.Dense, k int) (*PCA, error) {
	m, err := rows(x)
	if err != nil {
		return nil, err
	}
	p, err := decode.FitPCA(m, k)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	return &PCA{p}, nil
}

// rows copies samples [N, ...] into an N x D float64 matrix.
func rows(x *nt.Dense) (*mat.Dense, error) {
	s := x.Shape()
	if len(s) < 2 || s[0] < 2 {
		return nil, fmt.Errorf("probe: samples of shape %v: need at least 2", s)
	}
	n := s[0]
	src := nt.Data32(x)
	out := make([]float64, len(src))
	for i, v := range src {
		out[i] = float64(v)
	}
	return mat.NewDense(n, len(src)/n, out), nil
}

// toTensor copies a matrix into a float32 tensor of the given shape.
func toTensor(m *mat.Dense, shape ...int) *nt.Dense {
	r, c := m.Dims()
	out := make([]float32, 0, r*c)
	for i := range r {
		for _, v := range m.RawRowView(i) {
			out = append(out, float32(v))
		}
	}
	return nt.New32(out, shape...)
}

// Transform projects samples [N, ...] onto the components: [N, k] float32.
func (p *PCA) Transform(x *nt.Dense) (*nt.Dense, error) {
	m, err := rows(x)
	if err != nil {
		return nil, err
	}
	codes, err := p.PCA.Transform(m)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	n, k := codes.Dims()
	return toTensor(codes, n, k), nil
}

// Inverse maps codes [N, k] back to samples of the given shape per row.
func (p *PCA) Inverse(codes *nt.Dense, rowShape ...int) (*nt.Dense, error) {
	s := codes.Shape()
	k, d := p.Components.Dims()
	if len(s) != 2 || s[1] != k {
		return nil, fmt.Errorf("probe: codes %v for %d components", s, k)
	}
	if nt.Numel(rowShape) != d {
		return nil, fmt.Errorf("probe: row shape %v has %d values, PCA %d", rowShape, nt.Numel(rowShape), d)
	}
	src := nt.Data32(codes)
	c := make([]float64, len(src))
	for i, v := range src {
		c[i] = float64(v)
	}
	rec, err := p.PCA.Inverse(mat.NewDense(s[0], k, c))
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	return toTensor(rec, append([]int{s[0]}, rowShape...)...), nil
}

// PixelCorrelation is the mean over samples of the Pearson correlation
// between each original and its reconstruction (PixCorr).
func PixelCorrelation(orig, rec *nt.Dense) (float64, error) {
	so, sr := orig.Shape(), rec.Shape()
	if so.TotalSize() != sr.TotalSize() || len(so) < 2 || so[0] != sr[0] {
		return 0, fmt.Errorf("probe: originals %v and reconstructions %v differ", so, sr)
	}
	n := so[0]
	d := so.TotalSize() / n
	a, b := nt.Data32(orig), nt.Data32(rec)
	var total float64
	for i := range n {
		total += pearson(a[i*d:(i+1)*d], b[i*d:(i+1)*d])
	}
	return total / float64(n), nil
}

func pearson(a, b []float32) float64 {
	var ma, mb float64
	for i := range a {
		ma += float64(a[i])
		mb += float64(b[i])
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		x, y := float64(a[i])-ma, float64(b[i])-mb
		sab += x * y
		saa += x * x
		sbb += y * y
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// HeldOutAccuracy fits a probe on (xTrain, yTrain) and returns its accuracy
// on (xTest, yTest).
func HeldOutAccuracy(xTrain *nt.Dense, yTrain []int, xTest *nt.Dense, yTest []int, classes int) (float64, error) {
	clf, err := TrainClassifier(xTrain, yTrain, classes, MaxIter)
	if err != nil {
		return 0, err
	}
	return clf.Accuracy(xTest, yTest)
}

// PCABaseline is the linear baseline of a learned code of size k: PCA
// fitted on the training images, with the held-out reconstruction pixel
// correlation and the held-out accuracy of a linear probe on the PCA
// codes. Images are [N, C, H, W]; labels run 0..classes-1.
//
// With fewer training samples (or features) than k, the baseline keeps as
// many components as the data have.
func PCABaseline(xTrain *nt.Dense, yTrain []int, xTest *nt.Dense, yTest []int, k, classes int) (pixCorr, accuracy float64, err error) {
	if s := xTrain.Shape(); len(s) >= 2 && s[0] > 0 {
		k = min(k, s[0], s.TotalSize()/s[0])
	}
	pca, err := FitPCA(xTrain, k)
	if err != nil {
		return 0, 0, err
	}
	codesTrain, err := pca.Transform(xTrain)
	if err != nil {
		return 0, 0, err
	}
	codesTest, err := pca.Transform(xTest)
	if err != nil {
		return 0, 0, err
	}
	s := xTest.Shape()
	rec, err := pca.Inverse(codesTest, s[1:]...)
	if err != nil {
		return 0, 0, err
	}
	if pixCorr, err = PixelCorrelation(xTest, rec); err != nil {
		return 0, 0, err
	}
	accuracy, err = HeldOutAccuracy(codesTrain, yTrain, codesTest, yTest, classes)
	return pixCorr, accuracy, err
}
