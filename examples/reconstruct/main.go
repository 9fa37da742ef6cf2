// Command reconstruct is neurolatent's main job: it reconstructs images a
// person saw from their brain activity, end to end, and scores the result.
//
// With no flags it uses only what ships in the repository: a simulated
// participant (package decode/sim) is shown Fashion-MNIST test images in a
// Generic-Object-Decoding-shaped experiment and their "scans" are written
// as NIfTI runs and BIDS events; trial betas are estimated with the GLM;
// voxels are selected; a decoder is fitted from voxels to the latent space
// of the shipped VAE-GAN on the training trials; the test images (responses
// averaged over repeats) are decoded and regenerated, beside the PCA
// baseline of the same size and the encoding-model inversion of VanRullen
// & Reddy (2019):
//
//	go run ./examples/reconstruct
//
// writes out/reconstructions.png, out/metrics.json and
// out/identification.png. Flags take real data instead (NIfTI runs and
// events, or trial betas as .npy), other models and weights; see -help.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// list is a flag that can be repeated or comma-separated.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }
func (l *list) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

type options struct {
	out, method, model, weights, images, mask, stimuli string
	rescale, labels                                    string
	betasTrain, betasTest, stimTrain, stimTest         string
	boldTrain, eventsTrain, boldTest, eventsTest       list
	confTrain, confTest                                list
	trTrain, trTest                                    []float64 // from BIDS sidecars; nil: the headers'
	confColumns                                        string
	onnxEncoder, onnxGenerator, onnxRange              string
	snr                                                float64
	seed                                               uint64
	train, test, repeats, voxels, cols, invertSteps    int
	resamples, permutations                            int
	jsonOut, quiet, gpu                                bool
	eng                                                *cuda.Engine // with -gpu
}

func parse(args []string, stdout io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("reconstruct", flag.ContinueOnError)
	fs.StringVar(&o.out, "out", "out", "output folder")
	fs.StringVar(&o.method, "method", "ridge", "decoder: ridge (RidgeCV) or invert (encoding-model inversion, VanRullen & Reddy 2019)")
	fs.StringVar(&o.model, "model", "vaegan", "generative model: vaegan, bigbigan or gan")
	fs.StringVar(&o.weights, "weights", "", "model weights: a file, or a shipped VAE-GAN by name: fashion (the default, trained on Fashion-MNIST) or mnist (handwritten digits)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the metrics to stdout as one JSON object")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output")
	fs.BoolVar(&o.gpu, "gpu", false, "run the ridge fits (RidgeCV's leave-one-out) and the generator on the GPU (needs a build with -tags gpu)")
	fs.IntVar(&o.voxels, "voxels", 500, "voxels each decoder keeps, by cross-validated encoding R^2 on training trials (0: all)")
	fs.StringVar(&o.rescale, "rescale", recon.RescaleInductive, "rescaling of decoded codes to the training codes' mean and SD: inductive (from cross-validated training predictions), transductive (from the test predictions themselves; labelled in every output) or none")
	fs.StringVar(&o.labels, "labels", "", "categories of the stimuli: one label per line for the rows of an IDX -stimuli file, or stim_file<TAB>label lines (enables the category oracle and within-category scores)")
	fs.IntVar(&o.resamples, "bootstrap", 2000, "bootstrap resamples of the test stimuli for the 95% intervals")
	fs.IntVar(&o.permutations, "permutations", 2000, "random pairings of predictions with stimuli for the permutation p-values")
	fs.IntVar(&o.cols, "show", 12, "test images shown in reconstructions.png")
	fs.IntVar(&o.invertSteps, "gan-steps", 200, "gradient steps to invert a GAN per stimulus batch (-model gan)")
	onnxFlags(fs, &o)
	// The simulated participant.
	fs.Float64Var(&o.snr, "snr", defaultSNR, "simulated participant's signal-to-noise ratio (see README)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the simulated participant")
	fs.IntVar(&o.train, "train", 1200, "simulated training images (each shown once)")
	fs.IntVar(&o.test, "test", 50, "simulated test images")
	fs.IntVar(&o.repeats, "repeats", 35, "repeats of each simulated test image")
	fs.StringVar(&o.images, "images", "", "stimulus images for the simulation: olivetti (400 faces) or kriegeskorte92 (92 objects and scenes) from ../shared/data/real, an IDX file, or a .npy array [N,H,W], [N,H,W,C] or [N,C,H,W] (default: the shipped Fashion-MNIST test set)")
	// Real data.
	fs.Var(&o.boldTrain, "bold-train", "training runs: 4D NIfTI `files` (repeat or comma-separate)")
	fs.Var(&o.eventsTrain, "events-train", "BIDS events.tsv `files` of the training runs, in the same order")
	fs.Var(&o.boldTest, "bold-test", "test runs: 4D NIfTI `files`")
	fs.Var(&o.eventsTest, "events-test", "BIDS events.tsv `files` of the test runs")
	fs.StringVar(&o.mask, "mask", "", "3D NIfTI mask of the voxels to use (e.g. visual cortex)")
	fs.Var(&o.confTrain, "confounds-train", "confounds tables of the training runs (fMRIPrep's *_desc-confounds_timeseries.tsv), in the same order")
	fs.Var(&o.confTest, "confounds-test", "confounds tables of the test runs")
	fs.StringVar(&o.confColumns, "confound-columns", strings.Join(decode.MotionConfounds, ","), "confounds the GLM takes as nuisance regressors (the simulated participant's too; none: no confounds)")
	fs.StringVar(&o.betasTrain, "betas-train", "", "training trial betas, .npy [trials, voxels] (instead of runs)")
	fs.StringVar(&o.betasTest, "betas-test", "", "test betas, .npy [images, voxels], averaged over repeats")
	fs.StringVar(&o.stimTrain, "stim-train", "", "text file: the stimulus of each -betas-train row, one per line")
	fs.StringVar(&o.stimTest, "stim-test", "", "text file: the stimulus of each -betas-test row")
	fs.StringVar(&o.stimuli, "stimuli", "", "where stim_file values point: a folder of images, or an IDX file whose rows they number")
	addBIDSFlags(fs)
	if err := cli.Parse(fs, args, help, stdout); err != nil {
		return o, err
	}
	if err := checkONNX(fs, &o); err != nil {
		return o, err
	}
	switch {
	case o.method != "ridge" && o.method != "invert":
		return o, fmt.Errorf("-method %q: want ridge or invert", o.method)
	case o.model != "vaegan" && o.model != "bigbigan" && o.model != "gan" && o.model != "onnx":
		return o, fmt.Errorf("-model %q: want vaegan, bigbigan or gan (or -onnx-encoder and -onnx-generator)", o.model)
	case o.model == "gan" && o.weights == "":
		return o, fmt.Errorf("-model gan needs -weights (the VAE-GAN and the BigBiGAN ship with the repository; a GAN does not)")
	case !(o.snr > 0) || o.snr > 1e6:
		return o, fmt.Errorf("-snr %g: want a positive number", o.snr)
	case o.train < 10 || o.test < 2 || o.repeats < 1:
		return o, fmt.Errorf("-train %d, -test %d, -repeats %d: need at least 10 training images, 2 test images and 1 repeat", o.train, o.test, o.repeats)
	case o.voxels < 0 || o.cols < 1 || o.invertSteps < 1:
		return o, errors.New("-voxels must not be negative; -show and -gan-steps must be positive")
	case o.rescale != recon.RescaleInductive && o.rescale != recon.RescaleTransductive && o.rescale != recon.RescaleNone:
		return o, fmt.Errorf("-rescale %q: want inductive, transductive or none", o.rescale)
	case o.resamples < 100 || o.resamples > 1_000_000 || o.permutations < 100 || o.permutations > 1_000_000:
		return o, fmt.Errorf("-bootstrap %d, -permutations %d: want 100 to 1,000,000 each", o.resamples, o.permutations)
	case (o.betasTrain != "") != (o.betasTest != ""):
		return o, errors.New("give both -betas-train and -betas-test")
	case len(o.boldTrain) > 0 && o.betasTrain != "":
		return o, errors.New("give runs (-bold-train ...) or betas (-betas-train ...), not both")
	case (len(o.boldTrain) > 0 || o.betasTrain != "") && o.stimuli == "":
		return o, errors.New("real data needs -stimuli (a folder of images or an IDX file)")
	case len(o.confTrain) > 0 && len(o.confTrain) != len(o.boldTrain), len(o.confTest) > 0 && len(o.confTest) != len(o.boldTest):
		return o, fmt.Errorf("%d -confounds-train for %d -bold-train runs and %d -confounds-test for %d -bold-test: give one per run, or none", len(o.confTrain), len(o.boldTrain), len(o.confTest), len(o.boldTest))
	case (len(o.confTrain) > 0) != (len(o.confTest) > 0):
		return o, errors.New("give confounds for both the training and the test runs, or for neither")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	o, err := parse(args, stdout)
	if err != nil {
		return cli.Usage(err)
	}
	var notes io.Writer = stderr
	if o.quiet || o.jsonOut {
		notes = nil
	}
	if err := resolveBIDS(&o, notes); err != nil {
		return err
	}
	if err := writable(o.out); err != nil {
		return err // found now, not after the whole computation
	}
	blas.Use() // gonum (ridge, PCA) on the project's fast GEMM
	if o.gpu {
		// One engine for the ridge fits (recon.Options.Device) and the
		// VAE-GAN generator.
		if o.eng, err = cuda.New(cuda.Options{}); err != nil {
			return fmt.Errorf("-gpu: %w", err)
		}
		defer o.eng.Close()
	}
	var stages *cli.StageWriter
	if !o.quiet && !o.jsonOut {
		stages = cli.Stages(stderr, o.stages())
	}
	log := stages.Writer()
	model, err := loadModel(o)
	if err != nil {
		return err
	}
	c, h, w := model.ImageShape()
	data, err := loadData(o, model, [3]int{c, h, w}, log)
	if err != nil {
		return err
	}
	var dev ridge.Device // stays nil without -gpu: a nil *cuda.Engine in it would not be
	if o.eng != nil {
		dev = o.eng
	}
	res, err := recon.Decode(model, data, recon.Options{Method: recon.Method(o.method), Voxels: o.voxels, Rescale: o.rescale, Log: log, Device: dev,
		Stats: stats.Options{Resamples: o.resamples, Permutations: o.permutations, Seed: o.seed}})
	if err != nil {
		return err
	}
	stages.Finish()
	res.Seconds = time.Since(start).Seconds()
	if err := res.Write(o.out, o.cols); err != nil {
		return err
	}
	if err := writeDerivative(o, args, res, data, notes); err != nil {
		return err
	}
	if o.jsonOut {
		js, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(js))
		return nil
	}
	summarise(stdout, res, o.out) // the results; progress went to stderr
	return nil
}

func summarise(w io.Writer, r *recon.Result, dir string) {
	snr := "real data"
	if r.SNR > 0 {
		snr = fmt.Sprintf("SNR %g", r.SNR)
	}
	fmt.Fprintf(w, "\n%s (%s): %d training stimuli, %d test stimuli, %d voxels, %d latent dimensions, %s rescaling\n",
		r.Source, snr, r.TrainStimuli, r.TestStimuli, r.Voxels, r.LatentDim, r.Rescale)
	cols := []struct{ metric, head string }{
		{recon.PairwisePixel, "pairwise pixel"}, {recon.Top1Pixel, "top-1 pixel"}, {recon.Top5Pixel, "top-5 pixel"},
		{recon.PixCorr, "PixCorr"}, {recon.SSIM, "SSIM"}, {recon.PairwiseLatent, "pairwise latent"},
		{recon.PairwisePixelWithin, "within-category"},
	}
	var used []struct{ metric, head string }
	for _, c := range cols {
		for _, s := range r.All {
			if _, ok := s.Metrics[c.metric]; ok {
				used = append(used, c)
				break
			}
		}
	}
	fmt.Fprintf(w, "\nscores with 95%% bootstrap intervals over the test stimuli (%d resamples):\n", r.Stats.Resamples)
	table(w, r, used, func(e stats.Estimate) string { return fmt.Sprintf("%.3f [%.2f,%.2f]", e.Value, e.CI[0], e.CI[1]) })
	fmt.Fprintf(w, "\npermutation p-values (stimuli paired with predictions at random, %d permutations; within-category pairs shuffled likewise):\n", r.Stats.Permutations)
	table(w, r, used, func(e stats.Estimate) string { return pvalue(e.P) })
	fmt.Fprintf(w, "\nchance: pairwise 0.5, top-1 %.3f, top-5 %.3f. Pairwise latent is on dimensions standardised by the training codes.\n",
		1/float64(r.TestStimuli), min(1, 5/float64(r.TestStimuli)))
	if rel := r.Reliability; rel != nil {
		fmt.Fprintf(w, "reliability of the test responses (%d voxels, %d stimuli x %.0f trials): ncsnr median %.2f (quartiles %.2f-%.2f); noise ceiling median %.0f%% for the %.0f-trial averages decoded, %.0f%% for single trials (%s)\n",
			rel.Voxels, rel.Stimuli, rel.Repeats, rel.NCSNR[1], rel.NCSNR[0], rel.NCSNR[2], rel.NoiseCeiling[1], rel.Repeats, rel.NoiseCeilingSingle[1], recon.ReliabilityPNG)
	}
	if c := r.Ceiling; c.Metrics != nil {
		fmt.Fprintf(w, "ceiling: the %s's own reconstructions of the test stimuli: PixCorr %.3f, SSIM %.3f\n", r.Model, c.Value(recon.PixCorr), c.Value(recon.SSIM))
	}
	if len(r.Comparisons) > 0 {
		fmt.Fprintf(w, "\n%s %s against the baselines (paired difference, 95%% bootstrap interval, sign-flip p):\n", r.Model, r.Method)
		for _, c := range r.Comparisons {
			if c.A != r.Scores.Name() || c.Metric != recon.PairwisePixel && c.Metric != recon.PixCorr && c.Metric != recon.SSIM {
				continue
			}
			fmt.Fprintf(w, "  vs %-24s %-15s %+.3f [%+.3f, %+.3f] %s\n", c.B, c.Metric, c.Value, c.CI[0], c.CI[1], pvalue(c.P))
		}
		fmt.Fprintf(w, "  (every decoder against every baseline, on every metric: \"comparisons\" in %s)\n", recon.MetricsJSON)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	files := recon.ReportHTML + ", " + recon.ReconstructionsPNG + ", " + recon.MetricsJSON + ", " + recon.IdentificationPNG + ", " + DerivativeDir + "/"
	if r.Reliability != nil {
		files += ", " + recon.ReliabilityPNG
	}
	fmt.Fprintf(w, "wrote %s in %s (%.0f s)\n", files, dir, r.Seconds)
}

// table prints one row per decoder and one column per metric.
func table(w io.Writer, r *recon.Result, cols []struct{ metric, head string }, cell func(stats.Estimate) string) {
	fmt.Fprintf(w, "%-26s", "decoder")
	for _, c := range cols {
		fmt.Fprintf(w, " %-19s", c.head)
	}
	fmt.Fprintln(w)
	for _, s := range r.All {
		fmt.Fprintf(w, "%-26s", s.Name())
		for _, c := range cols {
			e, ok := s.Metrics[c.metric]
			text := "-"
			if ok {
				text = cell(e)
			}
			fmt.Fprintf(w, " %-19s", text)
		}
		fmt.Fprintln(w)
	}
}

func pvalue(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return fmt.Sprintf("p=%.3f", p)
}

// loadData simulates a participant or reads real data, checking
// consistency before anything long starts.
func loadData(o options, m recon.Model, shape [3]int, log io.Writer) (*recon.Data, error) {
	var data *recon.Data
	var err error
	var simLabels func(string) (string, bool) // the simulation's stimuli's classes, when known
	switch {
	case len(o.boldTrain) > 0:
		stim, serr := stimuli(o.stimuli, shape)
		if serr != nil {
			return nil, serr
		}
		cols := o.confoundColumns()
		train := decode.RunFiles{Bold: o.boldTrain, Events: o.eventsTrain, Mask: o.mask, ConfoundColumns: cols, TR: o.trTrain}
		test := decode.RunFiles{Bold: o.boldTest, Events: o.eventsTest, Mask: o.mask, ConfoundColumns: cols, TR: o.trTest}
		if cols != nil {
			train.Confounds, test.Confounds = o.confTrain, o.confTest
		}
		data, err = recon.FromRunFiles(train, test, stim, shape, log)
	case o.betasTrain != "":
		stim, serr := stimuli(o.stimuli, shape)
		if serr != nil {
			return nil, serr
		}
		data, err = recon.FromBetaFiles(recon.BetaFiles{TrainBetas: o.betasTrain, TrainStimuli: o.stimTrain, TestBetas: o.betasTest, TestStimuli: o.stimTest}, stim, shape)
	default:
		images, classes, ierr := simulationImages(o.images, shape)
		if ierr != nil {
			return nil, ierr
		}
		if classes != nil {
			simLabels = func(stim string) (string, bool) {
				i, ok := stimIndex(stim)
				if !ok || i >= len(classes) {
					return "", false
				}
				return classes[i], true
			}
		}
		if n := images.Shape()[0]; o.train+o.test > n {
			set := "the shipped Fashion-MNIST test set"
			if o.images != "" {
				set = "-images " + o.images
			}
			return nil, fmt.Errorf("-train %d + -test %d images: %s has %d (try -train %d -test %d)", o.train, o.test, set, n, n-min(n/5, 50), min(n/5, 50))
		}
		cfg := sim.DefaultConfig()
		cfg.Seed, cfg.SNR = o.seed, o.snr
		cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = o.train, o.test, o.repeats
		data, err = recon.SimulateConfounds(images, cfg, filepath.Join(o.out, "participant"), o.confoundColumns(), log)
	}
	if err != nil {
		return nil, err
	}
	if o.labels != "" {
		label, err := recon.ReadLabels(o.labels)
		if err != nil {
			return nil, err
		}
		if err := data.SetLabels(label); err != nil {
			return nil, fmt.Errorf("-labels %s: %w", o.labels, err)
		}
	} else if simLabels != nil {
		if err := data.SetLabels(simLabels); err != nil {
			return nil, err
		}
	}
	return data, data.Check(m)
}

// confoundColumns are -confound-columns as a list (nil for "none").
func (o options) confoundColumns() []string {
	if strings.TrimSpace(o.confColumns) == "none" {
		return nil
	}
	var cols []string
	for _, c := range strings.Split(o.confColumns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// writable makes the output folder and checks that a file can be written
// there.
func writable(dir string) error {
	if err := atomicfile.CheckDir(dir); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	return nil
}

// simulationImages are the stimuli of the simulated participant, at the
// model's size: images the shipped VAE-GAN never trained on, and their
// class names when known (the shipped Fashion-MNIST test set). The
// participant sees grey images; a model that takes 3 channels (the face
// VAE) gets each grey image repeated over them (onnx.go).
func simulationImages(path string, shape [3]int) (*nt.Dense, []string, error) {
	if shape[0] != 1 {
		return greyForChannels(path, shape)
	}
	if path == "" {
		d, err := assets.FashionMNIST("test", shape[1])
		if err != nil {
			return nil, nil, err
		}
		x, labels, err := (&dataset.Loader{Data: d}).All()
		if err != nil {
			return nil, nil, err
		}
		classes := make([]string, len(labels))
		for i, l := range labels {
			classes[i] = assets.FashionClasses[l]
		}
		return x, classes, nil
	}
	if named, ok := namedImageSets[path]; ok {
		root, err := realdata.Root()
		if err != nil {
			return nil, nil, fmt.Errorf("-images %s: %w (run from inside the repository, or give the .npy file's path)", path, err)
		}
		path = filepath.Join(root, named)
	}
	if strings.HasSuffix(path, ".npy") {
		x, err := recon.LoadImageArray(path, shape[0], shape[1])
		return x, nil, err
	}
	d, err := datasetIDX(path, shape[1])
	if err != nil {
		return nil, nil, err
	}
	x, err := all(d)
	return x, nil, err
}

// namedImageSets are the real stimulus sets -images knows by name, in
// ../shared/data/real beside the repository (their terms keep them out of
// it).
var namedImageSets = map[string]string{
	"olivetti":       "olivetti/faces-400x64x64-uint8.npy",
	"kriegeskorte92": "kriegeskorte92/images-92x175x175x3.npy",
}

// stimIndex is the image number in a simulated stim_file value
// (stimuli/img00042.png).
func stimIndex(stim string) (int, bool) {
	var i int
	if _, err := fmt.Sscanf(filepath.Base(stim), "img%d.png", &i); err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

func main() {
	cli.Exit("reconstruct", run(os.Args[1:], os.Stdout, os.Stderr))
}
