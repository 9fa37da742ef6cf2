package ridge_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/decode/ridge"
	nt "github.com/neurolatent/neurolatent/tensor"
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

// Fit the betas of a .npy file without loading it: FitColumns reads it in
// blocks of columns (voxels) and gives Fit's model.
func ExampleFitColumns() {
	rng := rand.New(rand.NewPCG(5, 6))
	n, voxels := 40, 3000
	x := make([]float32, n*voxels)
	z := mat.NewDense(n, 1, nil) // one latent dimension, driving every voxel
	for i := range n {
		z.Set(i, 0, rng.NormFloat64())
		for j := range voxels {
			x[i*voxels+j] = float32(z.At(i, 0)*math.Sin(float64(j)) + 8*rng.NormFloat64())
		}
	}
	dir, err := os.MkdirTemp("", "ridge")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "betas.npy")
	if err := nt.SaveNPY(path, nt.New32(x, n, voxels)); err != nil {
		log.Fatal(err)
	}
	betas, err := nt.OpenNPYMatrix(path)
	if err != nil {
		log.Fatal(err)
	}
	defer betas.Close()
	cfg := ridge.Config{Alphas: ridge.LogSpace(0, 8, 9)}
	streamed, err := ridge.FitColumns(betas, z, cfg)
	if err != nil {
		log.Fatal(err)
	}
	// The same fit on the matrix in memory.
	inMemory := mat.NewDense(n, voxels, nil)
	for i, v := range x {
		inMemory.RawMatrix().Data[i] = float64(v)
	}
	m, err := ridge.Fit(inMemory, z, cfg)
	if err != nil {
		log.Fatal(err)
	}
	var diff mat.Dense
	diff.Sub(streamed.Coef, m.Coef)
	fmt.Printf("alpha %g (in memory %g), largest coefficient difference %g\n", streamed.Alpha[0], m.Alpha[0], mat.Norm(&diff, math.Inf(1)))
	// Output:
	// alpha 1 (in memory 1), largest coefficient difference 0
}
