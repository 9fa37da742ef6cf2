package ridge

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

func randDense(r *rand.Rand, n, p int) *mat.Dense {
	m := mat.NewDense(n, p, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = r.NormFloat64()
	}
	return m
}

func TestFitErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y := randDense(r, 20, 5), randDense(r, 20, 2)
	good := Config{Alphas: []float64{1, 10}}
	bad := func(m *mat.Dense, i, j int, v float64) *mat.Dense {
		c := mat.DenseCopyOf(m)
		c.Set(i, j, v)
		return c
	}
	cases := []struct {
		name string
		x, y *mat.Dense
		cfg  Config
		want string
	}{
		{"rows", x, randDense(r, 19, 2), good, "X has 20 rows (samples), Y has 19"},
		{"NaN X", bad(x, 3, 4, math.NaN()), y, good, "X[3, 4] is NaN"},
		{"Inf Y", x, bad(y, 7, 1, math.Inf(-1)), good, "Y[7, 1] is -Inf"},
		{"no alphas", x, y, Config{}, "no alphas"},
		{"zero alpha", x, y, Config{Alphas: []float64{1, 0}}, "alphas[1] = 0"},
		{"NaN alpha", x, y, Config{Alphas: []float64{math.NaN()}}, "alphas[0] = NaN"},
		{"one fold", x, y, Config{Alphas: []float64{1}, Folds: 1}, "1 folds"},
		{"too many folds", x, y, Config{Alphas: []float64{1}, Folds: 21}, "21 folds for 20 samples"},
		{"fold ids", x, y, Config{Alphas: []float64{1}, FoldOf: []int{0, 1}}, "FoldOf has 2 entries"},
		{"empty fold", x, y, Config{Alphas: []float64{1}, FoldOf: make([]int, 20)}, "1 fold(s)"},
		{"two samples", randDense(r, 2, 5), randDense(r, 2, 1), good, "at least 3"},
		{"tiny alpha", x, y, Config{Alphas: []float64{1e-300}, Mode: Primal}, ""},
	}
	for _, c := range cases {
		_, err := Fit(c.x, c.y, c.cfg)
		if c.want == "" {
			continue // must not panic; may or may not fail
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	m, err := Fit(x, y, good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(randDense(r, 3, 4)); err == nil || !strings.Contains(err.Error(), "4 features") {
		t.Errorf("predict with wrong width: %v", err)
	}
	if _, err := m.Predict(bad(randDense(r, 3, 5), 0, 0, math.NaN())); err == nil {
		t.Error("predict with NaN")
	}
	if _, err := FitAlpha(x, y, []float64{1, 2, 3}, false, Auto); err == nil {
		t.Error("3 alphas for 2 targets")
	}
	if _, err := FitAlpha(x, y, []float64{-1}, false, Auto); err == nil {
		t.Error("negative alpha")
	}
}

// A singular design (duplicated and constant features, more features than
// samples) is fine for ridge: alpha > 0 makes every system regular.
func TestSingularAndConstantFeatures(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := randDense(r, 30, 8)
	for i := 0; i < 30; i++ {
		x.Set(i, 1, x.At(i, 0)) // duplicate
		x.Set(i, 5, 3.5)        // constant
	}
	y := randDense(r, 30, 3)
	for i := 0; i < 30; i++ {
		y.Set(i, 2, -1) // constant target
	}
	for _, mode := range []Mode{Dual, Primal} {
		for _, folds := range []int{0, 5} {
			m, err := Fit(x, y, Config{Alphas: LogSpace(-2, 3, 6), PerTarget: true, Mode: mode, Folds: folds})
			if err != nil {
				t.Fatal(err)
			}
			if m.Coef.At(5, 0) != 0 && math.Abs(m.Coef.At(5, 0)) > 1e-12 {
				t.Errorf("constant feature got weight %g", m.Coef.At(5, 0))
			}
			if math.Abs(m.Coef.At(0, 0)-m.Coef.At(1, 0)) > 1e-10 {
				t.Errorf("duplicated features got different weights")
			}
			if m.Alpha[2] != 0.01 || math.Abs(m.Intercept[2]+1) > 1e-12 {
				t.Errorf("constant target: alpha %g intercept %g", m.Alpha[2], m.Intercept[2])
			}
		}
	}
}

// FitAlpha with the alphas Fit chose gives Fit's model.
func TestFitAlphaAgreesWithFit(t *testing.T) {
	c := loadCase(t, "loo_dual_pertarget")
	m, err := Fit(c.x, c.y, Config{Alphas: c.alphas, PerTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{Dual, Primal} {
		f, err := FitAlpha(c.x, c.y, m.Alpha, false, mode)
		if err != nil {
			t.Fatal(err)
		}
		if e := maxRel(f.Coef, m.Coef); !(e <= 1e-9) {
			t.Errorf("%v: coef differ by %g", mode, e)
		}
	}
}

func TestRescale(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x, y := randDense(r, 40, 10), randDense(r, 40, 3)
	for i := 0; i < 40; i++ {
		y.Set(i, 0, 5+3*y.At(i, 0))
	}
	m, err := Fit(x, y, Config{Alphas: []float64{100}})
	if err != nil {
		t.Fatal(err)
	}
	pred, _ := m.Predict(randDense(r, 12, 10))
	s, err := m.Rescale(pred)
	if err != nil {
		t.Fatal(err)
	}
	mean := columnMeans(s)
	sd := columnStds(s, mean)
	for j := range mean {
		if math.Abs(mean[j]-m.YMean[j]) > 1e-12 || math.Abs(sd[j]-m.YStd[j]) > 1e-12 {
			t.Errorf("target %d: mean %g sd %g, training %g %g", j, mean[j], sd[j], m.YMean[j], m.YStd[j])
		}
	}
	if _, err := m.Rescale(randDense(r, 1, 3)); err == nil {
		t.Error("one row")
	}
}

func TestSaveLoad(t *testing.T) {
	c := loadCase(t, "loo_primal_pertarget")
	m, err := Fit(c.x, c.y, Config{Alphas: c.alphas, PerTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "model.npz")
	if err := Save(p, m); err != nil {
		t.Fatal(err)
	}
	back, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(back.Coef, m.Coef) || !mat.Equal(back.CVScores, m.CVScores) || back.Mode != Primal {
		t.Error("model changed")
	}
	for j := range m.Alpha {
		if back.Alpha[j] != m.Alpha[j] || back.Intercept[j] != m.Intercept[j] || back.YStd[j] != m.YStd[j] {
			t.Error("vectors changed")
		}
	}
	// A golden file holds coef and intercept, so it loads; one whose
	// intercept does not match coef's targets does not.
	if _, err := Load(filepath.Join(testdir, "loo_dual_shared.npz")); err != nil {
		t.Error(err)
	}
	sd := tensor.NewStateDict()
	sd.Set("coef", tensor.New64(make([]float64, 6), 3, 2))
	sd.Set("intercept", tensor.New64(make([]float64, 3), 3))
	bad := filepath.Join(t.TempDir(), "bad.npz")
	if err := tensor.SaveNPZ(bad, sd); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "3 values for 2 targets") {
		t.Errorf("mismatched intercept: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.npz")); err == nil {
		t.Error("missing file")
	}
}

// TestFoldOf: folds given per sample (leave-one-run-out) equal contiguous
// K-fold when the runs are contiguous blocks of KFold's sizes.
func TestFoldOf(t *testing.T) {
	c := loadCase(t, "kfold_primal")
	n, _ := c.x.Dims()
	k := c.folds
	of := make([]int, n)
	start := 0
	for f := 0; f < k; f++ {
		size := n / k
		if f < n%k {
			size++
		}
		for i := start; i < start+size; i++ {
			of[i] = f
		}
		start += size
	}
	m, err := Fit(c.x, c.y, Config{Alphas: c.alphas, PerTarget: true, FoldOf: of})
	if err != nil {
		t.Fatal(err)
	}
	for j, a := range m.Alpha {
		if a != c.alpha[j] {
			t.Errorf("target %d: %g vs %g", j, a, c.alpha[j])
		}
	}
}

// failingDevice refuses every problem, so a fit that reaches it says so.
type failingDevice struct{ calls int }

func (d *failingDevice) DualLOO(*DualLOOProblem) (*DualLOOResult, error) {
	d.calls++
	return nil, errors.New("no device here")
}

// Config.Device gets the dual leave-one-out fits and only them.
func TestConfigDevice(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x, y := randDense(r, 20, 50), randDense(r, 20, 2)
	dev := &failingDevice{}
	cfg := Config{Alphas: []float64{0.1, 1}, Device: dev}
	if _, err := Fit(x, y, cfg); err == nil || !strings.Contains(err.Error(), "on the device: no device here") || dev.calls != 1 {
		t.Fatalf("dual LOO fit: err %v after %d device calls; want the device's error after 1", err, dev.calls)
	}
	for name, c := range map[string]Config{
		"primal": {Alphas: cfg.Alphas, Device: dev, Mode: Primal},
		"k-fold": {Alphas: cfg.Alphas, Device: dev, Folds: 4},
	} {
		if _, err := Fit(x, y, c); err != nil {
			t.Errorf("%s: %v (the device does not handle it; the CPU does)", name, err)
		}
	}
	if dev.calls != 1 {
		t.Errorf("the device got %d problems; only the dual leave-one-out one is its", dev.calls)
	}
}
