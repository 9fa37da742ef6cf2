package decode

import (
	"fmt"

	"github.com/neurolatent/neurolatent/decode/ridge"
	"gonum.org/v1/gonum/mat"
)

// Encoder is a linear encoding model, voxels = [latents, 1] W, that is
// inverted to decode (VanRullen & Reddy 2019): W has one row per latent
// dimension plus a last row of voxel intercepts, one column per voxel.
// Decode only reads it: safe for concurrent use as long as no goroutine
// modifies W.
type Encoder struct {
	W *mat.Dense
}

// FitEncoder fits W from training latents z (samples x dimensions) and
// voxel responses y (samples x voxels) by least squares (alpha = 0) or
// ridge with the given alpha on the latent weights (the intercepts are not
// penalised).
func FitEncoder(z, y *mat.Dense, alpha float64) (*Encoder, error) {
	n, k := z.Dims()
	ny, v := y.Dims()
	if n != ny {
		return nil, fmt.Errorf("decode: %d latent rows, %d voxel rows", n, ny)
	}
	if alpha < 0 {
		return nil, fmt.Errorf("decode: negative alpha %v", alpha)
	}
	w := mat.NewDense(k+1, v, nil)
	if alpha == 0 {
		if n < k+1 {
			return nil, fmt.Errorf("decode: %d samples cannot determine %d latent weights and an intercept; use alpha > 0", n, k)
		}
		za := mat.NewDense(n, k+1, nil)
		for i := 0; i < n; i++ {
			copy(za.RawRowView(i), z.RawRowView(i))
			za.Set(i, k, 1)
		}
		if err := checkFullRank(za); err != nil {
			return nil, err
		}
		var qr mat.QR
		qr.Factorize(za)
		if err := qr.SolveTo(w, false, y); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		return &Encoder{W: w}, nil
	}
	m, err := ridge.FitAlpha(z, y, []float64{alpha}, false, ridge.Auto)
	if err != nil {
		return nil, err
	}
	w.Slice(0, k, 0, v).(*mat.Dense).Copy(m.Coef)
	w.SetRow(k, m.Intercept)
	return &Encoder{W: w}, nil
}

// Decode returns, for each row y of voxel responses, the latents whose
// encoding best fits it in least squares: [z; 1] = (W W^T)^-1 W y, the
// last (intercept) entry dropped. W W^T must be invertible, which needs
// at least as many voxels as latent dimensions + 1 and encoding weights
// that are not collinear.
func (e *Encoder) Decode(y *mat.Dense) (*mat.Dense, error) {
	k1, v := e.W.Dims()
	n, vy := y.Dims()
	if vy != v {
		return nil, fmt.Errorf("decode: responses have %d voxels, the encoder %d", vy, v)
	}
	if v < k1 {
		return nil, fmt.Errorf("decode: %d voxels cannot determine %d latent dimensions and an intercept", v, k1-1)
	}
	var wwt mat.SymDense
	wwt.SymOuterK(1, e.W)
	var ch mat.Cholesky
	if !ch.Factorize(&wwt) {
		return nil, fmt.Errorf("decode: W W^T is singular: the encoding weights of some latent dimensions are collinear")
	}
	var wy mat.Dense
	wy.Mul(e.W, y.T()) // (k+1) x n
	var zt mat.Dense
	if err := ch.SolveTo(&zt, &wy); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	out := mat.NewDense(n, k1-1, nil)
	out.Copy(zt.Slice(0, k1-1, 0, n).T())
	return out, nil
}

// checkFullRank reports a design whose columns are linearly dependent.
func checkFullRank(a *mat.Dense) error {
	var qr mat.QR
	qr.Factorize(a)
	var r mat.Dense
	qr.RTo(&r)
	_, k := a.Dims()
	var maxd float64
	for j := 0; j < k; j++ {
		if d := abs(r.At(j, j)); d > maxd {
			maxd = d
		}
	}
	for j := 0; j < k; j++ {
		if abs(r.At(j, j)) <= 1e-10*maxd {
			if j == k-1 {
				return fmt.Errorf("decode: the latents span the constant: the intercept is not identifiable; use alpha > 0")
			}
			return fmt.Errorf("decode: latent dimension %d is a linear combination of the others; use alpha > 0", j)
		}
	}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
