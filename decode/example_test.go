package decode_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/metrics"
	"gonum.org/v1/gonum/mat"
)

// Encoding-model inversion: fit how 200 voxels respond to 8 latent
// dimensions, then decode new responses by least squares.
func ExampleFitEncoder() {
	rng := rand.New(rand.NewPCG(7, 7))
	randm := func(r, c int, s float64) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range m.RawMatrix().Data {
			m.RawMatrix().Data[i] = s * rng.NormFloat64()
		}
		return m
	}
	w := randm(8, 200, 1)
	respond := func(z *mat.Dense) *mat.Dense {
		var y mat.Dense
		y.Mul(z, w)
		y.Add(&y, randm(y.RawMatrix().Rows, 200, 2)) // noise
		return &y
	}
	zTrain, zTest := randm(300, 8, 1), randm(20, 8, 1)
	enc, err := decode.FitEncoder(zTrain, respond(zTrain), 1)
	if err != nil {
		log.Fatal(err)
	}
	zHat, err := enc.Decode(respond(zTest))
	if err != nil {
		log.Fatal(err)
	}
	acc, _ := metrics.Pairwise(zHat, zTest)
	fmt.Printf("pairwise identification %.2f\n", acc)
	// Output: pairwise identification 1.00
}

// The randomized PCA (scikit-learn's default solver on large data) finds
// the same leading components as the exact one where the spectrum falls
// away from them, at a fixed cost.
func ExampleFitPCAWith() {
	// 300 samples of 60 features: three strong directions over noise.
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(300, 60, nil)
	for i := range 300 {
		for j := range 60 {
			x.Set(i, j, 0.1*rng.NormFloat64())
		}
		for c := range 3 {
			x.Set(i, 2*c, x.At(i, 2*c)+float64(3-c)*rng.NormFloat64())
		}
	}
	exact, err := decode.FitPCA(x, 3)
	if err != nil {
		log.Fatal(err)
	}
	fast, err := decode.FitPCAWith(x, 3, decode.PCAOptions{Solver: decode.PCARandomized, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	for c := range 3 {
		cos := mat.Dot(exact.Components.RowView(c), fast.Components.RowView(c))
		fmt.Printf("component %d: variance %.3f (exact %.3f), cosine with the exact one %.4f\n", c, fast.Variance[c], exact.Variance[c], cos)
	}
	// Output:
	// component 0: variance 8.565 (exact 8.565), cosine with the exact one 1.0000
	// component 1: variance 4.022 (exact 4.022), cosine with the exact one 1.0000
	// component 2: variance 1.164 (exact 1.164), cosine with the exact one 1.0000
}
