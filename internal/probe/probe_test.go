package probe

import (
	"math"
	"math/rand/v2"
	"testing"

	nt "github.com/neurolatent/neurolatent/tensor"
)

func TestClassifierSeparatesClasses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n, d, k := 600, 5, 3
	x := make([]float32, n*d)
	labels := make([]int, n)
	for i := range n {
		labels[i] = i % k
		for j := range d {
			v := float32(r.NormFloat64()*0.3) + 100 // the offset exercises standardisation
			if labels[i] == j%k {
				v += 5
			}
			x[i*d+j] = v
		}
	}
	c, err := TrainClassifier(nt.New32(x, n, d), labels, k, 200)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Accuracy(nt.New32(x, n, d), labels)
	if err != nil || acc < 0.99 {
		t.Fatalf("accuracy %g, %v", acc, err)
	}
	if _, err := TrainClassifier(nt.New32(x, n, d), labels[:10], k, 1); err == nil {
		t.Fatal("mismatched labels accepted")
	}
	bad := append([]int(nil), labels...)
	bad[3] = 7
	if _, err := TrainClassifier(nt.New32(x, n, d), bad, k, 1); err == nil {
		t.Fatal("label out of range accepted")
	}
}

func TestPCA(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, d := 400, 6
	// Two strong directions plus small noise.
	x := make([]float32, n*d)
	for i := range n {
		a, b := r.NormFloat64()*5, r.NormFloat64()*2
		for j := range d {
			x[i*d+j] = float32(a*math.Sin(float64(j)) + b*math.Cos(float64(j)) + 0.01*r.NormFloat64() + 3)
		}
	}
	data := nt.New32(x, n, d)
	p, err := FitPCA(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !(p.Variance[0] > p.Variance[1] && p.Variance[1] > 1) {
		t.Fatalf("variances %v", p.Variance)
	}
	codes, _ := p.Transform(data)
	rec, err := p.Inverse(codes, d)
	if err != nil {
		t.Fatal(err)
	}
	corr, _ := PixelCorrelation(data, rec)
	if corr < 0.999 {
		t.Fatalf("rank-2 data rebuilt from 2 components: correlation %g", corr)
	}
	// Components are orthonormal.
	for a := range 2 {
		for b := range 2 {
			var dot float64
			for j := range d {
				dot += p.Components.At(a, j) * p.Components.At(b, j)
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(dot-want) > 1e-9 {
				t.Fatalf("components %d,%d dot %g", a, b, dot)
			}
		}
	}
	if _, err := FitPCA(data, d+1); err == nil {
		t.Fatal("too many components accepted")
	}
}

// The probe solves scikit-learn's problem: StandardScaler +
// LogisticRegression(C=1) on the golden data of
// scripts/golden/probe_logreg.py reaches the same coefficients and the
// same test predictions.
func TestClassifierMatchesScikitLearn(t *testing.T) {
	g, err := nt.LoadNPZ("../../testdata/golden/probe/logreg.npz")
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) *nt.Dense {
		v, ok := g.Get(k)
		if !ok {
			t.Fatalf("golden lacks %s", k)
		}
		return v
	}
	ints := func(k string) []int {
		v, err := nt.ToFloat64(get(k))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int, 0, len(nt.Data64(v)))
		for _, x := range nt.Data64(v) {
			out = append(out, int(x))
		}
		return out
	}
	coef, _ := nt.ToFloat64(get("coef"))
	icpt, _ := nt.ToFloat64(get("intercept"))
	k := len(nt.Data64(icpt))
	c, err := TrainClassifier(get("x_train"), ints("y_train"), k, MaxIter)
	if err != nil {
		t.Fatal(err)
	}
	w, b := c.Weights()
	d := len(w[0])
	var worst float64
	for i := range k {
		for j := range d {
			worst = math.Max(worst, math.Abs(w[i][j]-nt.Data64(coef)[i*d+j]))
		}
	}
	// Intercepts are unpenalised, so fixed only up to a common shift.
	centre := func(v []float64) []float64 {
		var m float64
		for _, x := range v {
			m += x / float64(len(v))
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x - m
		}
		return out
	}
	gb, wb := centre(b), centre(nt.Data64(icpt))
	for i := range gb {
		worst = math.Max(worst, math.Abs(gb[i]-wb[i]))
	}
	// scikit-learn's lbfgs stops with a gradient of about 4e-6 (scipy's
	// own stopping rules), which leaves its coefficients about 1e-5 from
	// the optimum; ours stop at 1e-9.
	if worst > 1e-4 {
		t.Errorf("coefficients differ from scikit-learn's by up to %g", worst)
	}
	pred, err := c.Predict(get("x_test"))
	if err != nil {
		t.Fatal(err)
	}
	want := ints("pred")
	for i := range pred {
		if pred[i] != want[i] {
			t.Errorf("test row %d: predicted %d, scikit-learn %d", i, pred[i], want[i])
		}
	}
}

// The PCA baseline keeps as many components as a small training set has,
// and scores a reconstruction of the data it was fitted on perfectly.
func TestPCABaselineSmallData(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	n, d := 12, 30
	x := make([]float32, n*d)
	labels := make([]int, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range labels {
		labels[i] = i % 2
	}
	xs := nt.New32(x, n, 1, 5, 6)
	pix, acc, err := PCABaseline(xs, labels, xs, labels, 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	if pix < 0.999 || acc < 0.99 {
		t.Errorf("pixel correlation %g, accuracy %g on the training data itself", pix, acc)
	}
}
