package nn

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// PowerStep runs one step of BigGAN-PyTorch's power iteration for the
// matrix W [rows, cols] (a weight reshaped to [out, in*kh*kw]) from the left
// singular vector estimate u [rows]:
//
//	v = normalize(u W); u' = normalize(v W^T); sigma = u' . (W v)
//
// where normalize(x) = x / max(|x|, eps). It returns sigma, u' and v.
func PowerStep[T ~float32 | ~float64](w []T, rows, cols int, u []T, eps float64) (sigma float64, uNew, v []float64) {
	v = make([]float64, cols)
	for i := range rows {
		ui := float64(u[i])
		row := w[i*cols : (i+1)*cols]
		for j, x := range row {
			v[j] += ui * float64(x)
		}
	}
	normalize(v, eps)
	wv := make([]float64, rows)
	for i := range rows {
		row := w[i*cols : (i+1)*cols]
		var s float64
		for j, x := range row {
			s += float64(x) * v[j]
		}
		wv[i] = s
	}
	uNew = append([]float64(nil), wv...)
	normalize(uNew, eps)
	for i := range rows {
		sigma += uNew[i] * wv[i]
	}
	return sigma, uNew, v
}

func normalize(x []float64, eps float64) {
	var n float64
	for _, v := range x {
		n += v * v
	}
	n = math.Max(math.Sqrt(n), eps)
	for i := range x {
		x[i] /= n
	}
}

// FoldSpectralNorm returns w / sigma with sigma from one power step started
// at the stored u [1,out], exactly as BigGAN-PyTorch computes it in eval
// mode (u is not changed). It is done once at load time for inference.
func FoldSpectralNorm(w, u *tensor.Dense, eps float64) (*tensor.Dense, error) {
	if w == nil || u == nil {
		return nil, fmt.Errorf("spectral norm: weight or u missing")
	}
	ws := w.Shape()
	if len(ws) < 1 || u.Shape().TotalSize() != ws[0] {
		return nil, fmt.Errorf("spectral norm: u %v does not match weight %v (want [1,%d])", u.Shape(), ws, ws[0])
	}
	rows := ws[0]
	cols := ws.TotalSize() / max(rows, 1)
	switch w.Dtype() {
	case tensor.Float32:
		uv, err := nt.ToFloat32(u)
		if err != nil {
			return nil, err
		}
		sigma, _, _ := PowerStep(nt.Data32(w), rows, cols, nt.Data32(uv), eps)
		src := nt.Data32(w)
		d := make([]float32, len(src))
		for i, x := range src {
			d[i] = float32(float64(x) / sigma)
		}
		return nt.New32(d, ws...), nil
	case tensor.Float64:
		uv, err := nt.ToFloat64(u)
		if err != nil {
			return nil, err
		}
		sigma, _, _ := PowerStep(nt.Data64(w), rows, cols, nt.Data64(uv), eps)
		src := nt.Data64(w)
		d := make([]float64, len(src))
		for i, x := range src {
			d[i] = x / sigma
		}
		return nt.New64(d, ws...), nil
	}
	return nil, fmt.Errorf("spectral norm: unsupported dtype %v", w.Dtype())
}

func int64Scalar(v int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(), tensor.WithBacking([]int64{v}))
}
