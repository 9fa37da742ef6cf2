package metrics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Pairwise returns the two-way identification accuracy of predictions
// against the truth (rows are samples): over all ordered pairs i != j, the
// fraction with corr(pred_i, truth_i) > corr(pred_i, truth_j), ties
// counting 1/2. A row whose correlation is undefined (a constant row)
// makes its comparisons ties. It needs 2 samples and 2 dimensions.
func Pairwise(pred, truth mat.Matrix) (float64, error) {
	n, d, err := checkPair(pred, truth, 2)
	if err != nil {
		return 0, err
	}
	if d < 2 {
		return 0, errDims(d)
	}
	rows := func(m mat.Matrix) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = mat.Row(nil, i, m)
		}
		return out
	}
	p, t := rows(pred), rows(truth)
	var correct float64
	for i := 0; i < n; i++ {
		own := pearson(p[i], t[i])
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			other := pearson(p[i], t[j])
			switch {
			case math.IsNaN(own) || math.IsNaN(other) || own == other:
				correct += 0.5
			case own > other:
				correct++
			}
		}
	}
	return correct / float64(n*(n-1)), nil
}

// PearsonPerDim returns, for each column, the Pearson correlation over
// samples of predictions and truth; NaN for a column where either is
// constant.
func PearsonPerDim(pred, truth mat.Matrix) ([]float64, error) {
	_, d, err := checkPair(pred, truth, 2)
	if err != nil {
		return nil, err
	}
	out := make([]float64, d)
	for j := range out {
		out[j] = pearson(mat.Col(nil, j, pred), mat.Col(nil, j, truth))
	}
	return out, nil
}

// R2PerDim returns, for each column, the coefficient of determination
// 1 - SS_res / SS_tot as scikit-learn's r2_score (multioutput=
// "raw_values"): a constant true column scores 1 when predicted exactly
// and 0 otherwise.
func R2PerDim(pred, truth mat.Matrix) ([]float64, error) {
	n, d, err := checkPair(pred, truth, 2)
	if err != nil {
		return nil, err
	}
	out := make([]float64, d)
	for j := range out {
		var mean float64
		for i := 0; i < n; i++ {
			mean += truth.At(i, j)
		}
		mean /= float64(n)
		var res, tot float64
		for i := 0; i < n; i++ {
			t := truth.At(i, j)
			e := t - pred.At(i, j)
			res += e * e
			tot += (t - mean) * (t - mean)
		}
		switch {
		case tot != 0:
			out[j] = 1 - res/tot
		case res == 0:
			out[j] = 1
		default:
			out[j] = 0
		}
	}
	return out, nil
}

// Mean returns the mean of the values that are not NaN and how many there
// were.
func Mean(v []float64) (float64, int) {
	var s float64
	k := 0
	for _, x := range v {
		if !math.IsNaN(x) {
			s += x
			k++
		}
	}
	if k == 0 {
		return math.NaN(), 0
	}
	return s / float64(k), k
}
