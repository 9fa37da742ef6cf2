package glm

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

type trialsGolden struct {
	TR        float64     `json:"tr"`
	Frames    int         `json:"frames"`
	HighPass  float64     `json:"high_pass"`
	Onsets    []float64   `json:"onsets"`
	Durations []float64   `json:"durations"`
	Types     []string    `json:"trial_types"`
	Bold      [][]float64 `json:"bold"`
	LSA       [][]float64 `json:"lsa"`
	LSS       [][]float64 `json:"lss"`
	LSSType   [][]float64 `json:"lss_by_type"`
}

func loadTrials(t *testing.T) (trialsGolden, Run) {
	var g trialsGolden
	readJSON(t, "trials.json", &g)
	evs := make([]events.Event, len(g.Onsets))
	for i := range evs {
		evs[i] = events.Event{Onset: g.Onsets[i], Duration: g.Durations[i], TrialType: g.Types[i]}
	}
	data := mat.NewDense(g.Frames, len(g.Bold[0]), nil)
	for i, row := range g.Bold {
		data.SetRow(i, row)
	}
	return g, Run{Name: "trials.json", Timing: Timing{Frames: g.Frames, TR: g.TR}, Events: evs, Data: data}
}

// maxRelErr is max |a-b| over max |b|.
func maxRelErr(a *mat.Dense, b [][]float64) float64 {
	var worst, scale float64
	for i, row := range b {
		for j, v := range row {
			worst = math.Max(worst, math.Abs(a.At(i, j)-v))
			scale = math.Max(scale, math.Abs(v))
		}
	}
	return worst / scale
}

// TestTrialBetasMatchPython compares LSA and LSS betas with numpy lstsq on
// designs built by scripts/golden/decode_glm.py from a numerically
// integrated HRF: they differ only by the discretisation of the
// convolution.
func TestTrialBetasMatchPython(t *testing.T) {
	g, run := loadTrials(t)
	for _, c := range []struct {
		name string
		opt  Options
		want [][]float64
	}{
		{"LSA", Options{Method: LSA, HighPass: g.HighPass}, g.LSA},
		{"LSS", Options{Method: LSS, HighPass: g.HighPass}, g.LSS},
		{"LSS by type", Options{Method: LSS, HighPass: g.HighPass, LSSByType: true}, g.LSSType},
	} {
		b, err := TrialBetas([]Run{run}, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := b.Values.Dims(); n != len(g.Onsets) || len(b.Trials) != n {
			t.Fatalf("%s: %d rows", c.name, n)
		}
		e := maxRelErr(b.Values, c.want)
		t.Logf("%s: max |beta - numpy| / max |beta| = %.2g", c.name, e)
		if !(e <= 2e-3) {
			t.Errorf("%s: relative error %g", c.name, e)
		}
	}
}

// TestConditionBetasNitime fits nitime's real event-related ROI signal.
func TestConditionBetasNitime(t *testing.T) {
	var g struct {
		TR         float64   `json:"tr"`
		HighPass   float64   `json:"high_pass"`
		Conditions []string  `json:"conditions"`
		Betas      []float64 `json:"betas"`
	}
	readJSON(t, "nitime_glm.json", &g)
	tab, err := events.ReadFile(filepath.Join(testdir, "nitime_events.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	bold, err := tensor.LoadNPY(filepath.Join(testdir, "nitime_bold.npy"))
	if err != nil {
		t.Fatal(err)
	}
	n := bold.Shape()[0]
	run := Run{Name: "nitime", Timing: Timing{Frames: n, TR: g.TR}, Events: tab.Events,
		Data: mat.NewDense(n, 1, tensor.Data64(bold))}
	names, b, err := ConditionBetas(run, g.HighPass)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != strings.Join(g.Conditions, ",") {
		t.Fatalf("conditions %v", names)
	}
	for i, w := range g.Betas {
		if math.Abs(b.At(i, 0)-w) > 1e-3*math.Abs(w) {
			t.Errorf("%s: beta %v, numpy %v", names[i], b.At(i, 0), w)
		}
	}
}

func TestTrialBetasErrors(t *testing.T) {
	_, run := loadTrials(t)
	cp := func(f func(r *Run)) []Run {
		r := run
		r.Events = append([]events.Event{}, run.Events...)
		r.Data = mat.DenseCopyOf(run.Data)
		f(&r)
		return []Run{r}
	}
	cases := map[string]struct {
		runs []Run
		want string
	}{
		"duplicate trial": {cp(func(r *Run) { r.Events[3] = r.Events[2] }), "linear combination"},
		"NaN voxel":       {cp(func(r *Run) { r.Data.Set(17, 2, math.NaN()) }), "voxel 2 is NaN at volume 17"},
		"Inf voxel":       {cp(func(r *Run) { r.Data.Set(0, 1, math.Inf(1)) }), "voxel 1 is +Inf"},
		"after end":       {cp(func(r *Run) { r.Events[0].Onset = 1000 }), "after the end of the run"},
		"n/a duration":    {cp(func(r *Run) { r.Events[0].Duration = math.NaN() }), "duration n/a"},
		"frames":          {cp(func(r *Run) { r.Timing.Frames-- }), "timing says"},
		"no events":       {cp(func(r *Run) { r.Events = nil }), "no trials"},
		"too many": {cp(func(r *Run) {
			r.Timing.Frames, r.Data = 4, mat.NewDense(4, 4, nil)
			r.Events = []events.Event{{Onset: 0.5}, {Onset: 1}, {Onset: 1.5}, {Onset: 2}, {Onset: 2.5}}
		}), "singular"},
	}
	for name, c := range cases {
		_, err := TrialBetas(c.runs, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "trials.json") {
			t.Errorf("%s: %v", name, err)
		}
	}
	two := []Run{run, run}
	two[1].Data = mat.NewDense(run.Timing.Frames, 3, nil)
	if _, err := TrialBetas(two, Options{}); err == nil || !strings.Contains(err.Error(), "voxels") {
		t.Errorf("voxel counts differ: %v", err)
	}
	if _, err := TrialBetas(nil, Options{}); err == nil {
		t.Error("no runs")
	}
	// LSS pools the other trials, so a duplicate trial is not singular
	// there, but a trial regressor that is all zeros is.
	zero := cp(func(r *Run) { r.Events[0].Onset = -100 })
	if _, err := TrialBetas(zero, Options{Method: LSS}); err == nil || !strings.Contains(err.Error(), "all zeros") {
		t.Errorf("LSS with an empty trial regressor: %v", err)
	}
	// Issue 17, item 9: a duration of 1e300 was reported as a regressor of
	// zeros. A duration longer than the run is refused by name, in both
	// methods and for condition regressors.
	for _, d := range []float64{1e300, 1e9, float64(run.Timing.Frames)*run.Timing.TR + 1} {
		long := cp(func(r *Run) { r.Events[1].Duration = d })
		for _, m := range []Method{LSS, LSA} {
			_, err := TrialBetas(long, Options{Method: m})
			if want := fmt.Sprintf("has duration %g s, longer than the run", d); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(event 1, ") ||
				(m == LSS && !strings.Contains(err.Error(), fmt.Sprintf("%q at", strings.TrimSpace(long[0].Events[1].TrialType+" "+long[0].Events[1].StimFile)))) {
				t.Errorf("%v, duration %g: %v", m, d, err)
			}
		}
	}
}

// The regressor of an event that runs past the end of the grid (or starts
// long before it) is the clipped boxcar's: a plateau, computed at once,
// whatever the duration.
func TestRegressorClipsLongEvents(t *testing.T) {
	tm := Timing{Frames: 60, TR: 2}
	ref, err := tm.Regressor([]float64{10}, []float64{200}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []float64{1e4, 1e300} {
		got, err := tm.Regressor([]float64{10}, []float64{d}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got[59]-1) > 1e-3 {
			t.Errorf("duration %g: plateau %v, want 1", d, got[59])
		}
		for k := range ref {
			if k < 50 && math.Abs(got[k]-ref[k]) > 1e-12 {
				t.Fatalf("duration %g: frame %d is %v, duration 200 gives %v", d, k, got[k], ref[k])
			}
		}
	}
	early, err := tm.Regressor([]float64{-1e300}, []float64{5}, nil)
	if err != nil || early[30] != 0 {
		t.Errorf("an event entirely before the grid: %v, %v", early[30], err)
	}
	start := time.Now()
	if _, err := tm.Regressor([]float64{1e300}, []float64{0}, nil); err != nil || time.Since(start) > time.Second {
		t.Errorf("an impulse far after the grid: %v (%s)", err, time.Since(start))
	}
}

func TestZScoreAndConstantVoxels(t *testing.T) {
	_, run := loadTrials(t)
	r, _ := run.Data.Dims()
	for i := 0; i < r; i++ {
		run.Data.Set(i, 3, 7) // a constant voxel
	}
	run2 := run
	run2.Data = mat.DenseCopyOf(run.Data)
	b, err := TrialBetas([]Run{run, run2}, Options{Method: LSS, ZScoreBold: true, ZScoreBetas: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.ConstantVoxels) != 1 || b.ConstantVoxels[0] != 3 {
		t.Errorf("constant voxels %v", b.ConstantVoxels)
	}
	n, _ := b.Values.Dims()
	var mean, ss float64
	for i := 0; i < n/2; i++ {
		if b.Values.At(i, 3) != 0 {
			t.Fatal("constant voxel not zero")
		}
		mean += b.Values.At(i, 0)
		ss += b.Values.At(i, 0) * b.Values.At(i, 0)
	}
	mean /= float64(n / 2)
	if math.Abs(mean) > 1e-12 || math.Abs(ss/float64(n/2)-1) > 1e-12 {
		t.Errorf("betas of run 0 not z-scored: mean %v var %v", mean, ss/float64(n/2))
	}
	if b.Trials[n/2].Run != 1 || b.Trials[0].Run != 0 {
		t.Error("run indices")
	}
	keys, avg, count := b.Average(ByTrialType)
	if len(keys) != 2 || count[0]+count[1] != n {
		t.Errorf("average: %v %v", keys, count)
	}
	if r, _ := avg.Dims(); r != 2 {
		t.Error("average rows")
	}
}

// TestNuisanceEvents: events that are not trials become per-type nuisance
// regressors, so adding a response event changes no trial count.
func TestNuisanceEvents(t *testing.T) {
	_, run := loadTrials(t)
	run.Events = append(run.Events, events.Event{Onset: 31, Duration: 0, TrialType: "button"}, events.Event{Onset: 101, Duration: 0, TrialType: "button"})
	b, err := TrialBetas([]Run{run}, Options{IsTrial: func(e events.Event) bool { return e.TrialType != "button" }})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Trials) != len(run.Events)-2 {
		t.Errorf("%d trials", len(b.Trials))
	}
}
