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
