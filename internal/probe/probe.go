// Package probe measures what a representation holds: a softmax
// (multinomial logistic) regression classifier trained on features, and
// PCA as the linear baseline of the same size. The models' packages use it
// to report held-out metrics beside their baselines.
package probe

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Classifier is a trained softmax regression on standardised features.
type Classifier struct {
	mean, scale []float32
	lin         *nn.Linear
	classes     int
}

// TrainClassifier fits a softmax regression of labels (0..classes-1) on
// features [N, D] by full-batch Adam with a small L2 penalty. Features are
// standardised with the training set's mean and standard deviation.
func TrainClassifier(features *nt.Dense, labels []int, classes, steps int) (*Classifier, error) {
	s := features.Shape()
	if len(s) != 2 || s[0] != len(labels) || s[0] == 0 {
		return nil, fmt.Errorf("probe: features %v for %d labels: want [N, D] with N = labels", s, len(labels))
	}
	if classes < 2 {
		return nil, fmt.Errorf("probe: %d classes", classes)
	}
	n, d := s[0], s[1]
	c := &Classifier{mean: make([]float32, d), scale: make([]float32, d), classes: classes}
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
		if sd < 1e-8 {
			sd = 1
		}
		c.mean[j], c.scale[j] = float32(m), float32(1/sd)
	}
	onehot := make([]float32, n*classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("probe: label %d of sample %d outside [0,%d)", l, i, classes)
		}
		onehot[i*classes+l] = 1
	}
	c.lin = nn.NewLinear(nn.NewInit(1), d, classes, true)
	for i := range nt.Data32(c.lin.Weight.Value) {
		nt.Data32(c.lin.Weight.Value)[i] = 0
	}
	xs := c.standardise(features)
	y := nt.New32(onehot, n, classes)
	fit := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		p := b.Softmax(c.lin.Forward(b, in[0]), -1)
		nll := nn.Neg(b, nn.Scale(b, nn.Sum(b, nn.Mul(b, in[1], nn.Log(b, nn.AddScalar(b, p, 1e-12)))), 1/float64(n)))
		l2 := nn.Scale(b, nn.Sum(b, nn.Square(b, b.Param(c.lin.Weight))), 1e-4)
		return []nn.Tensor{nn.Add(b, nll, l2)}
	}, graph.Training())
	opt := optim.NewAdam(nn.Params(c.lin), 0.05)
	for range steps {
		if _, err := fit.Run(xs, y); err != nil {
			return nil, err
		}
		if err := opt.Step(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Classifier) standardise(features *nt.Dense) *nt.Dense {
	s := features.Shape()
	d := s[1]
	src := nt.Data32(features)
	out := make([]float32, len(src))
	for i, v := range src {
		j := i % d
		out[i] = (v - c.mean[j]) * c.scale[j]
	}
	return nt.New32(out, s[0], d)
}

// Predict returns the most likely class of each row.
func (c *Classifier) Predict(features *nt.Dense) ([]int, error) {
	s := features.Shape()
	if len(s) != 2 || s[1] != len(c.mean) {
		return nil, fmt.Errorf("probe: features %v, want [N, %d]", s, len(c.mean))
	}
	out, err := graph.Compile(func(b nn.Backend, in []nn.Tensor) []nn.Tensor {
		return []nn.Tensor{c.lin.Forward(b, in[0])}
	}).Run(c.standardise(features))
	if err != nil {
		return nil, err
	}
	logits := nt.Data32(out[0])
	pred := make([]int, s[0])
	for i := range pred {
		best := 0
		for k := 1; k < c.classes; k++ {
			if logits[i*c.classes+k] > logits[i*c.classes+best] {
				best = k
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

// PCA is a principal-component basis of flattened samples.
type PCA struct {
	Mean       []float64
	Components *mat.Dense // [k, D], rows are unit eigenvectors, largest variance first
	Variance   []float64  // explained variance of each component
}

// FitPCA computes the top k components of x [N, ...] (flattened per row).
func FitPCA(x *nt.Dense, k int) (*PCA, error) {
	s := x.Shape()
	if len(s) < 2 || s[0] < 2 {
		return nil, fmt.Errorf("probe: PCA of shape %v: need at least 2 samples", s)
	}
	n := s[0]
	d := s.TotalSize() / n
	if k < 1 || k > d {
		return nil, fmt.Errorf("probe: %d components for %d dimensions", k, d)
	}
	src := nt.Data32(x)
	mean := make([]float64, d)
	for i := range n {
		for j := range d {
			mean[j] += float64(src[i*d+j])
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, d, nil)
	for i := range n {
		row := centred.RawRowView(i)
		for j := range d {
			row[j] = float64(src[i*d+j]) - mean[j]
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), centred.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, errors.New("probe: PCA eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	comps := mat.NewDense(k, d, nil)
	variance := make([]float64, k)
	for c := range k {
		col := d - 1 - c // ascending eigenvalues
		variance[c] = vals[col]
		for j := range d {
			comps.Set(c, j, vecs.At(j, col))
		}
	}
	return &PCA{Mean: mean, Components: comps, Variance: variance}, nil
}

// Transform projects samples [N, ...] onto the components: [N, k] float32.
func (p *PCA) Transform(x *nt.Dense) (*nt.Dense, error) {
	k, d := p.Components.Dims()
	s := x.Shape()
	if len(s) < 2 || s.TotalSize()/s[0] != d {
		return nil, fmt.Errorf("probe: samples %v for a PCA of %d dimensions", s, d)
	}
	n := s[0]
	src := nt.Data32(x)
	centred := mat.NewDense(n, d, nil)
	for i := range n {
		row := centred.RawRowView(i)
		for j := range d {
			row[j] = float64(src[i*d+j]) - p.Mean[j]
		}
	}
	var codes mat.Dense
	codes.Mul(centred, p.Components.T())
	out := make([]float32, n*k)
	for i := range n {
		for j := range k {
			out[i*k+j] = float32(codes.At(i, j))
		}
	}
	return nt.New32(out, n, k), nil
}

// Inverse maps codes [N, k] back to samples of the given shape per row.
func (p *PCA) Inverse(codes *nt.Dense, rowShape ...int) (*nt.Dense, error) {
	k, d := p.Components.Dims()
	s := codes.Shape()
	if len(s) != 2 || s[1] != k {
		return nil, fmt.Errorf("probe: codes %v for %d components", s, k)
	}
	if nt.Numel(rowShape) != d {
		return nil, fmt.Errorf("probe: row shape %v has %d values, PCA %d", rowShape, nt.Numel(rowShape), d)
	}
	n := s[0]
	src := nt.Data32(codes)
	c := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k {
			c.Set(i, j, float64(src[i*k+j]))
		}
	}
	var rec mat.Dense
	rec.Mul(c, p.Components)
	out := make([]float32, n*d)
	for i := range n {
		for j := range d {
			out[i*d+j] = float32(rec.At(i, j) + p.Mean[j])
		}
	}
	return nt.New32(out, append([]int{n}, rowShape...)...), nil
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
