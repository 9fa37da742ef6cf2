package decode

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
)

const confoundsTSV = "global_signal\tframewise_displacement\ttrans_x\ttrans_x_derivative1\trot_z\n" +
	"1000.5\tn/a\t0.1\tn/a\t0.001\n" +
	"1001.5\t0.2\t0.3\t0.2\t0.002\n" +
	"999.0\t0.4\t0.0\t-0.3\t0.003\n"

func TestReadConfounds(t *testing.T) {
	m, err := readConfounds(strings.NewReader(confoundsTSV), "c.tsv", []string{"trans_x", "trans_x_derivative1", "rot_z"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0.1, -0.05, 0.001}, {0.3, 0.2, 0.002}, {0, -0.3, 0.003}}
	for i, row := range want {
		for j, w := range row {
			if got := m.At(i, j); math.Abs(got-w) > 1e-12 {
				t.Errorf("row %d column %d: %v, want %v (n/a becomes the column's mean)", i, j, got, w)
			}
		}
	}
}

func TestReadConfoundsErrors(t *testing.T) {
	for _, c := range []struct {
		name, text string
		cols       []string
		want       string
	}{
		{"missing column", confoundsTSV, []string{"trans_x", "trans_y"}, "no column trans_y"},
		{"no columns", confoundsTSV, nil, "no confound columns"},
		{"empty", "", []string{"trans_x"}, "empty"},
		{"header only", "trans_x\n", []string{"trans_x"}, "no rows"},
		{"not a number", "trans_x\n0.1\nabc\n", []string{"trans_x"}, `row 2 column trans_x: "abc"`},
		{"NaN", "trans_x\n0.1\nNaN\n", []string{"trans_x"}, "not a finite number"},
		{"ragged", "a\tb\n1\t2\n3\n", []string{"a"}, "row 2 has 1 fields"},
		{"all n/a", "a\tb\nn/a\t1\nn/a\t2\n", []string{"a"}, "column a is n/a in every row"},
	} {
		_, err := readConfounds(strings.NewReader(c.text), "c.tsv", c.cols)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestConfoundsRemoveMotion: a voxel whose signal carries a motion-like
// nuisance time series gets biased betas without confounds and the true
// betas (up to noise) with them.
func TestConfoundsRemoveMotion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const frames, tr = 200, 2.0
	var evs []events.Event
	for on := 10.0; on < frames*tr-30; on += 6 + 2*rng.Float64() {
		evs = append(evs, events.Event{Onset: on, Duration: 1, TrialType: "x"})
	}
	tm := glm.Timing{Frames: frames, TR: tr}
	truth := make([]float64, len(evs))
	y := make([]float64, frames)
	for i, e := range evs {
		truth[i] = rng.NormFloat64()
		reg, err := tm.Regressor([]float64{e.Onset}, []float64{e.Duration}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range reg {
			y[k] += truth[i] * v
		}
	}
	// Motion: a random walk with jumps, entering the signal with a large
	// weight, as at the brain's edge.
	motion := make([]float64, frames)
	for k := 1; k < frames; k++ {
		motion[k] = motion[k-1] + 0.05*rng.NormFloat64()
		if k%37 == 0 {
			motion[k] += 0.5
		}
	}
	clean := make([]float64, frames)
	for k := range y {
		y[k] += 0.05 * rng.NormFloat64()
		clean[k] = y[k]
		y[k] += 5 * motion[k]
	}
	run := glm.Run{Timing: tm, Events: evs, Data: mat.NewDense(frames, 1, y)}
	corr := func(withConfounds bool) float64 {
		r := run
		if withConfounds {
			r.Confounds, r.ConfoundNames = mat.NewDense(frames, 1, motion), []string{"trans_x"}
		}
		b, err := glm.TrialBetas([]glm.Run{r}, glm.Options{Method: glm.LSS})
		if err != nil {
			t.Fatal(err)
		}
		return pearson(mat.Col(nil, 0, b.Values), truth)
	}
	without, with := corr(false), corr(true)
	run.Data = mat.NewDense(frames, 1, clean)
	noMotion := corr(false)
	t.Logf("beta-truth correlation: %.3f without confounds, %.3f with, %.3f on the data without motion", without, with, noMotion)
	if !(with > noMotion-0.05) || !(with > without+0.3) {
		t.Errorf("confounds did not remove the motion: r %.3f without, %.3f with, %.3f without motion", without, with, noMotion)
	}
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i] / float64(len(a))
		mb += b[i] / float64(len(b))
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestAddConfoundsChecksRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.tsv")
	if err := os.WriteFile(path, []byte(confoundsTSV), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := []glm.Run{{Name: "run1", Timing: glm.Timing{Frames: 4, TR: 2}}}
	err := AddConfounds(runs, []string{path}, []string{"trans_x"})
	if err == nil || !strings.Contains(err.Error(), "3 rows, its run run1 has 4 volumes") {
		t.Errorf("error %v", err)
	}
	if err := AddConfounds(runs, nil, []string{"trans_x"}); err == nil {
		t.Error("no error for 0 files for 1 run")
	}
	runs[0].Timing.Frames = 3
	if err := AddConfounds(runs, []string{path}, MotionConfounds[:1]); err != nil || runs[0].Confounds == nil {
		t.Errorf("%v", err)
	}
}

func FuzzReadConfounds(f *testing.F) {
	f.Add([]byte(confoundsTSV))
	f.Add([]byte("trans_x\n"))
	f.Add([]byte("trans_x\tb\nn/a\t1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readConfounds(strings.NewReader(string(b)), "fuzz.tsv", []string{"trans_x"})
		if err != nil {
			return
		}
		r, c := m.Dims()
		if r < 1 || c != 1 {
			t.Fatalf("%d x %d", r, c)
		}
		for i := 0; i < r; i++ {
			if v := m.At(i, 0); math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("row %d: %v", i, v)
			}
		}
	})
}
