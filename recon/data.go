package recon

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/internal/safepath"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Data is what decoding needs: one row of voxel responses per training
// stimulus and per test stimulus (test responses averaged over repeats),
// and the stimuli themselves, row for row, at the model's image size.
type Data struct {
	TrainBetas, TestBetas   *mat.Dense
	TrainImages, TestImages *nt.Dense
	// TrainStimuli and TestStimuli name each row's stimulus (a stim_file
	// value, an image number...), for reports and labels.
	TrainStimuli, TestStimuli []string
	// TrainLabels and TestLabels give each row's category when known (nil
	// otherwise): they enable the category-oracle baseline and
	// within-category identification. SetLabels fills them.
	TrainLabels, TestLabels []string
	// TestTrials are the test responses before repeats were averaged, one
	// row per trial, and TestTrialStimuli each trial's stimulus (nil when
	// unknown): from them Decode reports how reliable the responses are.
	TestTrials       *mat.Dense
	TestTrialStimuli []string
	// SNR is the simulated participant's signal-to-noise ratio (0 for
	// real data).
	SNR float64
	// Source says where the data came from, for reports.
	Source string
}

// Check reports inconsistent data before any long computation.
func (d *Data) Check(m Model) error {
	if d == nil || d.TrainBetas == nil || d.TestBetas == nil {
		return errNoData
	}
	if err := checkImages(m, "training", d.TrainImages); err != nil {
		return err
	}
	if err := checkImages(m, "test", d.TestImages); err != nil {
		return err
	}
	nr, vr := d.TrainBetas.Dims()
	ne, ve := d.TestBetas.Dims()
	switch {
	case nr != d.TrainImages.Shape()[0]:
		return fmt.Errorf("recon: %d training response rows but %d training stimuli", nr, d.TrainImages.Shape()[0])
	case ne != d.TestImages.Shape()[0]:
		return fmt.Errorf("recon: %d test response rows but %d test stimuli", ne, d.TestImages.Shape()[0])
	case vr != ve:
		return fmt.Errorf("recon: %d voxels in the training responses, %d in the test responses", vr, ve)
	case nr < MinTrain || ne < 2:
		return fmt.Errorf("recon: %d training and %d test stimuli: need at least %d and 2", nr, ne, MinTrain)
	case d.TrainStimuli != nil && len(d.TrainStimuli) != nr, d.TestStimuli != nil && len(d.TestStimuli) != ne:
		return fmt.Errorf("recon: %d and %d stimulus names for %d training and %d test rows", len(d.TrainStimuli), len(d.TestStimuli), nr, ne)
	case (d.TrainLabels == nil) != (d.TestLabels == nil),
		d.TrainLabels != nil && (len(d.TrainLabels) != nr || len(d.TestLabels) != ne):
		return fmt.Errorf("recon: %d and %d labels for %d training and %d test rows", len(d.TrainLabels), len(d.TestLabels), nr, ne)
	}
	for _, b := range []*mat.Dense{d.TrainBetas, d.TestBetas} {
		for _, v := range b.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("recon: responses contain %v", v)
			}
		}
	}
	return nil
}

// MinTrain is the fewest training stimuli Decode accepts: five folds of
// cross-validation need five.
const MinTrain = 5

// SetLabels gives every training and test row the category label(stim)
// of its stimulus. If any stimulus has none, no row gets one and the error
// names it: the category scores need them all.
func (d *Data) SetLabels(label func(stim string) (string, bool)) error {
	if d.TrainStimuli == nil || d.TestStimuli == nil {
		return errors.New("recon: the data do not name their stimuli, so they cannot be labelled")
	}
	get := func(names []string) ([]string, error) {
		out := make([]string, len(names))
		for i, n := range names {
			l, ok := label(n)
			if !ok {
				return nil, fmt.Errorf("recon: stimulus %q has no label", n)
			}
			out[i] = l
		}
		return out, nil
	}
	train, err := get(d.TrainStimuli)
	if err != nil {
		return err
	}
	test, err := get(d.TestStimuli)
	if err != nil {
		return err
	}
	d.TrainLabels, d.TestLabels = train, test
	return nil
}

// Simulate runs a simulated participant on images ([N,C,H,W] in [0,1], at
// the model's size): it writes the experiment under dir (4D NIfTI runs and
// BIDS events, as sim.Participant.Write does), then reads it back like real
// data: single-trial betas by the GLM (LSS, z-scored runs) through the
// visual mask, test trials averaged over repeats.
//
// The GLM takes the six motion parameters of the confounds files the
// simulation writes as nuisance regressors; SimulateConfounds chooses
// other columns or none.
func Simulate(images *nt.Dense, cfg sim.Config, dir string, log io.Writer) (*Data, error) {
	return SimulateConfounds(images, cfg, dir, decode.MotionConfounds, log)
}

// SimulateConfounds is Simulate with the columns of the simulation's
// confounds files that the GLM takes as nuisance regressors (nil: none).
func SimulateConfounds(images *nt.Dense, cfg sim.Config, dir string, confounds []string, log io.Writer) (*Data, error) {
	set, err := sim.FromTensor(images)
	if err != nil {
		return nil, err
	}
	p, err := sim.New(cfg, set)
	if err != nil {
		return nil, err
	}
	say(log, "simulating a participant: %d training images, %d test images x %d repeats, SNR %g, %d visual voxels",
		cfg.TrainImages, cfg.TestImages, cfg.TestRepeats, cfg.SNR, p.NumVisual())
	ds, err := p.Write(dir)
	if err != nil {
		return nil, err
	}
	train := decode.RunFiles{Mask: ds.VisualMask, ConfoundColumns: confounds}
	test := train
	for _, r := range ds.Runs {
		set := &train
		if r.Task == "test" {
			set = &test
		}
		set.Bold, set.Events = append(set.Bold, r.Bold), append(set.Events, r.Events)
		if len(confounds) > 0 {
			set.Confounds = append(set.Confounds, r.Confounds)
		}
	}
	index := map[string]int{}
	for i := range images.Shape()[0] {
		index[sim.StimFile(i)] = i
	}
	byFile := func(name string) (int, error) {
		i, ok := index[name]
		if !ok {
			return 0, fmt.Errorf("recon: stim_file %q is not one of the simulated images", name)
		}
		return i, nil
	}
	say(log, "estimating trial betas: %d training runs, %d test runs%s", len(train.Bold), len(test.Bold), confoundNote(confounds))
	d := &Data{SNR: cfg.SNR, Source: fmt.Sprintf("simulated participant (seed %d) in %s", cfg.Seed, dir)}
	var trainIdx, testIdx []int
	var tr *trials
	if d.TrainBetas, trainIdx, _, err = betasFor(train, byFile); err != nil {
		return nil, err
	}
	if d.TestBetas, testIdx, tr, err = betasFor(test, byFile); err != nil {
		return nil, err
	}
	d.TestTrials, d.TestTrialStimuli = tr.betas, tr.stimuli
	d.TrainImages, d.TestImages = gatherImages(images, trainIdx), gatherImages(images, testIdx)
	d.TrainStimuli, d.TestStimuli = simNames(trainIdx), simNames(testIdx)
	return d, nil
}

func simNames(idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = sim.StimFile(j)
	}
	return out
}

// betasFor estimates betas for runs, averages the trials of each stimulus
// and returns, row for row, the stimulus index that index gives each
// stim_file.
func betasFor(files decode.RunFiles, index func(string) (int, error)) (*mat.Dense, []int, *trials, error) {
	b, _, err := files.TrialBetas(glm.Options{Method: glm.LSS, ZScoreBold: true})
	if err != nil {
		return nil, nil, nil, err
	}
	keys, avg, _ := b.Average(glm.ByStimFile)
	idx := make([]int, len(keys))
	for i, k := range keys {
		if k == "" {
			return nil, nil, nil, fmt.Errorf("recon: trials without a stim_file in %s...: reconstruction needs the image each trial showed (a block design naming only categories cannot be reconstructed)", files.Events[0])
		}
		if idx[i], err = index(k); err != nil {
			return nil, nil, nil, err
		}
	}
	tr := &trials{betas: b.Values, stimuli: make([]string, len(b.Trials))}
	for i, t := range b.Trials {
		tr.stimuli[i] = glm.ByStimFile(t)
	}
	return avg, idx, tr, nil
}

// trials are single-trial betas before repeats are averaged.
type trials struct {
	betas   *mat.Dense
	stimuli []string
}

func gatherImages(images *nt.Dense, idx []int) *nt.Dense {
	s := images.Shape()
	row := s.TotalSize() / s[0]
	src := nt.Data32(images)
	out := make([]float32, 0, len(idx)*row)
	for _, i := range idx {
		out = append(out, src[i*row:(i+1)*row]...)
	}
	return nt.New32(out, append([]int{len(idx)}, s[1:]...)...)
}

// Stimuli finds the image of a stim_file value.
type Stimuli interface {
	// Image returns the stimulus as [C, H, W] in [0,1] at size.
	Image(stimFile string) ([]float32, error)
}

// Folder resolves stim_file values as paths under Dir (a BIDS stimuli
// folder), read and preprocessed to the model's size: the central square,
// resized (no extra crop, unlike the VAE-GAN's face preprocessing). A
// stim_file that leaves Dir (.., an absolute path, a link out) is refused.
type Folder struct {
	Dir      string
	Size     int
	Channels int
}

// Image loads and preprocesses one stimulus.
func (f Folder) Image(stimFile string) ([]float32, error) {
	// stim_file values come from data files: they may not leave the folder
	// (../../etc/passwd, absolute paths, links out).
	path, err := safepath.Join(f.Dir, stimFile)
	if err != nil {
		return nil, fmt.Errorf("recon: stim_file %q: %w", stimFile, err)
	}
	dst := make([]float32, f.Channels*f.Size*f.Size)
	p := dataset.Preprocess{Size: f.Size, CropFactor: 1, Gray: f.Channels == 1}
	if err := p.Load(path, f.Channels, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// Indexed resolves stim_file values that are integers (rows of an IDX
// image file, say) or end in an integer (img00042.png) to images of a set.
type Indexed struct{ Images *nt.Dense }

// Image returns the row the stim_file's number names.
func (x Indexed) Image(stimFile string) ([]float32, error) {
	i, ok := stimNumber(stimFile)
	s := x.Images.Shape()
	if !ok || i >= s[0] {
		return nil, fmt.Errorf("recon: stim_file %q does not name one of %d images", stimFile, s[0])
	}
	row := s.TotalSize() / s[0]
	return append([]float32(nil), nt.Data32(x.Images)[i*row:(i+1)*row]...), nil
}

// FromRunFiles estimates betas from real NIfTI runs, events files and,
// when given, confounds files (one per run; the GLM takes their
// ConfoundColumns as nuisance regressors): the training runs' trials (one
// row per stimulus, repeats averaged) and the test runs' (averaged over
// repeats); stimuli come from stim.
func FromRunFiles(train, test decode.RunFiles, stim Stimuli, shape [3]int, log io.Writer) (*Data, error) {
	if len(train.Bold) == 0 || len(train.Bold) != len(train.Events) || len(test.Bold) == 0 || len(test.Bold) != len(test.Events) {
		return nil, fmt.Errorf("recon: give one events file per run, for training and test runs (have %d/%d and %d/%d)",
			len(train.Bold), len(train.Events), len(test.Bold), len(test.Events))
	}
	for _, set := range []decode.RunFiles{train, test} {
		if len(set.Confounds) > 0 && len(set.Confounds) != len(set.Bold) {
			return nil, fmt.Errorf("recon: %d confounds files for %d runs: give one per run", len(set.Confounds), len(set.Bold))
		}
		for _, f := range slices.Concat(set.Bold, set.Events, set.Confounds) {
			if _, err := os.Stat(f); err != nil {
				return nil, fmt.Errorf("recon: %w", err)
			}
		}
	}
	var cache []float32
	var names []string
	seen := map[string]int{}
	index := func(name string) (int, error) {
		if i, ok := seen[name]; ok {
			return i, nil
		}
		img, err := stim.Image(name)
		if err != nil {
			return 0, err
		}
		seen[name] = len(names)
		names = append(names, name)
		cache = append(cache, img...)
		return len(names) - 1, nil
	}
	d := &Data{Source: fmt.Sprintf("%d training and %d test runs", len(train.Bold), len(test.Bold))}
	var cols []string
	if len(train.Confounds) > 0 || len(test.Confounds) > 0 {
		if cols = train.ConfoundColumns; cols == nil {
			cols = decode.MotionConfounds
		}
	}
	say(log, "estimating trial betas: %d training runs, %d test runs%s", len(train.Bold), len(test.Bold), confoundNote(cols))
	var trainIdx, testIdx []int
	var err error
	var tr *trials
	if d.TrainBetas, trainIdx, _, err = betasFor(train, index); err != nil {
		return nil, err
	}
	if d.TestBetas, testIdx, tr, err = betasFor(test, index); err != nil {
		return nil, err
	}
	d.TestTrials, d.TestTrialStimuli = tr.betas, tr.stimuli
	all := nt.New32(cache, len(names), shape[0], shape[1], shape[2])
	d.TrainImages, d.TestImages = gatherImages(all, trainIdx), gatherImages(all, testIdx)
	d.TrainStimuli, d.TestStimuli = pick(names, trainIdx), pick(names, testIdx)
	return d, nil
}

// confoundNote says which confounds the GLM takes, for the progress line.
func confoundNote(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return ", confounds " + strings.Join(cols, ", ")
}

func pick(names []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = names[j]
	}
	return out
}

func say(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// BetaFiles names trial betas already estimated: .npy files (one row per
// trial or stimulus, one column per voxel; float32 or float64) and text
// files naming each row's stimulus, one per line.
type BetaFiles struct {
	TrainBetas, TrainStimuli string
	TestBetas, TestStimuli   string
}

// FromBetaFiles reads the betas and their stimuli; rows of the same
// stimulus are averaged.
func FromBetaFiles(f BetaFiles, stim Stimuli, shape [3]int) (*Data, error) {
	trainNPY, testNPY, trainList, testList := f.TrainBetas, f.TestBetas, f.TrainStimuli, f.TestStimuli
	d := &Data{Source: fmt.Sprintf("betas %s and %s", trainNPY, testNPY)}
	var all []float32
	var stimNames []string // in order of first appearance, as rows of all
	seen := map[string]int{}
	var last *trials // the rows of the file loaded last, before averaging
	load := func(npy, list string) (*mat.Dense, []int, error) {
		b, err := loadMatrix(npy)
		if err != nil {
			return nil, nil, err
		}
		names, err := readLines(list)
		if err != nil {
			return nil, nil, err
		}
		if r, _ := b.Dims(); r != len(names) {
			return nil, nil, fmt.Errorf("recon: %s has %d rows but %s names %d stimuli", npy, r, list, len(names))
		}
		last = &trials{betas: b, stimuli: names}
		// Average rows of the same stimulus, in order of first appearance.
		order := map[string]int{}
		var keys []string
		for _, n := range names {
			if _, ok := order[n]; !ok {
				order[n] = len(keys)
				keys = append(keys, n)
			}
		}
		_, v := b.Dims()
		avg := mat.NewDense(len(keys), v, nil)
		count := make([]float64, len(keys))
		for i, n := range names {
			k := order[n]
			count[k]++
			row := avg.RawRowView(k)
			for j, x := range b.RawRowView(i) {
				row[j] += x
			}
		}
		idx := make([]int, len(keys))
		for k, n := range keys {
			row := avg.RawRowView(k)
			for j := range row {
				row[j] /= count[k]
			}
			i, ok := seen[n]
			if !ok {
				img, err := stim.Image(n)
				if err != nil {
					return nil, nil, err
				}
				i = len(seen)
				seen[n] = i
				stimNames = append(stimNames, n)
				all = append(all, img...)
			}
			idx[k] = i
		}
		return avg, idx, nil
	}
	var trainIdx, testIdx []int
	var err error
	if d.TrainBetas, trainIdx, err = load(trainNPY, trainList); err != nil {
		return nil, err
	}
	if d.TestBetas, testIdx, err = load(testNPY, testList); err != nil {
		return nil, err
	}
	d.TestTrials, d.TestTrialStimuli = last.betas, last.stimuli
	images := nt.New32(all, len(seen), shape[0], shape[1], shape[2])
	d.TrainImages, d.TestImages = gatherImages(images, trainIdx), gatherImages(images, testIdx)
	d.TrainStimuli, d.TestStimuli = pick(stimNames, trainIdx), pick(stimNames, testIdx)
	return d, nil
}

func loadMatrix(path string) (*mat.Dense, error) {
	t, err := nt.LoadNPY(path)
	if err != nil {
		return nil, err
	}
	s := t.Shape()
	if len(s) != 2 || s[0] == 0 || s[1] == 0 {
		return nil, fmt.Errorf("recon: %s has shape %v; want [rows, voxels]", path, s)
	}
	f, err := nt.ToFloat64(t)
	if err != nil {
		return nil, fmt.Errorf("recon: %s: %w", path, err)
	}
	return mat.NewDense(s[0], s[1], nt.Data64(f)), nil
}

func readLines(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recon: %w", err)
	}
	var out []string
	for i, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if strings.ContainsAny(l, "\t") {
			return nil, fmt.Errorf("recon: %s line %d: one stimulus per line, got %q", path, i+1, l)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("recon: %s lists no stimuli", path)
	}
	return out, nil
}

// NoiseFree is the simulated participant's noise-free image-specific
// responses as betas, with no scanning, GLM or noise: the data on which a
// correct pipeline must decode almost perfectly.
func NoiseFree(images *nt.Dense, cfg sim.Config) (*Data, error) {
	set, err := sim.FromTensor(images)
	if err != nil {
		return nil, err
	}
	p, err := sim.New(cfg, set)
	if err != nil {
		return nil, err
	}
	rows := func(idx []int) (*mat.Dense, error) {
		m := mat.NewDense(len(idx), p.NumVisual(), nil)
		for r, i := range idx {
			s, ok := p.Signal(i)
			if !ok {
				return nil, fmt.Errorf("recon: no signal for image %d", i)
			}
			copy(m.RawRowView(r), s)
		}
		return m, nil
	}
	d := &Data{Source: fmt.Sprintf("noise-free simulated participant (seed %d)", cfg.Seed)}
	if d.TrainBetas, err = rows(p.TrainImages()); err != nil {
		return nil, err
	}
	if d.TestBetas, err = rows(p.TestImages()); err != nil {
		return nil, err
	}
	d.TrainImages, d.TestImages = gatherImages(images, p.TrainImages()), gatherImages(images, p.TestImages())
	d.TrainStimuli, d.TestStimuli = simNames(p.TrainImages()), simNames(p.TestImages())
	return d, nil
}

// ReadLabels reads the category of each stimulus from a text file, one
// line per stimulus, in one of two forms: "stim_file<TAB>label" lines, or
// one bare label per line for stimuli numbered by row (line k labels image
// k of an IDX file, the form of digit69's labels.txt; stim_file values are
// numbered as Indexed reads them).
func ReadLabels(path string) (func(stim string) (string, bool), error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recon: %w", err)
	}
	byName := map[string]string{}
	var byRow []string
	for i, l := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			return nil, fmt.Errorf("recon: %s line %d is empty: want a label (or stim_file<TAB>label)", path, i+1)
		}
		if name, label, ok := strings.Cut(l, "\t"); ok {
			if len(byRow) > 0 {
				return nil, fmt.Errorf("recon: %s line %d: mixes stim_file<TAB>label lines with bare labels", path, i+1)
			}
			byName[strings.TrimSpace(name)] = strings.TrimSpace(label)
			continue
		}
		if len(byName) > 0 {
			return nil, fmt.Errorf("recon: %s line %d: mixes bare labels with stim_file<TAB>label lines", path, i+1)
		}
		byRow = append(byRow, l)
	}
	if len(byName) == 0 && len(byRow) == 0 {
		return nil, fmt.Errorf("recon: %s has no labels", path)
	}
	if len(byName) > 0 {
		return func(stim string) (string, bool) { l, ok := byName[stim]; return l, ok }, nil
	}
	return func(stim string) (string, bool) {
		i, ok := stimNumber(stim)
		if !ok || i >= len(byRow) {
			return "", false
		}
		return byRow[i], true
	}, nil
}

// stimNumber is the number a stim_file value ends in (42 for
// "img00042.png" or "42").
func stimNumber(stim string) (int, bool) {
	base := strings.TrimSuffix(filepath.Base(stim), filepath.Ext(stim))
	digits := strings.TrimLeftFunc(base, func(r rune) bool { return r < '0' || r > '9' })
	i, err := strconv.Atoi(digits)
	return i, err == nil && i >= 0
}
