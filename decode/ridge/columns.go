package ridge

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Columns is training data X (samples by features) read in blocks of
// columns, so that X need not be in memory: tensor.NPYMatrix reads a .npy
// file from disk this way. Blocks are read in order, three times (means,
// Gram matrix, coefficients).
type Columns interface {
	// Dims returns the numbers of samples and features.
	Dims() (rows, cols int)
	// ReadColumns fills dst[:rows*w] with features j0 to j0+w-1 of every
	// sample, row-major with stride w.
	ReadColumns(dst []float64, j0, w int) error
}

// streamBlockBytes is the memory FitColumns gives to one block of X's
// columns (rounded to whole multiples of the in-memory fit's 512-column
// blocks, at least one); a variable so that tests can make it small.
var streamBlockBytes = 256 << 20

// FitColumns is Fit's leave-one-out fit in the dual form for training
// data read in blocks of columns: for decoding from more voxels than fit
// in memory (a whole brain at high resolution). Its large allocations are
// the n-by-n Gram matrix (8 n^2 bytes, twice during the fit), the p-by-d
// coefficients and one block of X (256 MiB).
// X is read three times; its values are accumulated in float64 whatever
// their storage. The numbers are Fit's, in the same order of operations:
// on data that fit in memory the two agree to rounding (tested to 1e-10
// relative).
//
// Only leave-one-out (Folds 0, no FoldOf) in the dual form (Mode Auto or
// Dual) on the CPU is supported; other configurations are refused.
func FitColumns(x Columns, y *mat.Dense, cfg Config) (*Model, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Folds != 0 || cfg.FoldOf != nil || cfg.Mode == Primal || cfg.Device != nil {
		return nil, fmt.Errorf("ridge: FitColumns fits leave-one-out in the dual form on the CPU only (Folds 0, no FoldOf, Mode Auto or Dual, no Device)")
	}
	if x == nil || y == nil {
		return nil, fmt.Errorf("ridge: nil X or Y")
	}
	n, p := x.Dims()
	ny, d := y.Dims()
	switch {
	case n != ny:
		return nil, fmt.Errorf("ridge: X has %d rows (samples), Y has %d", n, ny)
	case n < 3:
		return nil, fmt.Errorf("ridge: %d samples; this fit needs at least 3", n)
	case p == 0 || d == 0:
		return nil, fmt.Errorf("ridge: X is %dx%d, Y is %dx%d: no features or no targets", n, p, ny, d)
	}
	if err := checkFinite("Y", y); err != nil {
		return nil, err
	}
	s := &columnStream{x: x, n: n, p: p}
	pr, err := s.prepare(y, !cfg.NoIntercept)
	if err != nil {
		return nil, err
	}
	k := make([]float64, n*n)
	impl := blas64.Implementation()
	if err := s.blocks(pr.xMean, func(b []float64, lda, w, _ int) {
		impl.Dsyrk(blas.Upper, blas.NoTrans, n, w, 1, b, lda, 1, k, n)
	}); err != nil {
		return nil, err
	}
	c, best, scores, err := looDualGram(k, pr, cfg.Alphas, cfg.PerTarget)
	if err != nil {
		return nil, err
	}
	k = nil
	coef := mat.NewDense(p, d, nil)
	raw := coef.RawMatrix().Data
	if err := s.blocks(pr.xMean, func(b []float64, lda, w, j0 int) {
		impl.Dgemm(blas.Trans, blas.NoTrans, w, d, n, 1, b, lda, c, d, 0, raw[j0*d:], d)
	}); err != nil {
		return nil, err
	}
	return finish(pr, coef, cfg.Alphas, best, scores, Dual), nil
}

// columnStream reads X in wide blocks and hands them on in the in-memory
// fit's 512-column blocks, so that both sum in the same order.
type columnStream struct {
	x    Columns
	n, p int
	buf  []float64
}

// width is the number of columns read at once.
func (s *columnStream) width() int {
	w := streamBlockBytes / (8 * s.n) / blockCols * blockCols
	return min(max(w, blockCols), s.p)
}

// read fills the buffer with columns j0..j0+w-1 and checks them.
func (s *columnStream) read(j0, w int) ([]float64, error) {
	if cap(s.buf) < s.n*w {
		s.buf = make([]float64, s.n*s.width())
	}
	b := s.buf[:s.n*w]
	if err := s.x.ReadColumns(b, j0, w); err != nil {
		return nil, fmt.Errorf("ridge: reading X's columns %d..%d: %w", j0, j0+w-1, err)
	}
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("ridge: X[%d, %d] is %v", i/w, j0+i%w, v)
		}
	}
	return b, nil
}

// prepare makes the fit's centred targets and, with an intercept, X's
// column means (summed over samples in order, as columnMeans does).
func (s *columnStream) prepare(y *mat.Dense, intercept bool) (*prepared, error) {
	_, d := y.Dims()
	pr := &prepared{n: s.n, p: s.p, d: d, yc: make([]float64, s.n*d)}
	if intercept {
		pr.xMean, pr.yMean = make([]float64, s.p), columnMeans(y)
	}
	for j0 := 0; j0 < s.p; j0 += s.width() {
		w := min(s.width(), s.p-j0)
		b, err := s.read(j0, w)
		if err != nil {
			return nil, err
		}
		if !intercept {
			continue
		}
		mean := pr.xMean[j0 : j0+w]
		for i := range s.n {
			for j, v := range b[i*w : (i+1)*w] {
				mean[j] += v
			}
		}
		for j := range mean {
			mean[j] /= float64(s.n)
		}
	}
	for i := range s.n {
		row := pr.yc[i*d : (i+1)*d]
		copy(row, y.RawRowView(i))
		if intercept {
			for j := range row {
				row[j] -= pr.yMean[j]
			}
		}
	}
	return pr, nil
}

// blocks calls f with each 512-column block of X minus mean (nil: none):
// a view of the wide block read, with leading dimension lda, its width
// and its first column.
func (s *columnStream) blocks(mean []float64, f func(b []float64, lda, w, j0 int)) error {
	for j0 := 0; j0 < s.p; j0 += s.width() {
		lda := min(s.width(), s.p-j0)
		b, err := s.read(j0, lda)
		if err != nil {
			return err
		}
		if mean != nil {
			mu := mean[j0 : j0+lda]
			parallelFor(s.n, float64(s.n*lda), func(lo, hi int) {
				for i := lo; i < hi; i++ {
					row := b[i*lda : (i+1)*lda]
					for j := range row {
						row[j] -= mu[j]
					}
				}
			})
		}
		for k0 := 0; k0 < lda; k0 += blockCols {
			f(b[k0:], lda, min(blockCols, lda-k0), j0+k0)
		}
	}
	return nil
}

// DenseColumns adapts an in-memory matrix to Columns (for tests, and for
// callers that hold some data in memory and stream the rest).
type DenseColumns struct{ M *mat.Dense }

// Dims returns the matrix's dimensions.
func (d DenseColumns) Dims() (int, int) { return d.M.Dims() }

// ReadColumns copies columns j0..j0+w-1.
func (d DenseColumns) ReadColumns(dst []float64, j0, w int) error {
	r, c := d.M.Dims()
	if j0 < 0 || w < 0 || j0+w > c || len(dst) < r*w {
		return fmt.Errorf("ridge: columns %d..%d of %d into %d values: out of range", j0, j0+w, c, len(dst))
	}
	for i := range r {
		copy(dst[i*w:(i+1)*w], d.M.RawRowView(i)[j0:j0+w])
	}
	return nil
}
