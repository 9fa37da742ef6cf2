package recon

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/decode/stats"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Rescaling of decoded latent codes before they are scored and
// generated: ridge predictions are shrunk towards the mean, and the
// generator expects codes of the training codes' scale.
const (
	// RescaleInductive standardises each decoded dimension with the mean
	// and standard deviation of the same decoder's cross-validated
	// predictions on the training trials (5 contiguous folds), then gives
	// it the training codes' mean and standard deviation. Nothing is
	// learnt from the test trials. The default.
	RescaleInductive = "inductive"
	// RescaleTransductive standardises with the test predictions' own
	// mean and standard deviation (the convention of Kamitani-lab code):
	// it uses all test trials at once, so a test score is no longer a
	// function of its own trial alone. Reports label it.
	RescaleTransductive = "transductive"
	// RescaleNone leaves decoded codes as the decoder gives them.
	RescaleNone = "none"
)

// Options control decoding.
type Options struct {
	// Method is the headline method: "ridge" (RidgeCV from voxels to each
	// latent dimension, leave-one-out alpha per dimension) or "invert"
	// (VanRullen & Reddy's encoding model, voxels = [z, 1] W, inverted by
	// least squares). Both are always computed; Method picks the headline.
	Method Method
	// Voxels is how many voxels each decoder keeps, ranked by the
	// cross-validated R^2 of an encoding model from its own latent space
	// on the training trials (0: all; more than the data have: all, with
	// a note).
	Voxels int
	// Alphas is the ridge grid (default 10^-2 .. 10^6, 33 values).
	Alphas []float64
	// Device runs the ridge fits from voxels on an accelerator
	// (ridge.Config.Device; nil: the CPU).
	Device ridge.Device
	// Rescale is RescaleInductive (""), RescaleTransductive or
	// RescaleNone; it applies to every latent-space decoder alike.
	Rescale string
	// SkipBaseline skips the PCA, pixel-ridge and category-oracle rows
	// (sweeps that only follow the model).
	SkipBaseline bool
	// Stats sets the bootstrap and permutation counts and their seed.
	Stats stats.Options
	// Log receives progress lines (nil: quiet).
	Log io.Writer
}

// Spaces of the rows of a Result.
const (
	SpacePCA    = "pca"    // the pixels' principal components, as many as the model's latent size
	SpacePixels = "pixels" // the images themselves
)

// Method is how a row of a Result decodes: a string, so that it reads as
// itself in metrics.json.
type Method string

// The methods.
const (
	MethodRidge Method = "ridge"  // RidgeCV from voxels to each latent dimension
	MethodInv   Method = "invert" // VanRullen & Reddy's encoding model, inverted
	// MethodOracle replaces each test stimulus by the mean of its
	// category's training stimuli (codes, then generated; or images): what
	// knowing only the category achieves.
	MethodOracle Method = "category-oracle"
)

// ParseMethod reads a headline method's name, "ridge" or "invert".
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case MethodRidge, MethodInv:
		return m, nil
	}
	return "", fmt.Errorf("recon: method %q: want ridge or invert", s)
}

// Decode decodes the test responses into the model's latent space, into
// the PCA space of the same size and straight into pixels, with ridge and
// with encoding-model inversion, adds the category oracle where labels
// are known, reconstructs the images and scores everything with intervals,
// p-values and paired comparisons with the baselines.
func Decode(m Model, d *Data, opt Options) (*Result, error) {
	start := time.Now()
	if err := d.Check(m); err != nil {
		return nil, err
	}
	if opt.Method == "" {
		opt.Method = MethodRidge
	}
	if opt.Method != MethodRidge && opt.Method != MethodInv {
		return nil, fmt.Errorf("recon: method %q: want ridge or invert", opt.Method)
	}
	if opt.Rescale == "" {
		opt.Rescale = RescaleInductive
	}
	if opt.Rescale != RescaleInductive && opt.Rescale != RescaleTransductive && opt.Rescale != RescaleNone {
		return nil, fmt.Errorf("recon: rescale %q: want inductive, transductive or none", opt.Rescale)
	}
	if opt.Alphas == nil {
		opt.Alphas = DefaultAlphas()
	}
	if opt.Voxels < 0 {
		return nil, fmt.Errorf("recon: %d voxels requested: want 0 (all) or more", opt.Voxels)
	}
	var err error
	nTrain, nTest := d.TrainImages.Shape()[0], d.TestImages.Shape()[0]
	_, nv := d.TrainBetas.Dims()
	k := m.LatentDim()
	res := &Result{Model: m.Name(), Method: opt.Method, Rescale: opt.Rescale, SNR: d.SNR, TrainStimuli: nTrain,
		TestStimuli: nTest, Voxels: nv, LatentDim: k, Source: d.Source, Stats: statsSettings(opt.Stats)}
	note := func(format string, args ...any) {
		res.Notes = append(res.Notes, fmt.Sprintf(format, args...))
		say(opt.Log, "note: "+format, args...)
	}
	if opt.Rescale == RescaleTransductive {
		note("latent codes are rescaled transductively, with the mean and SD of the test predictions themselves: scores are not those of an inductive decoder")
	}
	voxels := opt.Voxels
	if voxels > nv {
		note("%d voxels requested, the data have %d: all are used", voxels, nv)
		voxels = 0
	}
	d.warnings(note)
	if res.Reliability, err = reliabilityOf(d); err != nil {
		return nil, err
	}

	say(opt.Log, "encoding the %d stimuli with the %s model", nTrain+nTest, m.Name())
	zTrainT, err := m.Latents(d.TrainImages)
	if err != nil {
		return nil, err
	}
	zTestT, err := m.Latents(d.TestImages)
	if err != nil {
		return nil, err
	}
	sc := newScorer(d, opt.Stats)
	ceil, err := m.Generate(zTestT)
	if err != nil {
		return nil, err
	}
	if res.Ceiling, err = sc.images("ceiling", "own reconstruction", ceil); err != nil {
		return nil, err
	}

	pixTrain := toMat(d.TrainImages)
	spaces := []latentSpace{{name: m.Name(), train: toMat(zTrainT), test: toMat(zTestT),
		generate: func(z *mat.Dense) (*nt.Dense, error) { return m.Generate(fromMat(z)) }}}
	if !opt.SkipBaseline {
		kp := min(k, nTrain-1, pixTrain.RawMatrix().Cols)
		if kp < k {
			note("the PCA baseline keeps %d components, not %d: %d training images span at most %d", kp, k, nTrain, nTrain-1)
		}
		pcaSpace, err := pcaSpaceOf(m, pixTrain, toMat(d.TestImages), kp)
		if err != nil {
			return nil, err
		}
		spaces = append(spaces, pcaSpace)
	}
	var pcaVoxels []int
	for _, sp := range spaces {
		vox, err := selectVoxels(sp.name, sp.train, d.TrainBetas, voxels, opt)
		if err != nil {
			return nil, err
		}
		if sp.name == SpacePCA {
			pcaVoxels = vox
		}
		xTrain, xTest := decode.Columns(d.TrainBetas, vox), decode.Columns(d.TestBetas, vox)
		for _, method := range []Method{MethodRidge, MethodInv} {
			if method == MethodInv {
				dims := sp.train.RawMatrix().Cols
				if len(vox) <= dims {
					note("no %s inversion: it needs more voxels (%d) than latent dimensions (%d)", sp.name, len(vox), dims)
					continue
				}
				// The encoding model's weights span at most as many
				// dimensions as it has training trials (fewer in the
				// cross-validation folds of inductive rescaling).
				fit := nTrain
				if opt.Rescale == RescaleInductive {
					fit = nTrain - (nTrain+4)/5
				}
				if fit <= dims+1 {
					note("no %s inversion: its encoding model needs more training trials (%d per fit) than latent dimensions + 1 (%d)", sp.name, fit, dims+1)
					continue
				}
			}
			say(opt.Log, "decoding %s space with %s", sp.name, method)
			z, err := decodeRescaled(method, xTrain, sp.train, xTest, opt)
			if err != nil {
				return nil, fmt.Errorf("recon: %s %s: %w", sp.name, method, err)
			}
			res.fits = append(res.fits, fit{space: sp.name, method: method, voxels: vox, codes: z, train: sp.train, alphas: opt.Alphas})
			row, img, err := sc.latentRow(sp, method, z, len(vox))
			if err != nil {
				return nil, err
			}
			res.add(row, img, opt.Method)
		}
	}
	if !opt.SkipBaseline {
		// Pixel ridge: straight from the PCA decoder's voxels to pixels,
		// no generative model at all.
		say(opt.Log, "decoding pixels with ridge")
		xTrain, xTest := decode.Columns(d.TrainBetas, pcaVoxels), decode.Columns(d.TestBetas, pcaVoxels)
		mdl, err := ridge.Fit(xTrain, pixTrain, ridge.Config{Alphas: opt.Alphas, PerTarget: true, Device: opt.Device})
		if err != nil {
			return nil, fmt.Errorf("recon: pixel ridge: %w", err)
		}
		px, err := mdl.Predict(xTest)
		if err != nil {
			return nil, err
		}
		img := imagesOf(m, px)
		row, err := sc.images(SpacePixels, MethodRidge, img)
		if err != nil {
			return nil, err
		}
		row.Voxels = len(pcaVoxels)
		res.add(row, img, opt.Method)
		if d.TrainLabels != nil {
			if err := res.addOracles(m, d, sc, spaces[0], note); err != nil {
				return nil, err
			}
		} else {
			note("no category labels: no category-oracle baseline and no within-category identification")
		}
		if err := res.compare(sc); err != nil {
			return nil, err
		}
	}
	res.Stimuli = d.TestImages
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// DefaultStats are the resampling counts of reports: 2,000 bootstrap
// resamples, 2,000 permutations, 10,000 sign flips, seed 1.
func DefaultStats() stats.Options {
	return stats.Options{Resamples: 2000, Permutations: 2000, Flips: 10000, Seed: 1}
}

// DefaultAlphas is the ridge grid: 33 values, 10^-2 to 10^6.
func DefaultAlphas() []float64 { return ridge.LogSpace(-2, 6, 33) }

// latentSpace is a space decoders target: training and test codes and
// the way back to images.
type latentSpace struct {
	name        string
	train, test *mat.Dense
	generate    func(*mat.Dense) (*nt.Dense, error)
}

func pcaSpaceOf(m Model, pixTrain, pixTest *mat.Dense, k int) (latentSpace, error) {
	pca, err := decode.FitPCA(pixTrain, k)
	if err != nil {
		return latentSpace{}, err
	}
	pTrain, err := pca.Transform(pixTrain)
	if err != nil {
		return latentSpace{}, err
	}
	pTest, err := pca.Transform(pixTest)
	if err != nil {
		return latentSpace{}, err
	}
	return latentSpace{name: SpacePCA, train: pTrain, test: pTest, generate: func(z *mat.Dense) (*nt.Dense, error) {
		x, err := pca.Inverse(z)
		if err != nil {
			return nil, err
		}
		return imagesOf(m, x), nil
	}}, nil
}

// imagesOf turns rows of pixels into images of the model's shape,
// clipped to [0, 1].
func imagesOf(m Model, x *mat.Dense) *nt.Dense {
	c, h, w := m.ImageShape()
	img := fromMat(x)
	clip(img)
	return nt.New32(nt.Data32(img), x.RawMatrix().Rows, c, h, w)
}

// selectVoxels ranks voxels by the cross-validated encoding R^2 from the
// space's training codes and keeps the best n (all when n is 0).
func selectVoxels(name string, codes, betas *mat.Dense, n int, opt Options) ([]int, error) {
	rows, nv := betas.Dims()
	if n == 0 || n >= nv {
		return allVoxels(nv), nil
	}
	folds := min(5, rows)
	say(opt.Log, "selecting %d voxels by encoding R^2 from %s space (%d-fold, training trials)", n, name, folds)
	r2, err := decode.EncodingR2(codes, betas, opt.Alphas, folds)
	if err != nil {
		return nil, err
	}
	return decode.TopVoxels(r2, n), nil
}

// decodeRescaled decodes test responses with method and rescales the
// codes as opt.Rescale says.
func decodeRescaled(method Method, xTrain, zTrain, xTest *mat.Dense, opt Options) (*mat.Dense, error) {
	z, err := decodeWith(method, xTrain, zTrain, xTest, opt)
	if err != nil {
		return nil, err
	}
	switch opt.Rescale {
	case RescaleNone:
		return z, nil
	case RescaleTransductive:
		mean, sd := columnStats(z)
		return rescale(z, mean, sd, zTrain), nil
	}
	cv, err := crossValidated(method, xTrain, zTrain, opt)
	if err != nil {
		return nil, err
	}
	mean, sd := columnStats(cv)
	return rescale(z, mean, sd, zTrain), nil
}

// crossValidated returns the decoder's predictions of each training
// trial from a fit on the other folds (5 contiguous folds: trials come in
// run order, so a fold holds whole runs' worth of trials).
func crossValidated(method Method, x, z *mat.Dense, opt Options) (*mat.Dense, error) {
	n, p := x.Dims()
	_, k := z.Dims()
	folds := min(5, n)
	out := mat.NewDense(n, k, nil)
	for f := range folds {
		lo, hi := f*n/folds, (f+1)*n/folds
		keep := make([]int, 0, n-(hi-lo))
		for i := range n {
			if i < lo || i >= hi {
				keep = append(keep, i)
			}
		}
		if method == MethodInv && len(keep) <= 1 || p == 0 {
			return nil, fmt.Errorf("recon: too few trials for cross-validated rescaling")
		}
		pred, err := decodeWith(method, decode.Rows(x, keep), decode.Rows(z, keep), x.Slice(lo, hi, 0, p).(*mat.Dense), opt)
		if err != nil {
			return nil, fmt.Errorf("cross-validated rescaling, fold %d: %w", f+1, err)
		}
		out.Slice(lo, hi, 0, k).(*mat.Dense).Copy(pred)
	}
	return out, nil
}

// columnStats returns each column's mean and population standard
// deviation.
func columnStats(m *mat.Dense) (mean, sd []float64) {
	n, c := m.Dims()
	mean, sd = make([]float64, c), make([]float64, c)
	for i := range n {
		for j, v := range m.RawRowView(i) {
			mean[j] += v / float64(n)
		}
	}
	for i := range n {
		for j, v := range m.RawRowView(i) {
			sd[j] += (v - mean[j]) * (v - mean[j]) / float64(n)
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j])
	}
	return mean, sd
}

// rescale maps each column of z from (mean, sd) to the training codes'
// mean and standard deviation; a column with sd 0 takes the training mean.
func rescale(z *mat.Dense, mean, sd []float64, train *mat.Dense) *mat.Dense {
	tm, ts := columnStats(train)
	n, c := z.Dims()
	out := mat.NewDense(n, c, nil)
	for i := range n {
		row := out.RawRowView(i)
		for j, v := range z.RawRowView(i) {
			if sd[j] > 0 {
				row[j] = (v-mean[j])/sd[j]*ts[j] + tm[j]
			} else {
				row[j] = tm[j]
			}
		}
	}
	return out
}

// decodeWith maps test responses to codes with ridge or inversion.
func decodeWith(method Method, xTrain, zTrain, xTest *mat.Dense, opt Options) (*mat.Dense, error) {
	if method == MethodInv {
		// A small ridge on the encoding weights keeps W W^T well
		// conditioned when voxels are many (alpha 0 is plain least
		// squares, as the paper).
		enc, err := decode.FitEncoder(zTrain, xTrain, 1)
		if err != nil {
			return nil, err
		}
		return enc.Decode(xTest)
	}
	mdl, err := ridge.Fit(xTrain, zTrain, ridge.Config{Alphas: opt.Alphas, PerTarget: true, Device: opt.Device})
	if err != nil {
		return nil, err
	}
	return mdl.Predict(xTest)
}

// warnings notes data that make scores meaningless or optimistic.
func (d *Data) warnings(note func(string, ...any)) {
	for _, b := range []struct {
		name string
		m    *mat.Dense
	}{{"training", d.TrainBetas}, {"test", d.TestBetas}} {
		_, sd := columnStats(b.m)
		if slices.Max(sd) == 0 {
			note("every %s voxel is constant across trials: the responses carry no information, expect chance scores", b.name)
		}
	}
	if d.TrainStimuli != nil {
		train := map[string]bool{}
		for _, s := range d.TrainStimuli {
			train[s] = true
		}
		var both []string
		for _, s := range d.TestStimuli {
			if train[s] {
				both = append(both, s)
			}
		}
		if len(both) > 0 {
			note("%d test stimuli were also training stimuli (%s...): their scores are optimistic", len(both), both[0])
		}
	}
}

func toMat(t *nt.Dense) *mat.Dense {
	s := t.Shape()
	n := s[0]
	row := s.TotalSize() / n
	data := make([]float64, n*row)
	for i, v := range nt.Data32(t) {
		data[i] = float64(v)
	}
	return mat.NewDense(n, row, data)
}

func fromMat(m *mat.Dense) *nt.Dense {
	r, c := m.Dims()
	out := make([]float32, r*c)
	for i := range r {
		for j, v := range m.RawRowView(i) {
			out[i*c+j] = float32(v)
		}
	}
	return nt.New32(out, r, c)
}

func clip(t *nt.Dense) {
	d := nt.Data32(t)
	for i, v := range d {
		d[i] = min(max(v, 0), 1)
	}
}

func allVoxels(n int) []int {
	v := make([]int, n)
	for i := range v {
		v[i] = i
	}
	return v
}
