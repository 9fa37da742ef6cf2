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
