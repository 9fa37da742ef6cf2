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
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/decode/sim"
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
	betasTrain, betasTest, stimTrain, stimTest         string
	boldTrain, eventsTrain, boldTest, eventsTest       list
	snr                                                float64
	seed                                               uint64
	train, test, repeats, voxels, cols, invertSteps    int
	jsonOut, quiet, gpu, rescale                       bool
	eng                                                *cuda.Engine // with -gpu
}

func parse(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("reconstruct", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "out", "output folder")
	fs.StringVar(&o.method, "method", "ridge", "decoder: ridge (RidgeCV) or invert (encoding-model inversion, VanRullen & Reddy 2019)")
	fs.StringVar(&o.model, "model", "vaegan", "generative model: vaegan, bigbigan or gan")
	fs.StringVar(&o.weights, "weights", "", "model weights (default: the shipped 32 px VAE-GAN or BigBiGAN trained on Fashion-MNIST)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the metrics to stdout as one JSON object")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress output")
	fs.BoolVar(&o.gpu, "gpu", false, "run the ridge fits (RidgeCV's leave-one-out) and the generator on the GPU (needs a build with -tags gpu)")
	fs.IntVar(&o.voxels, "voxels", 500, "voxels each decoder keeps, by cross-validated encoding R^2 on training trials (0: all)")
	fs.BoolVar(&o.rescale, "rescale", true, "give decoded dimensions the training latents' mean and SD")
	fs.IntVar(&o.cols, "show", 12, "test images shown in reconstructions.png")
	fs.IntVar(&o.invertSteps, "gan-steps", 200, "gradient steps to invert a GAN per stimulus batch (-model gan)")
	// The simulated participant.
	fs.Float64Var(&o.snr, "snr", defaultSNR, "simulated participant's signal-to-noise ratio (see README)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the simulated participant")
	fs.IntVar(&o.train, "train", 1200, "simulated training images (each shown once)")
	fs.IntVar(&o.test, "test", 50, "simulated test images")
	fs.IntVar(&o.repeats, "repeats", 35, "repeats of each simulated test image")
	fs.StringVar(&o.images, "images", "", "stimulus images for the simulation: an IDX file (default: the shipped Fashion-MNIST test set)")
	// Real data.
	fs.Var(&o.boldTrain, "bold-train", "training runs: 4D NIfTI files (repeat or comma-separate)")
	fs.Var(&o.eventsTrain, "events-train", "BIDS events.tsv of the training runs, in the same order")
	fs.Var(&o.boldTest, "bold-test", "test runs: 4D NIfTI files")
	fs.Var(&o.eventsTest, "events-test", "BIDS events.tsv of the test runs")
	fs.StringVar(&o.mask, "mask", "", "3D NIfTI mask of the voxels to use (e.g. visual cortex)")
	fs.StringVar(&o.betasTrain, "betas-train", "", "training trial betas, .npy [trials, voxels] (instead of runs)")
	fs.StringVar(&o.betasTest, "betas-test", "", "test betas, .npy [images, voxels], averaged over repeats")
	fs.StringVar(&o.stimTrain, "stim-train", "", "text file: the stimulus of each -betas-train row, one per line")
	fs.StringVar(&o.stimTest, "stim-test", "", "text file: the stimulus of each -betas-test row")
	fs.StringVar(&o.stimuli, "stimuli", "", "where stim_file values point: a folder of images, or an IDX file whose rows they number")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	switch {
	case o.method != "ridge" && o.method != "invert":
		return o, fmt.Errorf("-method %q: want ridge or invert", o.method)
	case o.model != "vaegan" && o.model != "bigbigan" && o.model != "gan":
		return o, fmt.Errorf("-model %q: want vaegan, bigbigan or gan", o.model)
	case o.model == "gan" && o.weights == "":
		return o, fmt.Errorf("-model gan needs -weights (the VAE-GAN and the BigBiGAN ship with the repository; a GAN does not)")
	case !(o.snr > 0) || o.snr > 1e6:
		return o, fmt.Errorf("-snr %g: want a positive number", o.snr)
	case o.train < 10 || o.test < 2 || o.repeats < 1:
		return o, fmt.Errorf("-train %d, -test %d, -repeats %d: need at least 10 training images, 2 test images and 1 repeat", o.train, o.test, o.repeats)
	case o.voxels < 0 || o.cols < 1 || o.invertSteps < 1:
		return o, errors.New("-voxels must not be negative; -show and -gan-steps must be positive")
	case (o.betasTrain != "") != (o.betasTest != ""):
		return o, errors.New("give both -betas-train and -betas-test")
	case len(o.boldTrain) > 0 && o.betasTrain != "":
		return o, errors.New("give runs (-bold-train ...) or betas (-betas-train ...), not both")
	case (len(o.boldTrain) > 0 || o.betasTrain != "") && o.stimuli == "":
		return o, errors.New("real data needs -stimuli (a folder of images or an IDX file)")
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	blas.Use() // gonum (ridge, PCA) on the project's fast GEMM
	if o.gpu {
		// One engine for the ridge fits (recon calls ridge.Fit) and the
		// VAE-GAN generator.
		if o.eng, err = cuda.New(cuda.Options{}); err != nil {
			return fmt.Errorf("-gpu: %w", err)
		}
		defer o.eng.Close()
		defer ridge.UseDevice(o.eng)()
	}
	var log io.Writer = stderr
	if o.quiet || o.jsonOut {
		log = nil
	}
	model, err := loadModel(o)
	if err != nil {
		return err
	}
	c, h, w := model.ImageShape()
	data, err := loadData(o, model, [3]int{c, h, w}, log)
	if err != nil {
		return err
	}
	res, err := recon.Decode(model, data, recon.Options{Method: o.method, Voxels: o.voxels, Rescale: o.rescale, Log: log})
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	if err := res.Write(o.out, o.cols); err != nil {
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
	fmt.Fprintf(w, "\n%s (SNR %g): %d training stimuli, %d test stimuli, %d voxels, %d latent dimensions\n",
		r.Source, r.SNR, r.TrainStimuli, r.TestStimuli, r.Voxels, r.LatentDim)
	fmt.Fprintf(w, "%-8s %-7s %16s %15s %8s %6s\n", "space", "method", "pairwise latent", "pairwise pixel", "PixCorr", "SSIM")
	for _, s := range r.All {
		fmt.Fprintf(w, "%-8s %-7s %16.3f %15.3f %8.3f %6.3f\n", s.Space, s.Method, s.PairwiseLatent, s.PairwisePixel, s.PixCorr, s.SSIM)
	}
	fmt.Fprintf(w, "ceiling: the %s's own reconstructions of the test stimuli: PixCorr %.3f, SSIM %.3f (chance for pairwise: 0.5)\n",
		r.Model, r.Ceiling.PixCorr, r.Ceiling.SSIM)
	fmt.Fprintf(w, "wrote %s, %s and %s in %s (%.0f s)\n", recon.ReconstructionsPNG, recon.MetricsJSON, recon.IdentificationPNG, dir, r.Seconds)
}

// loadData simulates a participant or reads real data, checking
// consistency before anything long starts.
func loadData(o options, m recon.Model, shape [3]int, log io.Writer) (*recon.Data, error) {
	var data *recon.Data
	var err error
	switch {
	case len(o.boldTrain) > 0:
		stim, serr := stimuli(o.stimuli, shape)
		if serr != nil {
			return nil, serr
		}
		data, err = recon.FromRuns(o.boldTrain, o.eventsTrain, o.boldTest, o.eventsTest, o.mask, stim, shape, log)
	case o.betasTrain != "":
		stim, serr := stimuli(o.stimuli, shape)
		if serr != nil {
			return nil, serr
		}
		data, err = recon.FromBetaFiles(o.betasTrain, o.betasTest, o.stimTrain, o.stimTest, stim, shape)
	default:
		images, ierr := simulationImages(o.images, shape)
		if ierr != nil {
			return nil, ierr
		}
		cfg := sim.DefaultConfig()
		cfg.Seed, cfg.SNR = o.seed, o.snr
		cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = o.train, o.test, o.repeats
		data, err = recon.Simulate(images, cfg, filepath.Join(o.out, "participant"), log)
	}
	if err != nil {
		return nil, err
	}
	return data, data.Check(m)
}

// simulationImages are the stimuli of the simulated participant, at the
// model's size: images the shipped VAE-GAN never trained on.
func simulationImages(path string, shape [3]int) (*nt.Dense, error) {
	if shape[0] != 1 {
		return nil, fmt.Errorf("the simulated participant sees grey images; the model takes %d channels (give real data)", shape[0])
	}
	if path == "" {
		d, err := assets.FashionMNIST("test", shape[1])
		if err != nil {
			return nil, err
		}
		return all(d)
	}
	d, err := datasetIDX(path, shape[1])
	if err != nil {
		return nil, err
	}
	return all(d)
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "reconstruct:", err)
		}
		os.Exit(2)
	}
}
