package decode

import (
	"fmt"
	"math"
	"slices"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"gonum.org/v1/gonum/mat"
)

// LoadRuns reads fMRI runs from files: for each i, the 4D image bold[i]
// (only the voxels of mask; nil means all, and every run must then have
// the first one's grid) and the events file events[i].
// The TR comes from each image header (see nifti.Header.TR, which also
// handles TRs stored in ms); notes about the header's units are returned,
// one per run ("" when none).
func LoadRuns(bold, evs []string, mask *nifti.Mask) ([]glm.Run, []string, error) {
	if len(bold) == 0 {
		return nil, nil, fmt.Errorf("decode: no runs")
	}
	if len(bold) != len(evs) {
		return nil, nil, fmt.Errorf("decode: %d BOLD files and %d events files", len(bold), len(evs))
	}
	runs := make([]glm.Run, len(bold))
	notes := make([]string, len(bold))
	var grid []int
	for i := range bold {
		data, h, err := nifti.ReadMasked(bold[i], mask)
		if err != nil {
			return nil, nil, err
		}
		if s := h.Shape()[:3]; grid == nil {
			grid = s
		} else if mask == nil && !slices.Equal(s, grid) {
			return nil, nil, fmt.Errorf("decode: %s: grid %v differs from %s's %v (without a mask every run needs the same grid)", bold[i], s, bold[0], grid)
		}
		if err := checkFiniteVoxels(bold[i], data, mask, h); err != nil {
			return nil, nil, err
		}
		if h.NumVolumes() < 2 {
			return nil, nil, fmt.Errorf("decode: %s: a run needs a 4D image, this one has %d volume", bold[i], h.NumVolumes())
		}
		tr, note, err := h.TR()
		if err != nil {
			return nil, nil, fmt.Errorf("decode: %s: %w", bold[i], err)
		}
		tab, err := events.ReadFile(evs[i])
		if err != nil {
			return nil, nil, err
		}
		notes[i] = note
		runs[i] = glm.Run{Name: bold[i], Timing: glm.Timing{Frames: h.NumVolumes(), TR: tr}, Events: tab.Events, Data: data}
	}
	return runs, notes, nil
}

// TrialBetasFromFiles estimates single-trial betas from BOLD and events
// files: LoadRuns with the mask at maskPath ("" for every voxel), then
// glm.TrialBetas. It returns the betas and the mask used. RunFiles does
// the same with confounds.
func TrialBetasFromFiles(bold, evs []string, maskPath string, opt glm.Options) (*glm.Betas, *nifti.Mask, error) {
	return RunFiles{Bold: bold, Events: evs, Mask: maskPath}.TrialBetas(opt)
}

// RunFiles lists a study's run files: the 4D BOLD images, their events
// files and, optionally, their confounds tables (fMRIPrep's
// *_desc-confounds_timeseries.tsv), in the same order, and the mask. It is
// a plain value: safe for concurrent use as long as no goroutine modifies
// it.
type RunFiles struct {
	Bold, Events, Confounds []string
	// ConfoundColumns are the confounds' columns used as nuisance
	// regressors (nil: MotionConfounds).
	ConfoundColumns []string
	Mask            string // a 3D NIfTI mask ("": every voxel)
	// TR, when given, is each run's repetition time in seconds, in place
	// of the headers' (BIDS takes the sidecar's RepetitionTime as right).
	TR []float64
}

// TrialBetas estimates single-trial betas run by run: each run is read
// (LoadRuns with the mask), given its confounds when there are any, fitted
// (glm.TrialBetas) and dropped before the next is read, so memory holds one
// run's time series and the betas, however many runs there are. The result
// equals glm.TrialBetas on all runs at once. It returns the betas and the
// mask used.
func (f RunFiles) TrialBetas(opt glm.Options) (*glm.Betas, *nifti.Mask, error) {
	if len(f.Bold) == 0 {
		return nil, nil, fmt.Errorf("decode: no runs")
	}
	if len(f.Bold) != len(f.Events) {
		return nil, nil, fmt.Errorf("decode: %d BOLD files and %d events files", len(f.Bold), len(f.Events))
	}
	if len(f.Confounds) > 0 && len(f.Confounds) != len(f.Bold) {
		return nil, nil, fmt.Errorf("decode: %d confounds files for %d runs", len(f.Confounds), len(f.Bold))
	}
	mask, err := loadMask(f.Mask)
	if err != nil {
		return nil, nil, err
	}
	if f.TR != nil && len(f.TR) != len(f.Bold) {
		return nil, nil, fmt.Errorf("decode: %d TRs for %d runs", len(f.TR), len(f.Bold))
	}
	for i, tr := range f.TR {
		if !(tr > 0) || tr > 100 {
			return nil, nil, fmt.Errorf("decode: %s: TR %g s is not plausible", f.Bold[i], tr)
		}
	}
	cols := f.ConfoundColumns
	if cols == nil {
		cols = MotionConfounds
	}
	trials, err := f.checkGrids(mask, opt.IsTrial)
	if err != nil {
		return nil, nil, err
	}
	out := &glm.Betas{}
	var rows []float64 // the betas, row-major, grown run by run
	nvox := 0
	constant := map[int]bool{}
	for i := range f.Bold {
		runs, _, err := LoadRuns(f.Bold[i:i+1], f.Events[i:i+1], mask)
		if err != nil {
			return nil, nil, err
		}
		if mask == nil {
			// Built from the first run's data once read (never from a
			// header's claim alone), it makes every later run match its grid.
			if mask, err = fullMask(f.Bold[0]); err != nil {
				return nil, nil, err
			}
		}
		if f.TR != nil {
			runs[0].Timing.TR = f.TR[i]
		}
		if len(f.Confounds) > 0 {
			if err := AddConfounds(runs, f.Confounds[i:i+1], cols); err != nil {
				return nil, nil, err
			}
		}
		b, err := glm.TrialBetas(runs, opt)
		if err != nil {
			return nil, nil, err
		}
		raw := b.Values.RawMatrix()
		nvox = raw.Cols
		if rows == nil {
			// Sized once: growing by appends would hold up to three times
			// the betas at the moment of a copy.
			rows = make([]float64, 0, trials*nvox)
		}
		for r := range raw.Rows {
			rows = append(rows, raw.Data[r*raw.Stride:r*raw.Stride+raw.Cols]...)
		}
		for _, t := range b.Trials {
			t.Run = i
			out.Trials = append(out.Trials, t)
		}
		for _, c := range b.ConstantVoxels {
			constant[c] = true
		}
	}
	out.Values = mat.NewDense(len(out.Trials), nvox, rows)
	for c := range constant {
		out.ConstantVoxels = append(out.ConstantVoxels, c)
	}
	slices.Sort(out.ConstantVoxels)
	return out, mask, nil
}

// checkGrids reads every run's header and events before any run is
// fitted, so that a wrong grid or a bad events file in the last run stops
// the work at once rather than after the first runs' fits. It returns the
// number of trials (the events isTrial accepts; all when nil).
func (f RunFiles) checkGrids(mask *nifti.Mask, isTrial func(events.Event) bool) (int, error) {
	trials := 0
	var grid []int
	if mask != nil {
		grid = mask.Shape[:]
	}
	for i, p := range f.Bold {
		h, err := nifti.ReadHeader(p)
		if err != nil {
			return 0, err
		}
		s := h.Shape()[:3]
		switch {
		case grid == nil:
			grid = s
		case !slices.Equal(s, grid) && mask != nil:
			return 0, fmt.Errorf("decode: %s: grid %v does not match the mask's %v", p, s, grid)
		case !slices.Equal(s, grid):
			return 0, fmt.Errorf("decode: %s: grid %v differs from %s's %v (without a mask every run needs the same grid)", p, s, f.Bold[0], grid)
		}
		tab, err := events.ReadFile(f.Events[i])
		if err != nil {
			return 0, err
		}
		for _, e := range tab.Events {
			if isTrial == nil || isTrial(e) {
				trials++
			}
		}
	}
	return trials, nil
}

// checkFiniteVoxels reports the first NaN or Inf of a run with the voxel's
// grid coordinates, so that the user can fix the mask.
func checkFiniteVoxels(name string, data *mat.Dense, mask *nifti.Mask, h *nifti.Header) error {
	r, _ := data.Dims()
	for t := 0; t < r; t++ {
		for j, v := range data.RawRowView(t) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				var c [3]int
				if mask != nil {
					c = mask.Coords(j)
				} else {
					s := h.Shape()
					c = [3]int{j % s[0], (j / s[0]) % s[1], j / (s[0] * s[1])}
				}
				return fmt.Errorf("decode: %s: voxel (%d, %d, %d) is %v at volume %d; leave it out of the mask (masks built with nifti.NewMask skip non-finite voxels)", name, c[0], c[1], c[2], v, t)
			}
		}
	}
	return nil
}
