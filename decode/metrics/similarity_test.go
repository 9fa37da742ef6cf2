package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSimilarityAgreesWithPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, d := 15, 6
	pred, truth := mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			v := rng.NormFloat64()
			truth.Set(i, j, v)
			pred.Set(i, j, v+1.5*rng.NormFloat64())
		}
	}
	s, err := CorrelationSimilarity(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Pairwise(pred, truth)
	if got := s.Pairwise(all(n), nil); math.Abs(got-want) > 1e-12 {
		t.Fatalf("Similarity.Pairwise %v, Pairwise %v", got, want)
	}
	per := s.PairwisePerItem(nil)
	m, _ := Mean(per)
	if math.Abs(m-want) > 1e-12 {
		t.Fatalf("mean per-stimulus pairwise %v, want %v", m, want)
	}
	if top := s.TopK(n)(all(n), nil); top != 1 {
		t.Fatalf("top-%d of %d = %v, want 1", n, n, top)
	}
}

// Exact ties count 1/2 in pairwise identification and against the
// prediction in n-way identification.
func TestSimilarityTies(t *testing.T) {
	s := &Similarity{N: 3, S: []float64{
		0.5, 0.5, 0.1, // prediction 0: tied with stimulus 1
		0.2, 0.9, 0.3,
		0.4, 0.4, 0.4, // prediction 2: tied with both
	}}
	per := s.PairwisePerItem(nil)
	if per[0] != 0.75 || per[1] != 1 || per[2] != 0.5 {
		t.Fatalf("per-stimulus pairwise %v, want [0.75 1 0.5]", per)
	}
	if top := s.TopKPerItem(1); top[0] != 0 || top[1] != 1 || top[2] != 0 {
		t.Fatalf("top-1 %v, want [0 1 0]", top)
	}
	if m := s.Matched(all(3), []int{1, 2, 0}); math.Abs(m-(0.5+0.3+0.4)/3) > 1e-15 {
		t.Fatalf("matched under a permutation %v", m)
	}
	within := s.PairwiseWithin([]int{0, 0, 1})
	if w := within(all(3), nil); w != 0.75 {
		t.Fatalf("within-group pairwise %v, want (0.5 + 1) / 2", w)
	}
}

func TestSSIMMatrixEqualsSSIM(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	size := ImageSize{H: 14, W: 12}
	img := func() []float64 {
		x := make([]float64, size.H*size.W)
		for i := range x {
			x[i] = rng.Float64()
		}
		return x
	}
	a, b := [][]float64{img(), img(), img()}, [][]float64{img(), img(), img()}
	m, err := SSIMMatrix(a, b, size, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		for j := range b {
			want, _ := SSIM(a[i], b[j], size, 1)
			if got := m.S[i*3+j]; math.Abs(got-want) > 1e-12 {
				t.Fatalf("SSIMMatrix[%d,%d] = %v, SSIM %v", i, j, got, want)
			}
		}
	}
	if _, err := SSIMMatrix(a, b[:2], size, 1); err == nil {
		t.Fatal("3 predictions and 2 images accepted")
	}
}
