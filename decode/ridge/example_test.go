package ridge_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/neurolatent/neurolatent/decode/ridge"
	"gonum.org/v1/gonum/mat"
)

// Decode 3 latent dimensions from 500 noisy "voxels" with 80 training
// trials: leave-one-out picks an alpha per dimension, as scikit-learn's
// RidgeCV(alphas, alpha_per_target=True); the weakly encoded dimension
// gets the strongest regularisation.
func ExampleFit() {
	rng := rand.New(rand.NewPCG(1, 2))
	n, voxels, dims := 100, 500, 3
	z := mat.NewDense(n, dims, nil) // latents
	w := mat.NewDense(dims, voxels, nil)
	for i := range z.RawMatrix().Data {
		z.RawMatrix().Data[i] = rng.NormFloat64()
	}
	for i := range w.RawMatrix().Data {
		w.RawMatrix().Data[i] = rng.NormFloat64()
	}
	// Voxel responses = latents W + noise; the later latent dimensions
	// drive the voxels more weakly.
	var x mat.Dense
	zs := mat.DenseCopyOf(z)
	for i := 0; i < n; i++ {
		zs.Set(i, 1, zs.At(i, 1)/3)
		zs.Set(i, 2, zs.At(i, 2)/8)
	}
	x.Mul(zs, w)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] += 2 * rng.NormFloat64()
	}
	train := func(m *mat.Dense) *mat.Dense { return mat.DenseCopyOf(m.Slice(0, 80, 0, m.RawMatrix().Cols)) }
	test := func(m *mat.Dense) *mat.Dense { return mat.DenseCopyOf(m.Slice(80, n, 0, m.RawMatrix().Cols)) }

	model, err := ridge.Fit(train(&x), train(z), ridge.Config{Alphas: ridge.LogSpace(0, 6, 7), PerTarget: true})
	if err != nil {
		log.Fatal(err)
	}
	pred, err := model.Predict(test(&x))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("form:", model.Mode, "alphas:", model.Alpha)
	truth := test(z)
	for j := 0; j < dims; j++ {
		var errSum, varSum float64
		for i := 0; i < 20; i++ {
			d := pred.At(i, j) - truth.At(i, j)
			errSum += d * d
			varSum += truth.At(i, j) * truth.At(i, j)
		}
		fmt.Printf("dimension %d: test R^2 %.2f\n", j, 1-errSum/varSum)
	}
	// Output:
	// form: dual alphas: [1 1 1000]
	// dimension 0: test R^2 0.99
	// dimension 1: test R^2 0.73
	// dimension 2: test R^2 0.08
}
