package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/tensor"
)

// RunFiles are the files of one run. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type RunFiles struct {
	Task      string
	Number    int
	Bold      string // 4D NIfTI, float32, gzip
	Events    string // BIDS events.tsv
	Frames    int
	NumTrials int
}

// Dataset lists what Write produced. Paths are absolute. It is a plain
// value: safe for concurrent use as long as no goroutine modifies it.
type Dataset struct {
	Dir        string
	Runs       []RunFiles
	VisualMask string // visual voxels (early and higher)
	BrainMask  string
	// TrainStim and TestStim are the stim_file values of the training and
	// test images, in the order of TrainImages and TestImages.
	TrainStim, TestStim []string
	// Truth files: the noise-free image-specific responses of the visual
	// voxels (mask order) to the training and test images, .npy float64.
	TrainTruth, TestTruth string
}

// StimFile is the stim_file (relative to the dataset directory) of image
// index i.
func StimFile(i int) string { return fmt.Sprintf("stimuli/img%05d.png", i) }

const subject = "sub-01"

// Write writes the experiment under dir as a small BIDS dataset:
//
//	dataset_description.json
//	stimuli/imgNNNNN.png                  the images shown
//	sub-01/func/sub-01_task-{train,test}_run-NN_bold.nii.gz and _events.tsv
//	derivatives/sim/                      masks, noise-free responses,
//	                                      the configuration
//
// Runs are 4D float32 NIfTI-1 images of the voxel grid with the TR in
// pixdim[4]; events have onset, duration, trial_type (train or test),
// stim_file and image_index.
func (p *Participant) Write(dir string) (*Dataset, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	funcDir := filepath.Join(dir, subject, "func")
	derivDir := filepath.Join(dir, "derivatives", "sim")
	for _, d := range []string{funcDir, derivDir, filepath.Join(dir, "stimuli")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	ds := &Dataset{Dir: dir}
	if err := p.writeMeta(ds, dir, derivDir); err != nil {
		return nil, err
	}
	specs := make([][]float64, len(p.runs))
	evokeds := make([][]float64, len(p.runs))
	for i, r := range p.runs {
		if specs[i], evokeds[i], err = p.signals(r); err != nil {
			return nil, err
		}
	}
	sd := p.noiseSD(specs)
	rng := p.cfg.stream(5)
	var medSD float64
	for _, s := range sd {
		medSD += s / float64(len(sd))
	}
	for i, r := range p.runs {
		base := fmt.Sprintf("%s_task-%s_run-%02d", subject, r.task, r.number)
		rf := RunFiles{Task: r.task, Number: r.number, Frames: r.frames, NumTrials: len(r.trials),
			Bold: filepath.Join(funcDir, base+"_bold.nii.gz"), Events: filepath.Join(funcDir, base+"_events.tsv")}
		if err := p.writeRun(rf, r, specs[i], evokeds[i], sd, medSD, rng.NormFloat64, rng.Float64); err != nil {
			return nil, err
		}
		ds.Runs = append(ds.Runs, rf)
	}
	if err := p.writeSidecars(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// header returns a float32 NIfTI-1 header for the grid with frames volumes.
func (p *Participant) header(dt nifti.Datatype, frames int) (*nifti.Header, error) {
	g := p.cfg.Grid
	shape := []int{g[0], g[1], g[2]}
	if frames > 0 {
		shape = append(shape, frames)
	}
	h, err := nifti.NewHeader(dt, shape...)
	if err != nil {
		return nil, err
	}
	mm := p.cfg.VoxelMM
	// RAS+ axes, centred on the grid.
	h.SetAffine(nifti.Affine{
		{mm, 0, 0, -mm * float64(g[0]-1) / 2},
		{0, mm, 0, -mm * float64(g[1]-1) / 2},
		{0, 0, mm, -mm * float64(g[2]-1) / 2},
	}, nifti.XformScanner)
	h.Pixdim[4] = p.cfg.TR
	h.SetUnits(nifti.UnitMM, nifti.UnitSec)
	h.Descrip = "neurolatent simulated participant"
	return h, nil
}

func (p *Participant) writeRun(rf RunFiles, r runPlan, spec, evoked, sd []float64, otherSD float64, normal, uniform func() float64) error {
	g := p.cfg.Grid
	nvol := g[0] * g[1] * g[2]
	h, err := p.header(nifti.Float32, r.frames)
	if err != nil {
		return err
	}
	im := &nifti.Image{Header: h, Data: make([]float64, nvol*r.frames)}
	visual := make([]int, nvol)
	for i := range visual {
		visual[i] = -1
	}
	for v, vx := range p.vox {
		visual[vx.offset] = v
	}
	nv := len(p.vox)
	noise := make([]float64, r.frames)
	dr := make([]float64, r.frames)
	for off := 0; off < nvol; off++ {
		if !p.inBrain[off] {
			continue // outside the brain: exactly 0, as skull-stripped data
		}
		// Baseline intensity varies smoothly over the brain.
		x, y, z := off%g[0], (off/g[0])%g[1], off/(g[0]*g[1])
		base := 1000 + 100*math.Sin(0.3*float64(x))*math.Cos(0.2*float64(y)) + 50*math.Sin(0.5*float64(z))
		s := otherSD
		v := visual[off]
		if v >= 0 {
			s = sd[v]
		}
		ar1(noise, p.cfg.AR, s, normal)
		drift(dr, p.cfg.DriftSD*s, normal, uniform)
		for t := 0; t < r.frames; t++ {
			val := noise[t] + dr[t]
			if v >= 0 {
				val += spec[t*nv+v] + evoked[t*nv+v]
			}
			// Signal in percent of the baseline.
			im.Data[off+nvol*t] = base * (1 + 0.01*val)
		}
	}
	if err := nifti.WriteFile(rf.Bold, im); err != nil {
		return err
	}
	tab := &events.Table{Columns: []string{events.ColOnset, events.ColDuration, events.ColTrialType, events.ColStimFile, "image_index"}}
	for _, tr := range r.trials {
		tab.Events = append(tab.Events, events.Event{Onset: math.Round(tr.onset*1000) / 1000, Duration: p.cfg.StimDuration,
			TrialType: r.task, StimFile: StimFile(tr.img), Extra: map[string]string{"image_index": strconv.Itoa(tr.img)}})
	}
	return events.WriteFile(rf.Events, tab)
}

// writeMeta writes the stimuli, masks, truth and configuration.
func (p *Participant) writeMeta(ds *Dataset, dir, derivDir string) error {
	desc := map[string]any{"Name": "neurolatent simulated participant", "BIDSVersion": "1.8.0", "DatasetType": "raw"}
	if err := writeJSON(filepath.Join(dir, "dataset_description.json"), desc); err != nil {
		return err
	}
	for _, set := range []struct {
		imgs []int
		stim *[]string
	}{{p.train, &ds.TrainStim}, {p.test, &ds.TestStim}} {
		for _, i := range set.imgs {
			*set.stim = append(*set.stim, StimFile(i))
			if err := tensor.SavePNG(filepath.Join(dir, StimFile(i)), p.images.Tensor(i), false); err != nil {
				return err
			}
		}
	}
	g := p.cfg.Grid
	nvol := g[0] * g[1] * g[2]
	for _, m := range []struct {
		name string
		dst  *string
		sel  func(off int) bool
	}{
		{"visual", &ds.VisualMask, nil},
		{"brain", &ds.BrainMask, func(off int) bool { return p.inBrain[off] }},
	} {
		h, err := p.header(nifti.Uint8, 0)
		if err != nil {
			return err
		}
		im := &nifti.Image{Header: h, Data: make([]float64, nvol)}
		if m.sel == nil {
			for _, v := range p.vox {
				im.Data[v.offset] = 1
			}
		} else {
			for off := range im.Data {
				if m.sel(off) {
					im.Data[off] = 1
				}
			}
		}
		*m.dst = filepath.Join(derivDir, fmt.Sprintf("%s_desc-%s_mask.nii.gz", subject, m.name))
		if err := nifti.WriteFile(*m.dst, im); err != nil {
			return err
		}
	}
	// Truth in mask order: the mask lists voxels by increasing offset.
	order := p.maskOrder()
	for _, set := range []struct {
		imgs []int
		dst  *string
		name string
	}{{p.train, &ds.TrainTruth, "train"}, {p.test, &ds.TestTruth, "test"}} {
		data := make([]float64, 0, len(set.imgs)*len(order))
		for _, i := range set.imgs {
			for _, v := range order {
				data = append(data, p.signal[i][v])
			}
		}
		*set.dst = filepath.Join(derivDir, fmt.Sprintf("%s_desc-%struth_responses.npy", subject, set.name))
		if err := tensor.SaveNPY(*set.dst, tensor.New64(data, len(set.imgs), len(order))); err != nil {
			return err
		}
	}
	return writeJSON(filepath.Join(derivDir, "config.json"), p.cfg)
}

// maskOrder returns the visual voxels sorted by volume offset (the order
// of a mask read from the visual mask file).
func (p *Participant) maskOrder() []int {
	g := p.cfg.Grid
	at := make([]int, g[0]*g[1]*g[2])
	for i := range at {
		at[i] = -1
	}
	for v, vx := range p.vox {
		at[vx.offset] = v
	}
	var out []int
	for _, v := range at {
		if v >= 0 {
			out = append(out, v)
		}
	}
	return out
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}
