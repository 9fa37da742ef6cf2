package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/tensor"
)

// RunFiles are the files of one run. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type RunFiles struct {
	Task   string
	Number int
	Bold   string // 4D NIfTI, float32, gzip
	Events string // BIDS events.tsv
	// Confounds is an fMRIPrep-style *_desc-confounds_timeseries.tsv in
	// derivatives/sim: global_signal, framewise_displacement, the six
	// motion parameters (MotionColumns) and their derivatives.
	Confounds string
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
//	                                      confounds (fMRIPrep-style), the
//	                                      configuration
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
	bn := p.brainNoise(p.cfg.stream(8))
	for i, r := range p.runs {
		base := fmt.Sprintf("%s_task-%s_run-%02d", subject, r.task, r.number)
		rf := RunFiles{Task: r.task, Number: r.number, Frames: r.frames, NumTrials: len(r.trials),
			Bold: filepath.Join(funcDir, base+"_bold.nii.gz"), Events: filepath.Join(funcDir, base+"_events.tsv"),
			Confounds: filepath.Join(derivDir, base+"_desc-confounds_timeseries.tsv")}
		if err := p.writeRun(rf, r, specs[i], evokeds[i], sd, medSD, bn, rng); err != nil {
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

func (p *Participant) writeRun(rf RunFiles, r runPlan, spec, evoked, sd []float64, otherSD float64, bn *brainNoise, rng *rand.Rand) error {
	c := &p.cfg
	g := c.Grid
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
	nv, nb, T := len(p.vox), len(bn.offsets), r.frames
	normal := rng.NormFloat64

	// Spatially smooth noise: white noise smoothed in space, AR(1) in time,
	// unit variance.
	var smooth []float64
	if c.SmoothFraction > 0 {
		smooth = make([]float64, T*nb)
		k := gaussKernel(c.SmoothFWHM / c.VoxelMM)
		vol, tmp := make([]float64, nvol), make([]float64, nvol)
		innov := math.Sqrt(1 - c.AR*c.AR)
		for t := 0; t < T; t++ {
			for i := range vol {
				vol[i] = normal()
			}
			smoothVolume(vol, tmp, g, k)
			for i, off := range bn.offsets {
				x := vol[off] / bn.smoothSD
				if t > 0 {
					x = c.AR*smooth[(t-1)*nb+i] + innov*x
				}
				smooth[t*nb+i] = x
			}
		}
	}
	// The global signal: slow AR(1), unit variance.
	global := make([]float64, T)
	ar1(global, 0.9, 1, normal)
	// Physiology: cardiac and respiratory rhythms whose rates wander a
	// little, sampled at each slice's time (so aliased by the TR).
	cardHz, breathHz := 1.0+0.3*rng.Float64(), 0.25+0.1*rng.Float64()
	cardPh, breathPh := make([]float64, T), make([]float64, T)
	for t := 1; t < T; t++ {
		cardPh[t] = cardPh[t-1] + 2*math.Pi*c.TR*cardHz*(1+0.03*normal())
		breathPh[t] = breathPh[t-1] + 2*math.Pi*c.TR*breathHz*(1+0.05*normal())
	}
	mot := headMotion(T, c.MotionMM, rng)

	noise := make([]float64, T)
	dr := make([]float64, T)
	gs := make([]float64, T) // the global signal as fMRIPrep computes it
	for i, off := range bn.offsets {
		s := otherSD
		v := visual[off]
		sel := 0.0
		if v >= 0 {
			s, sel = sd[v], p.vox[v].selectivity
		}
		ar1(noise, c.AR, s*math.Sqrt(1-c.SmoothFraction), normal)
		drift(dr, c.DriftSD*s, normal)
		sliceT := bn.slice[i] * c.TR
		for t := 0; t < T; t++ {
			val := noise[t] + dr[t] + c.GlobalSD*s*bn.global[i]*global[t]
			if smooth != nil {
				val += s * math.Sqrt(c.SmoothFraction) * smooth[t*nb+i]
			}
			if c.PhysioSD > 0 {
				val += c.PhysioSD * s * (bn.cardiac[i]*math.Cos(cardPh[t]+2*math.Pi*cardHz*sliceT+bn.phase[i]) +
					bn.breath[i]*math.Cos(breathPh[t]+2*math.Pi*breathHz*sliceT+bn.phase[i]))
			}
			if v >= 0 {
				val += sel*spec[t*nv+v] + evoked[t*nv+v]
			}
			// Signal in percent of the baseline; motion moves the baseline
			// image under the voxel.
			d := mot.displacement(t, bn.pos[i])
			x := bn.base[i]*(1+0.01*val) - (bn.grad[i][0]*d[0] + bn.grad[i][1]*d[1] + bn.grad[i][2]*d[2])
			im.Data[off+nvol*t] = x
			gs[t] += x / float64(nb)
		}
	}
	if err := nifti.WriteFile(rf.Bold, im); err != nil {
		return err
	}
	if err := writeConfounds(rf.Confounds, mot, gs); err != nil {
		return err
	}
	tab := &events.Table{Columns: []string{events.ColOnset, events.ColDuration, events.ColTrialType, events.ColStimFile, "image_index"}}
	for _, tr := range r.trials {
		tab.Events = append(tab.Events, events.Event{Onset: math.Round(tr.onset*1000) / 1000, Duration: c.StimDuration,
			TrialType: r.task, StimFile: StimFile(tr.img), Extra: map[string]string{"image_index": strconv.Itoa(tr.img)}})
	}
	return events.WriteFile(rf.Events, tab)
}

// MotionColumns are fMRIPrep's names of the six rigid-body motion
// parameters (mm and radians), the confounds a GLM usually takes.
var MotionColumns = []string{"trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"}

// writeConfounds writes an fMRIPrep-style confounds table: the global
// signal, framewise displacement, the six motion parameters and their
// first differences ("n/a" where undefined, as fMRIPrep writes).
func writeConfounds(path string, m motion, gs []float64) error {
	var b strings.Builder
	cols := []string{"global_signal", "framewise_displacement"}
	for _, c := range MotionColumns {
		cols = append(cols, c, c+"_derivative1")
	}
	b.WriteString(strings.Join(cols, "\t"))
	b.WriteByte('\n')
	fd := m.framewiseDisplacement()
	num := func(v float64) string {
		if math.IsNaN(v) {
			return "n/a"
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for t := range m {
		row := []string{num(gs[t]), num(fd[t])}
		for k := 0; k < 6; k++ {
			d := math.NaN()
			if t > 0 {
				d = m[t][k] - m[t-1][k]
			}
			row = append(row, num(m[t][k]), num(d))
		}
		b.WriteString(strings.Join(row, "\t"))
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
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
				data = append(data, p.signal[i][v]*p.vox[v].selectivity)
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
