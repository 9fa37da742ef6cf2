package main

import (
	"fmt"
	"math"

	"github.com/neurolatent/neurolatent/decode/classify"
	"github.com/neurolatent/neurolatent/decode/glm"
	"gonum.org/v1/gonum/mat"
)

// patterns are the samples of one analysis: one row per sample, with its
// category and run.
type patterns struct {
	x      *mat.Dense
	labels []string
	runs   []string
	// constant counts the voxels that were constant within some run (set
	// to 0 by the z-scoring).
	constant int
}

// Pattern kinds.
const (
	kindBetas  = "betas"   // one GLM beta per block
	kindVolume = "volumes" // every volume inside a block
	kindMeans  = "means"   // the mean of each block's volumes
)

var kindNames = map[string]string{
	kindBetas:  "block betas (GLM)",
	kindVolume: "volumes",
	kindMeans:  "block means",
}

func runName(i int) string { return fmt.Sprintf("run%02d", i+1) }

// betaPatterns fits one GLM per run with a regressor per block (SPM
// canonical HRF, cosine drifts for the high-pass cut-off hp, a constant)
// and z-scores each voxel's betas within each run.
func betaPatterns(runs []glm.Run, hp float64) (*patterns, error) {
	b, err := glm.TrialBetas(runs, glm.Options{Method: glm.LSA, HighPass: hp})
	if err != nil {
		return nil, err
	}
	p := &patterns{x: b.Values}
	for _, t := range b.Trials {
		p.labels = append(p.labels, t.TrialType)
		p.runs = append(p.runs, runName(t.Run))
	}
	return p, p.zscore()
}

// blockFrames returns the volumes of event e of run r: those whose
// acquisition time (k*TR) lies in [onset, onset+duration).
func blockFrames(r glm.Run, ev int) (lo, hi int, err error) {
	e := r.Events[ev]
	tr := r.Timing.TR
	if math.IsNaN(e.Duration) {
		return 0, 0, fmt.Errorf("%s: event %d (%q at %g s) has duration n/a; blocks need durations", r.Name, ev, e.TrialType, e.Onset)
	}
	lo = int(math.Ceil(e.Onset/tr - 1e-9))
	hi = int(math.Ceil((e.Onset+e.Duration)/tr - 1e-9))
	lo, hi = max(lo, 0), min(hi, r.Timing.Frames)
	if lo < 0 || lo >= hi {
		return 0, 0, fmt.Errorf("%s: event %d (%q at %g s for %g s) covers no volume", r.Name, ev, e.TrialType, e.Onset, e.Duration)
	}
	return lo, hi, nil
}

// volumePatterns z-scores each voxel's time series within each run (over
// all its volumes, the baseline included) and keeps the volumes inside a
// block, labelled with the block's category, as PyMVPA's classic Haxby
// analysis does (no shift for the haemodynamic delay).
func volumePatterns(runs []glm.Run) (*patterns, error) {
	p := &patterns{}
	var rows [][]float64
	constant := map[int]bool{}
	for i, r := range runs {
		y := mat.DenseCopyOf(r.Data)
		for _, c := range glm.ZScoreColumns(y) {
			constant[c] = true
		}
		for ev := range r.Events {
			lo, hi, err := blockFrames(r, ev)
			if err != nil {
				return nil, err
			}
			for k := lo; k < hi; k++ {
				rows = append(rows, y.RawRowView(k))
				p.labels = append(p.labels, r.Events[ev].TrialType)
				p.runs = append(p.runs, runName(i))
			}
		}
	}
	p.x = stack(rows)
	p.constant = len(constant)
	return p, nil
}

// meanPatterns averages each block's volumes and z-scores each voxel's
// block means within each run.
func meanPatterns(runs []glm.Run) (*patterns, error) {
	p := &patterns{}
	var rows [][]float64
	for i, r := range runs {
		_, nv := r.Data.Dims()
		for ev := range r.Events {
			lo, hi, err := blockFrames(r, ev)
			if err != nil {
				return nil, err
			}
			m := make([]float64, nv)
			for k := lo; k < hi; k++ {
				for j, v := range r.Data.RawRowView(k) {
					m[j] += v / float64(hi-lo)
				}
			}
			rows = append(rows, m)
			p.labels = append(p.labels, r.Events[ev].TrialType)
			p.runs = append(p.runs, runName(i))
		}
	}
	p.x = stack(rows)
	return p, p.zscore()
}

func (p *patterns) zscore() error {
	c, err := classify.ZScoreByRun(p.x, p.runs)
	p.constant = len(c)
	return err
}

func stack(rows [][]float64) *mat.Dense {
	if len(rows) == 0 {
		return nil
	}
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		copy(m.RawRowView(i), r)
	}
	return m
}
