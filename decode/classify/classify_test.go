package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/neurolatent/neurolatent/decode/stats"
	"gonum.org/v1/gonum/mat"
)

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestCorrelation(t *testing.T) {
	x := mat.NewDense(4, 3, []float64{
		1, 2, 4,
		3, 2, 6,
		5, 1, 0,
		7, 3, 1,
	})
	c, err := FitCorrelation(x, []string{"b", "b", "a", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Classes, []string{"a", "b"}) || !slices.Equal(c.Means.RawRowView(0), []float64{6, 2, 0.5}) || !slices.Equal(c.Means.RawRowView(1), []float64{2, 2, 5}) {
		t.Fatalf("classes %v means %v", c.Classes, c.Means.RawMatrix().Data)
	}
	test := mat.NewDense(2, 3, []float64{1, 0, 3, 10, 4, -1})
	s, err := c.Scores(test)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		for k := 0; k < 2; k++ {
			if want := pearson(test.RawRowView(i), c.Means.RawRowView(k)); math.Abs(s.At(i, k)-want) > 1e-15 {
				t.Errorf("score %d,%d = %v, want %v", i, k, s.At(i, k), want)
			}
		}
	}
	p, err := c.Predict(test)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p, []string{"b", "a"}) {
		t.Errorf("predicted %v", p)
	}
	// A tie goes to the first class: a pattern orthogonal to both.
	tie := &Correlation{Classes: []string{"a", "b"}, Means: mat.NewDense(2, 3, []float64{1, 0, -1, -1, 0, 1})}
	if p, err := tie.Predict(mat.NewDense(1, 3, []float64{0, 1, 0})); err != nil || p[0] != "a" {
		t.Errorf("tie: %v %v", p, err)
	}
}

func TestCorrelationErrors(t *testing.T) {
	good := mat.NewDense(2, 3, []float64{1, 2, 3, 3, 1, 2})
	for _, c := range []struct {
		x      mat.Matrix
		labels []string
		want   string
	}{
		{nil, nil, "no patterns"},
		{good, []string{"a"}, "2 patterns and 1 labels"},
		{mat.NewDense(2, 1, []float64{1, 2}), []string{"a", "b"}, "1 voxel"},
		{mat.NewDense(2, 2, []float64{1, math.NaN(), 1, 2}), []string{"a", "b"}, "pattern 0, voxel 1 is NaN"},
		{mat.NewDense(2, 2, []float64{1, 1, 1, 2}), []string{"a", "b"}, `class "a" is constant`},
	} {
		if _, err := FitCorrelation(c.x, c.labels); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v", c.want, err)
		}
	}
	m, err := FitCorrelation(good, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(mat.NewDense(1, 2, []float64{1, 2})); err == nil || !strings.Contains(err.Error(), "2 voxels, the classifier was trained on 3") {
		t.Errorf("voxel count: %v", err)
	}
	if _, err := m.Predict(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 4, 4})); err == nil || !strings.Contains(err.Error(), "pattern 1 is constant") {
		t.Errorf("constant pattern: %v", err)
	}
	if _, err := m.Predict(mat.NewDense(1, 3, []float64{1, math.Inf(1), 3})); err == nil || !strings.Contains(err.Error(), "+Inf") {
		t.Errorf("Inf: %v", err)
	}
}

// blockData makes runs x classes patterns of v voxels: a class pattern
// plus noise of the given size, plus a per-run offset and scale that
// z-scoring removes.
func blockData(runs, classes, v int, noise float64, seed uint64) (*mat.Dense, []string, []string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	proto := make([][]float64, classes)
	for k := range proto {
		proto[k] = make([]float64, v)
		for j := range proto[k] {
			proto[k][j] = rng.NormFloat64()
		}
	}
	x := mat.NewDense(runs*classes, v, nil)
	var labels, runNames []string
	for r := 0; r < runs; r++ {
		off, scale := 10*rng.Float64(), 1+rng.Float64()
		for k := 0; k < classes; k++ {
			row := x.RawRowView(r*classes + k)
			for j := range row {
				row[j] = off + scale*(proto[k][j]+noise*rng.NormFloat64())
			}
			labels = append(labels, fmt.Sprintf("c%d", k))
			runNames = append(runNames, fmt.Sprintf("run%02d", r))
		}
	}
	return x, labels, runNames
}

func TestLeaveOneRunOut(t *testing.T) {
	x, labels, runs := blockData(6, 4, 50, 0.3, 1)
	res, err := LeaveOneRunOut(x, labels, runs, CorrelationFitter)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accuracy != 1 || res.Correct != 24 {
		t.Errorf("clean data: accuracy %v", res.Accuracy)
	}
	for i, row := range res.Confusion {
		for j, c := range row {
			if want := map[bool]int{true: 6, false: 0}[i == j]; c != want {
				t.Errorf("confusion %v", res.Confusion)
			}
		}
	}
	// Pure noise: about chance, and per-class accuracies average to the
	// accuracy when classes are balanced.
	x, labels, runs = blockData(12, 8, 100, 100, 2)
	res, err = LeaveOneRunOut(x, labels, runs, CorrelationFitter)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, a := range res.ClassAccuracy() {
		mean += a / 8
	}
	if math.Abs(mean-res.Accuracy) > 1e-12 || res.Accuracy > 0.3 {
		t.Errorf("noise: accuracy %v, mean class accuracy %v", res.Accuracy, mean)
	}
	var sum int
	for _, row := range res.Confusion {
		for _, c := range row {
			sum += c
		}
	}
	if sum != 96 || len(res.Predicted) != 96 || res.Runs[95] != "run11" {
		t.Errorf("confusion total %d", sum)
	}
}

// TestLeaveOneRunOutFolds: each fold trains on exactly the other runs.
func TestLeaveOneRunOutFolds(t *testing.T) {
	x, labels, runs := blockData(3, 2, 4, 1, 3)
	var seen []int
	fit := func(xt mat.Matrix, y []string) (Model, error) {
		n, _ := xt.Dims()
		seen = append(seen, n)
		return CorrelationFitter(xt, y)
	}
	if _, err := LeaveOneRunOut(x, labels, runs, fit); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []int{4, 4, 4}) {
		t.Errorf("training sizes %v", seen)
	}
}

func TestLeaveOneRunOutErrors(t *testing.T) {
	x, labels, runs := blockData(2, 2, 3, 1, 4)
	for _, c := range []struct {
		labels, runs []string
		want         string
	}{
		{labels, runs[:3], "4 patterns and 3 run names"},
		{[]string{"a", "", "a", "b"}, runs, "sample 1 has no label"},
		{labels, []string{"r", "r", "r", "r"}, "at least 2 runs"},
	} {
		if _, err := LeaveOneRunOut(x, c.labels, c.runs, CorrelationFitter); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.want, err)
		}
	}
	fail := func(mat.Matrix, []string) (Model, error) { return nil, fmt.Errorf("boom") }
	if _, err := LeaveOneRunOut(x, labels, runs, fail); err == nil || !strings.Contains(err.Error(), `training without run "run00": boom`) {
		t.Errorf("fit error: %v", err)
	}
	if _, err := Evaluate(x, labels, runs, CorrelationFitter, stats.Options{Level: 2}); err == nil {
		t.Error("level 2")
	}
	if _, err := PermutationNull(x, labels, runs, CorrelationFitter, 0, 1); err == nil {
		t.Error("0 permutations")
	}
	if _, err := PermutationNull(x, labels, runs, fail, 50, 1); err == nil || !strings.Contains(err.Error(), "permutation") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("fit error in a permutation: %v", err)
	}
}

func TestZScoreByRun(t *testing.T) {
	x := mat.NewDense(5, 2, []float64{
		1, 7,
		3, 7,
		5, 7,
		10, 1,
		20, 3,
	})
	constant, err := ZScoreByRun(x, []string{"a", "a", "a", "b", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-2 / math.Sqrt(8.0/3), 0, 0, 0, 2 / math.Sqrt(8.0/3), 0, -1, -1, 1, 1}
	for i, v := range x.RawMatrix().Data {
		if math.Abs(v-want[i]) > 1e-15 {
			t.Errorf("entry %d: %v, want %v", i, v, want[i])
		}
	}
	if !slices.Equal(constant, []int{1}) {
		t.Errorf("constant %v", constant)
	}
	if _, err := ZScoreByRun(x, []string{"a"}); err == nil {
		t.Error("run count")
	}
}

// TestEvaluate: signal gets a small p and an interval around its
// accuracy; noise gets a null near chance; the same seed gives the same
// numbers; shuffles keep each run's labels.
func TestEvaluate(t *testing.T) {
	x, labels, runs := blockData(6, 4, 30, 1.2, 5)
	opt := stats.Options{Seed: 9, Resamples: 2000, Permutations: 200}
	e, err := Evaluate(x, labels, runs, CorrelationFitter, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(e.CI[0] <= e.Accuracy && e.Accuracy <= e.CI[1]) || e.CI[1]-e.CI[0] > 0.5 || e.CI[0] == e.CI[1] {
		t.Errorf("accuracy %v, interval %v", e.Accuracy, e.CI)
	}
	if e.Accuracy > 0.6 && e.P != 1.0/201 {
		t.Errorf("accuracy %v, p %v", e.Accuracy, e.P)
	}
	if math.Abs(e.NullMean-0.25) > 0.05 {
		t.Errorf("null mean %v", e.NullMean)
	}
	again, _ := Evaluate(x, labels, runs, CorrelationFitter, opt)
	if again.CI != e.CI || again.P != e.P || again.NullMean != e.NullMean {
		t.Errorf("not reproducible: %+v vs %+v", again, e)
	}
	// The bootstrap interval is stats' percentile interval of resampled
	// means.
	h := e.Hits()
	var vals []float64
	for _, s := range stats.Resamples(len(h), 2000, 9) {
		var m float64
		for _, i := range s {
			m += h[i]
		}
		vals = append(vals, m/float64(len(s)))
	}
	if got := stats.PercentileInterval(vals, 0.95); got != e.CI {
		t.Errorf("interval %v, by hand %v", e.CI, got)
	}
	// Shuffles stay within runs: every training set of 5 runs has each
	// label 5 times (a global shuffle would not keep that).
	var calls atomic.Int64
	check := func(xt mat.Matrix, y []string) (Model, error) {
		calls.Add(1)
		counts := map[string]int{}
		for _, l := range y {
			counts[l]++
		}
		for _, l := range []string{"c0", "c1", "c2", "c3"} {
			if counts[l] != 5 {
				return nil, fmt.Errorf("a training set has %v", counts)
			}
		}
		return CorrelationFitter(xt, y)
	}
	null, err := PermutationNull(x, labels, runs, check, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 30 {
		t.Errorf("%d fits for 5 permutations of 6 folds", calls.Load())
	}
	// The null does not depend on the number of goroutines.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, err := PermutationNull(x, labels, runs, CorrelationFitter, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one, null) {
		t.Errorf("null %v with 1 goroutine, %v with more", one, null)
	}
}
