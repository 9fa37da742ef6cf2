package recon

import (
	"fmt"
	"io"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/ridge"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Options control decoding.
type Options struct {
	// Method is the reported method: "ridge" (RidgeCV from voxels to each
	// latent dimension, leave-one-out alpha per dimension) or "invert"
	// (VanRullen & Reddy's encoding model, voxels = [z, 1] W, inverted by
	// least squares). Both are always computed; Method picks the headline.
	Method string
	// Voxels is how many voxels each decoder keeps, ranked by the
	// cross-validated R^2 of an encoding model from its own latent space
	// on the training trials (0: all).
	Voxels int
	// Alphas is the ridge grid (default 10^-2 .. 10^6, 33 values).
	Alphas []float64
	// Rescale gives decoded dimensions the training latents' mean and
	// standard deviation (the convention of Horikawa & Kamitani's lab).
	Rescale bool
	// SkipBaseline skips the PCA space (sweeps that only follow the model).
	SkipBaseline bool
	// Log receives progress lines (nil: quiet).
	Log io.Writer
}

// Scores are the measurements of one decoder.
type Scores struct {
	Space  string `json:"space"`  // "vaegan", "bigbigan", "gan" or "pca"
	Method string `json:"method"` // "ridge" or "invert"
	// PairwiseLatent is two-way identification of the decoded codes
	// against the test stimuli's codes, by correlation (chance 0.5).
	PairwiseLatent float64 `json:"pairwise_latent"`
	// PairwisePixel is the same for the reconstructed images against the
	// stimuli.
	PairwisePixel float64 `json:"pairwise_pixel"`
	PixCorr       float64 `json:"pixcorr"` // mean over test images
	SSIM          float64 `json:"ssim"`    // mean over test images (grey, Gaussian sigma 1.5)
	Voxels        int     `json:"voxels"`  // voxels used
}

// Result is the outcome of Decode.
type Result struct {
	Model        string  `json:"model"`
	Method       string  `json:"method"`
	SNR          float64 `json:"snr,omitempty"`
	TrainStimuli int     `json:"train_stimuli"`
	TestStimuli  int     `json:"test_stimuli"`
	Voxels       int     `json:"voxels"`
	LatentDim    int     `json:"latent_dim"`
	Scores               // the model's space with Method
	Baseline     Scores  `json:"baseline"` // the PCA space with Method
	// All is every space and method.
	All []Scores `json:"all"`
	// Ceiling is the model's own reconstruction of the test stimuli
	// from their true codes: the best decoding could do in pixels.
	Ceiling struct {
		PixCorr float64 `json:"pixcorr"`
		SSIM    float64 `json:"ssim"`
	} `json:"ceiling"`
	Seconds float64 `json:"seconds"`
	Source  string  `json:"source"`

	// Images for the report (not in the JSON): the stimuli, the model's
	// and the baseline's reconstructions with Method.
	Stimuli, Reconstructions, BaselineReconstructions *nt.Dense `json:"-"`
}

// DefaultAlphas is the ridge grid: 33 values, 10^-2 to 10^6.
func DefaultAlphas() []float64 { return ridge.LogSpace(-2, 6, 33) }

// Decode decodes the test responses into the model's latent space and into
// the PCA space of the same size, with ridge and with encoding-model
// inversion, reconstructs the images and scores everything.
func Decode(m Model, d *Data, opt Options) (*Result, error) {
	start := time.Now()
	if err := d.Check(m); err != nil {
		return nil, err
	}
	if opt.Method == "" {
		opt.Method = "ridge"
	}
	if opt.Method != "ridge" && opt.Method != "invert" {
		return nil, fmt.Errorf("recon: method %q: want ridge or invert", opt.Method)
	}
	if opt.Alphas == nil {
		opt.Alphas = DefaultAlphas()
	}
	_, nv := d.TrainBetas.Dims()
	if opt.Voxels < 0 || opt.Voxels > nv {
		return nil, fmt.Errorf("recon: %d voxels requested, the data have %d", opt.Voxels, nv)
	}
	k := m.LatentDim()
	used := nv
	if opt.Voxels > 0 {
		used = opt.Voxels
	}
	if opt.Method == "invert" && used <= k {
		return nil, fmt.Errorf("recon: the encoding-model inversion needs more voxels (%d) than latent dimensions (%d)", used, k)
	}
	nTrain := d.TrainImages.Shape()[0]
	if k >= nTrain {
		return nil, fmt.Errorf("recon: %d training stimuli for %d latent dimensions: need more stimuli", nTrain, k)
	}
	res := &Result{Model: m.Name(), Method: opt.Method, SNR: d.SNR, TrainStimuli: nTrain,
		TestStimuli: d.TestImages.Shape()[0], Voxels: nv, LatentDim: k, Source: d.Source}

	say(opt.Log, "encoding the %d stimuli with the %s model", nTrain+res.TestStimuli, m.Name())
	zTrainT, err := m.Latents(d.TrainImages)
	if err != nil {
		return nil, err
	}
	zTestT, err := m.Latents(d.TestImages)
	if err != nil {
		return nil, err
	}
	ceil, err := m.Generate(zTestT)
	if err != nil {
		return nil, err
	}
	res.Ceiling.PixCorr, res.Ceiling.SSIM, err = imageScores(ceil, d.TestImages)
	if err != nil {
		return nil, err
	}
	pixTrain, pixTest := toMat(d.TrainImages), toMat(d.TestImages)
	type space struct {
		name        string
		train, test *mat.Dense
		reconstruct func(*mat.Dense) (*nt.Dense, error)
	}
	spaces := []space{{m.Name(), toMat(zTrainT), toMat(zTestT), func(z *mat.Dense) (*nt.Dense, error) { return m.Generate(fromMat(z)) }}}
	if !opt.SkipBaseline {
		pca, err := decode.FitPCA(pixTrain, k)
		if err != nil {
			return nil, err
		}
		pTrain, err := pca.Transform(pixTrain)
		if err != nil {
			return nil, err
		}
		pTest, err := pca.Transform(pixTest)
		if err != nil {
			return nil, err
		}
		spaces = append(spaces, space{"pca", pTrain, pTest, func(z *mat.Dense) (*nt.Dense, error) {
			x, err := pca.Inverse(z)
			if err != nil {
				return nil, err
			}
			c, h, w := m.ImageShape()
			img := fromMat(x)
			clip(img)
			return nt.New32(nt.Data32(img), z.RawMatrix().Rows, c, h, w), nil
		}})
	}
	for _, sp := range spaces {
		vox := allVoxels(nv)
		if opt.Voxels > 0 && opt.Voxels < nv {
			say(opt.Log, "selecting %d voxels by encoding R^2 from %s space (5-fold, training trials)", opt.Voxels, sp.name)
			r2, err := decode.EncodingR2(sp.train, d.TrainBetas, opt.Alphas, 5)
			if err != nil {
				return nil, err
			}
			vox = decode.TopVoxels(r2, opt.Voxels)
		}
		xTrain, xTest := decode.Columns(d.TrainBetas, vox), decode.Columns(d.TestBetas, vox)
		for _, method := range []string{"ridge", "invert"} {
			if method == "invert" && len(vox) <= sp.train.RawMatrix().Cols {
				continue // too few voxels to invert: ridge only
			}
			say(opt.Log, "decoding %s space with %s", sp.name, method)
			z, err := decodeWith(method, xTrain, sp.train, xTest, opt)
			if err != nil {
				return nil, fmt.Errorf("recon: %s %s: %w", sp.name, method, err)
			}
			img, err := sp.reconstruct(z)
			if err != nil {
				return nil, err
			}
			s := Scores{Space: sp.name, Method: method, Voxels: len(vox)}
			if s.PairwiseLatent, err = metrics.Pairwise(z, sp.test); err != nil {
				return nil, err
			}
			if s.PairwisePixel, err = metrics.Pairwise(toMat(img), pixTest); err != nil {
				return nil, err
			}
			if s.PixCorr, s.SSIM, err = imageScores(img, d.TestImages); err != nil {
				return nil, err
			}
			res.All = append(res.All, s)
			if method == opt.Method {
				if sp.name == "pca" {
					res.Baseline, res.BaselineReconstructions = s, img
				} else {
					res.Scores, res.Reconstructions = s, img
				}
			}
		}
	}
	res.Stimuli = d.TestImages
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// decodeWith maps test responses to codes with ridge or inversion.
func decodeWith(method string, xTrain, zTrain, xTest *mat.Dense, opt Options) (*mat.Dense, error) {
	if method == "invert" {
		// A small ridge on the encoding weights keeps W W^T well
		// conditioned when voxels are many (alpha 0 is plain least
		// squares, as the paper).
		enc, err := decode.FitEncoder(zTrain, xTrain, 1)
		if err != nil {
			return nil, err
		}
		return enc.Decode(xTest)
	}
	mdl, err := ridge.Fit(xTrain, zTrain, ridge.Config{Alphas: opt.Alphas, PerTarget: true})
	if err != nil {
		return nil, err
	}
	z, err := mdl.Predict(xTest)
	if err != nil {
		return nil, err
	}
	if opt.Rescale {
		return mdl.Rescale(z)
	}
	return z, nil
}

// imageScores are the mean PixCorr and SSIM (on the channel mean) of
// reconstructions against stimuli.
func imageScores(rec, ref *nt.Dense) (pixcorr, ssim float64, err error) {
	s := ref.Shape()
	n, c, h, w := s[0], s[1], s[2], s[3]
	a, b := grey(rec, n, c, h*w), grey(ref, n, c, h*w)
	size := metrics.ImageSize{H: h, W: w}
	for i := range n {
		p, err := metrics.PixCorr(a[i], b[i], size)
		if err != nil {
			return 0, 0, err
		}
		q, err := metrics.SSIM(a[i], b[i], size, 1)
		if err != nil {
			return 0, 0, err
		}
		if !math.IsNaN(p) {
			pixcorr += p / float64(n)
		}
		ssim += q / float64(n)
	}
	return pixcorr, ssim, nil
}

func grey(t *nt.Dense, n, c, hw int) [][]float64 {
	src := nt.Data32(t)
	out := make([][]float64, n)
	for i := range out {
		p := make([]float64, hw)
		for ch := range c {
			for k, v := range src[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				p[k] += float64(v) / float64(c)
			}
		}
		out[i] = p
	}
	return out
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
