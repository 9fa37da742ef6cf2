package latent

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func randVectors(rng *rand.Rand, n, d int) Vectors {
	v := NewVectors(n, d)
	for i := range v.Data {
		v.Data[i] = float32(rng.NormFloat64())
	}
	return v
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestWrap(t *testing.T) {
	data := make([]float32, 2*100)
	v, err := Wrap(data, 2, 100, 1, 1) // a DCGAN latent batch, NCHW
	if err != nil || v.N != 2 || v.D != 100 {
		t.Fatalf("Wrap([2 100 1 1]) = %+v, %v", v, err)
	}
	v, err = Wrap(data[:100], 100)
	if err != nil || v.N != 1 || v.D != 100 {
		t.Fatalf("Wrap([100]) = %+v, %v", v, err)
	}
	if _, err := Wrap(data, 3, 100); !errors.Is(err, ErrDim) {
		t.Errorf("Wrap with a wrong shape: %v, want ErrDim", err)
	}
	if _, err := Wrap(data, 2, -100); err == nil {
		t.Error("Wrap with a negative dimension: no error")
	}
	if _, err := Wrap(data, 1<<62, 1<<62); err == nil {
		t.Error("Wrap with an overflowing shape: no error")
	}
	if _, err := FromRows([]float32{1, 2}, []float32{3}); !errors.Is(err, ErrDim) {
		t.Errorf("FromRows with ragged rows: %v, want ErrDim", err)
	}
	if err := (Vectors{N: 2, D: 3, Data: make([]float32, 5)}).Check(); !errors.Is(err, ErrDim) {
		t.Errorf("Check of a short Data: %v, want ErrDim", err)
	}
}

func TestCombine(t *testing.T) {
	a, _ := FromRows([]float32{1, 2}, []float32{3, 4})
	b, _ := FromRows([]float32{10, 20})
	c, _ := FromRows([]float32{100, 200}, []float32{300, 400})
	got, err := Arithmetic(a, b, c) // a - b + c, b broadcast
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{91, 182, 293, 384}
	for i := range want {
		if got.Data[i] != want[i] {
			t.Fatalf("Arithmetic = %v, want %v", got.Data, want)
		}
	}
	if _, err := Arithmetic(a, b, Vectors{N: 3, D: 2, Data: make([]float32, 6)}); !errors.Is(err, ErrDim) {
		t.Errorf("2 rows against 3 rows: %v, want ErrDim", err)
	}
	if _, err := Arithmetic(a, b, Vectors{N: 1, D: 3, Data: make([]float32, 3)}); !errors.Is(err, ErrDim) {
		t.Errorf("2 components against 3: %v, want ErrDim", err)
	}
	if _, err := Combine([]float32{1}, a, b); err == nil {
		t.Error("Combine with too few coefficients: no error")
	}
	if _, err := Combine(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("Combine(): %v, want ErrEmpty", err)
	}
	if _, err := Arithmetic(a, b, Vectors{D: 2}); !errors.Is(err, ErrEmpty) {
		t.Errorf("a term with no rows: %v, want ErrEmpty", err)
	}
}

func TestLerpSlerp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, b := randVectors(rng, 5, 64), randVectors(rng, 5, 64)
	for _, tt := range []float32{0, 1} {
		l, err := Lerp(a, b, tt)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Slerp(a, b, tt)
		if err != nil {
			t.Fatal(err)
		}
		end := a
		if tt == 1 {
			end = b
		}
		for i := range end.Data {
			if !near(float64(l.Data[i]), float64(end.Data[i]), 1e-6) || !near(float64(s.Data[i]), float64(end.Data[i]), 1e-5) {
				t.Fatalf("t=%v: lerp %v slerp %v, want %v", tt, l.Data[i], s.Data[i], end.Data[i])
			}
		}
	}
	// Between two vectors of equal norm, slerp stays on the sphere and moves
	// at constant angular speed; lerp cuts inside.
	u, _ := FromRows([]float32{3, 0, 0})
	w, _ := FromRows([]float32{0, 3, 0})
	for _, tt := range []float64{0.25, 0.5, 0.9} {
		s, err := Slerp(u, w, float32(tt))
		if err != nil {
			t.Fatal(err)
		}
		if n := norm64(s.Data); !near(n, 3, 1e-6) {
			t.Errorf("slerp t=%v: norm %v, want 3", tt, n)
		}
		if ang := math.Atan2(float64(s.Data[1]), float64(s.Data[0])); !near(ang, tt*math.Pi/2, 1e-6) {
			t.Errorf("slerp t=%v: angle %v, want %v", tt, ang, tt*math.Pi/2)
		}
		l, _ := Lerp(u, w, float32(tt))
		if n := norm64(l.Data); n >= 3 {
			t.Errorf("lerp t=%v: norm %v, want < 3", tt, n)
		}
	}
	// Parallel vectors: slerp is lerp.
	p, _ := FromRows([]float32{1, 2, 3})
	q, _ := FromRows([]float32{2, 4, 6})
	s, err := Slerp(p, q, 0.5)
	if err != nil || !near(float64(s.Data[2]), 4.5, 1e-6) {
		t.Errorf("slerp of parallel vectors = %v, %v; want lerp", s.Data, err)
	}
	// Opposite vectors: no unique great circle.
	r, _ := FromRows([]float32{-1, -2, -3})
	if _, err := Slerp(p, r, 0.5); err == nil {
		t.Error("slerp of opposite vectors: no error")
	}
}

func TestInterpolate(t *testing.T) {
	a := []float32{1, 0}
	b := []float32{0, 1}
	for _, m := range []Interp{Linear, Spherical} {
		v, err := Interpolate(a, b, 5, m)
		if err != nil {
			t.Fatal(err)
		}
		if v.N != 5 || v.Row(0)[0] != 1 || !near(float64(v.Row(4)[1]), 1, 1e-7) {
			t.Errorf("%v: rows %v", m, v.Data)
		}
		mid := v.Row(2)
		want := 0.5
		if m == Spherical {
			want = math.Sqrt(0.5)
		}
		if !near(float64(mid[0]), want, 1e-6) {
			t.Errorf("%v midpoint %v, want %v", m, mid, want)
		}
	}
	if _, err := Interpolate(a, b, 1, Linear); err == nil {
		t.Error("1 step: no error")
	}
	if _, err := Interpolate(a, []float32{1}, 3, Linear); !errors.Is(err, ErrDim) {
		t.Errorf("mismatched lengths: %v, want ErrDim", err)
	}
}

func TestAxis(t *testing.T) {
	// Two Gaussian clouds whose means differ by a known offset.
	rng := rand.New(rand.NewPCG(2, 2))
	const n, d = 4000, 32
	offset := make([]float32, d)
	for j := range offset {
		offset[j] = float32(rng.NormFloat64())
	}
	v := randVectors(rng, n, d)
	has := make([]bool, n)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		labels[i] = 7
		if i%2 == 0 {
			has[i] = true
			labels[i] = 3
			r := v.Row(i)
			for j := range r {
				r[j] += offset[j]
			}
		}
	}
	ax, err := AttributeAxis(v, has)
	if err != nil {
		t.Fatal(err)
	}
	if ax.NPos != n/2 || ax.NNeg != n/2 {
		t.Errorf("counts %d %d", ax.NPos, ax.NNeg)
	}
	for j := range offset {
		// The mean difference of 2000+2000 unit Gaussians: sd ~0.03.
		if math.Abs(float64(ax.Dir[j]-offset[j])) > 0.15 {
			t.Errorf("Dir[%d] = %v, want %v", j, ax.Dir[j], offset[j])
		}
	}
	cax, err := ClassAxis(v, labels, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	for j := range cax.Dir {
		if cax.Dir[j] != ax.Dir[j] {
			t.Fatalf("ClassAxis differs from AttributeAxis at %d", j)
		}
	}
	// Shifting the negatives by the axis moves their mean onto the positives'.
	neg := NewVectors(0, d)
	for i := 1; i < n; i += 2 {
		neg.Data = append(neg.Data, v.Row(i)...)
		neg.N++
	}
	moved, err := ax.Shift(neg, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Mean(moved, nil)
	for j := range m {
		if !near(float64(m[j]), float64(ax.PosMean[j]), 1e-4) {
			t.Fatalf("shifted mean[%d] = %v, want %v", j, m[j], ax.PosMean[j])
		}
	}
	clf, err := ax.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	acc, err := clf.Accuracy(v, has)
	if err != nil {
		t.Fatal(err)
	}
	// Bayes accuracy along the axis: Phi(|offset|/2), |offset| ~ sqrt(32).
	if acc < 0.95 {
		t.Errorf("projection accuracy %.3f, want > 0.95", acc)
	}
	if _, err := AttributeAxis(v, has[:10]); !errors.Is(err, ErrDim) {
		t.Errorf("short labels: %v, want ErrDim", err)
	}
	if _, err := AttributeAxis(v, make([]bool, n)); !errors.Is(err, ErrEmpty) {
		t.Errorf("no positives: %v, want ErrEmpty", err)
	}
	if _, err := ClassAxis(v, labels, 3, 4); !errors.Is(err, ErrEmpty) {
		t.Errorf("absent class: %v, want ErrEmpty", err)
	}
	if _, err := clf.Scores(NewVectors(2, d+1)); !errors.Is(err, ErrDim) {
		t.Errorf("scores of wrong-sized vectors: %v, want ErrDim", err)
	}
	same, _ := FromRows([]float32{1, 1}, []float32{1, 1})
	if _, err := FitProjection(same, []bool{true, false}); err == nil {
		t.Error("identical class means: no error")
	}
}
