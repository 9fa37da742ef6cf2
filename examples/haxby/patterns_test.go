package main

import (
	"math"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"gonum.org/v1/gonum/mat"
)

// twoRuns is a tiny block design: 2 runs of 10 volumes (TR 2 s), each with
// blocks a (volumes 2-4) and b (volumes 6-8) in some order; voxel j of
// volume k holds 100*run + 10*k + j.
func twoRuns() []glm.Run {
	var runs []glm.Run
	for r, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
		y := mat.NewDense(10, 3, nil)
		for k := 0; k < 10; k++ {
			for j := 0; j < 3; j++ {
				y.Set(k, j, float64(100*r+10*k+j)+float64(j*j*k%3))
			}
		}
		runs = append(runs, glm.Run{Name: "run", Timing: glm.Timing{Frames: 10, TR: 2}, Data: y, Events: []events.Event{
			{Onset: 4, Duration: 6, TrialType: order[0]},
			{Onset: 12, Duration: 6, TrialType: order[1]},
		}})
	}
	return runs
}

func TestBlockFrames(t *testing.T) {
	r := twoRuns()[0]
	for _, c := range []struct {
		shift  float64
		lo, hi int
	}{{0, 2, 5}, {-2, 1, 4}, {2, 3, 6}, {-5, 0, 3}, {-10, 0, 0}} {
		e := r
		e.Events = []events.Event{{Onset: 4 + c.shift, Duration: 6, TrialType: "a"}}
		lo, hi, err := blockFrames(e, 0)
		if c.hi == 0 {
			if err == nil || !strings.Contains(err.Error(), "covers no volume") {
				t.Errorf("shift %v: %d-%d, %v", c.shift, lo, hi, err)
			}
			continue
		}
		if err != nil || lo != c.lo || hi != c.hi {
			t.Errorf("shift %v: volumes %d-%d (%v), want %d-%d", c.shift, lo, hi, err, c.lo, c.hi)
		}
	}
	r.Events[0].Duration = math.NaN()
	if _, _, err := blockFrames(r, 0); err == nil || !strings.Contains(err.Error(), "duration n/a") {
		t.Errorf("n/a duration: %v", err)
	}
}

func TestPatternKinds(t *testing.T) {
	runs := twoRuns()
	v, err := volumePatterns(runs)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := v.x.Dims(); n != 12 || strings.Join(v.labels, "") != "aaabbbbbbaaa" || v.runs[11] != "run02" {
		t.Fatalf("volumes: %d samples, labels %v", n, v.labels)
	}
	// Each run's series is z-scored over all 10 volumes: volume 2 of run
	// 1, voxel 0, is (20 - 45) / sd(0, 10, ..., 90).
	if got, want := v.x.At(0, 0), (20.0-45)/math.Sqrt(825); math.Abs(got-want) > 1e-12 {
		t.Errorf("volume z-score %v, want %v", got, want)
	}
	m, err := meanPatterns(runs)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := m.x.Dims(); n != 4 || strings.Join(m.labels, "") != "abba" {
		t.Fatalf("means: %d samples, labels %v", n, m.labels)
	}
	// Two blocks per run: z-scored, each voxel is -1 then +1.
	if m.x.At(0, 0) != -1 || m.x.At(1, 0) != 1 {
		t.Errorf("block means z-scored: %v", mat.Formatted(m.x))
	}
	b, err := betaPatterns(runs, -1)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := b.x.Dims(); n != 4 || strings.Join(b.labels, "") != "abba" || b.runs[2] != "run02" {
		t.Fatalf("betas: %d samples, labels %v", n, b.labels)
	}
}
