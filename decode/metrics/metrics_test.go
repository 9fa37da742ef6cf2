package metrics

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

func load(t *testing.T) map[string]*tensor.Dense {
	sd, err := tensor.LoadNPZ(filepath.Join("../../testdata/decode/metrics", "metrics.npz"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tensor.Dense{}
	for _, k := range sd.Keys() {
		v, _ := sd.Get(k)
		out[k] = v
	}
	return out
}

func dense(t *tensor.Dense) *mat.Dense {
	s := t.Shape()
	return mat.NewDense(s[0], s[1], tensor.Data64(t))
}

// TestAgainstPython compares every metric with numpy, scikit-learn and
// scikit-image values (scripts/golden/decode_metrics.py).
func TestAgainstPython(t *testing.T) {
	g := load(t)
	pred, truth := dense(g["pred"]), dense(g["true"])

	acc, err := Pairwise(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	if want := tensor.Data64(g["pairwise"])[0]; !(math.Abs(acc-want) <= 1e-15) {
		t.Errorf("pairwise %v, numpy %v", acc, want)
	}
	r, err := PearsonPerDim(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	for j, w := range tensor.Data64(g["pearson"]) {
		if math.IsNaN(w) != math.IsNaN(r[j]) || (!math.IsNaN(w) && math.Abs(r[j]-w) > 1e-12) {
			t.Errorf("pearson[%d] %v, numpy %v", j, r[j], w)
		}
	}
	r2, err := R2PerDim(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	for j, w := range tensor.Data64(g["r2"]) {
		if !(math.Abs(r2[j]-w) <= 1e-12) {
			t.Errorf("r2[%d] %v, sklearn %v", j, r2[j], w)
		}
	}

	ims, recs := g["images"], g["recons"]
	s := ims.Shape()
	size := ImageSize{H: s[1], W: s[2]}
	npix := s[1] * s[2]
	var worst float64
	for i := 0; i < s[0]; i++ {
		a := tensor.Data64(ims)[i*npix : (i+1)*npix]
		b := tensor.Data64(recs)[i*npix : (i+1)*npix]
		ss, err := SSIM(a, b, size, 1)
		if err != nil {
			t.Fatal(err)
		}
		pc, err := PixCorr(a, b, size)
		if err != nil {
			t.Fatal(err)
		}
		worst = math.Max(worst, math.Abs(ss-tensor.Data64(g["ssim"])[i]))
		if !(math.Abs(pc-tensor.Data64(g["pixcorr"])[i]) <= 1e-12) {
			t.Errorf("image %d: pixcorr %v, numpy %v", i, pc, tensor.Data64(g["pixcorr"])[i])
		}
	}
	t.Logf("max |SSIM - skimage| over %d images: %.2g", s[0], worst)
	if !(worst <= 1e-12) {
		t.Errorf("SSIM differs from skimage by %g", worst)
	}

	labels := func(k string) []int {
		v := tensor.Data64(g[k])
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out
	}
	ax, err := NewAttributeAxis(dense(g["attr_train"]), labels("attr_train_labels"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ax.Accuracy(dense(g["attr_test"]), labels("attr_test_labels"))
	if err != nil {
		t.Fatal(err)
	}
	if want := tensor.Data64(g["attr_accuracy"])[0]; got != want {
		t.Errorf("attribute accuracy %v, numpy %v", got, want)
	}
}

func TestErrorsAndEdgeCases(t *testing.T) {
	a := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	b := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	if _, err := Pairwise(a, b); err == nil || !strings.Contains(err.Error(), "3x2, truth 2x2") {
		t.Errorf("shape: %v", err)
	}
	nan := mat.DenseCopyOf(a)
	nan.Set(1, 1, math.NaN())
	if _, err := R2PerDim(nan, a); err == nil || !strings.Contains(err.Error(), "predictions[1, 1]") {
		t.Errorf("NaN: %v", err)
	}
	if _, err := Pairwise(mat.NewDense(3, 1, nil), mat.NewDense(3, 1, nil)); err == nil {
		t.Error("1 dimension")
	}
	// Perfect predictions identify every pair; constant ones are chance.
	c := mat.NewDense(3, 3, []float64{1, 2, 0, 3, 1, 2, 0, 5, 1})
	if acc, _ := Pairwise(c, c); acc != 1 {
		t.Errorf("perfect: %v", acc)
	}
	if acc, _ := Pairwise(mat.NewDense(3, 3, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1}), c); acc != 0.5 {
		t.Errorf("constant predictions: %v", acc)
	}
	// Two identical truth rows: predictions 0 and 1 correlate exactly as
	// well with either (own == other), and those two comparisons count
	// 1/2 each: (1/2 + 1 + 1/2 + 1 + 1 + 1) / 6. Counting a tie as a miss
	// would give 4/6, as a hit 1.
	tie := mat.NewDense(3, 3, []float64{1, 2, 3, 1, 2, 3, 3, 1, 2})
	if acc, _ := Pairwise(tie, tie); acc != 5.0/6 {
		t.Errorf("exact ties: %v, want 5/6", acc)
	}
	if m, k := Mean([]float64{1, math.NaN(), 3}); m != 2 || k != 2 {
		t.Errorf("Mean %v %v", m, k)
	}
	img := make([]float64, 100)
	if _, err := SSIM(img, img, ImageSize{10, 10}, 1); err == nil {
		t.Error("SSIM on a 10x10 image")
	}
	img = make([]float64, 144)
	if v, err := SSIM(img, img, ImageSize{12, 12}, 1); err != nil || v != 1 {
		t.Errorf("SSIM of identical images %v %v", v, err)
	}
	if _, err := SSIM(img, img[:100], ImageSize{12, 12}, 1); err == nil {
		t.Error("size mismatch")
	}
	if v, _ := PixCorr(img, img, ImageSize{12, 12}); !math.IsNaN(v) {
		t.Error("PixCorr of constant images must be NaN")
	}
	if _, err := NewAttributeAxis(a, []int{0, 0, 0}); err == nil {
		t.Error("one class")
	}
	if _, err := NewAttributeAxis(a, []int{0, 2, 1}); err == nil {
		t.Error("label 2")
	}
}
