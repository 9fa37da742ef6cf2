package decode

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/decode/sim"
	"gonum.org/v1/gonum/mat"
)

const fashion = "../testdata/decode/fashion/images-idx3-ubyte.gz"

// smallConfig is a reduced Generic-Object-Decoding design that runs in a
// few seconds.
func smallConfig(snr float64) sim.Config {
	c := sim.DefaultConfig()
	c.TrainImages, c.TestImages, c.TestRepeats = 300, 20, 5
	c.Grid = [3]int{12, 12, 8}
	c.EarlyVoxels, c.HigherVoxels = 200, 200
	c.WeakVoxels, c.NonselectiveVoxels = 50, 50
	c.SNR = snr
	return c
}

// pipelineResult is what the end-to-end run measured.
type pipelineResult struct {
	pairwiseLatent, pairwisePixel, pairwiseInversion float64
	betaTruthR                                       float64
}

// runPipeline simulates a participant, writes its runs, and decodes from
// the files: GLM betas (LSS) per trial, test betas averaged over repeats,
// ridge (leave-one-out, alpha per dimension) from betas to the PCA
// latents of the training images, and pairwise identification of the
// test images in latent and pixel space.
func runPipeline(t testing.TB, cfg sim.Config, dir string, ncomp int) pipelineResult {
	t0 := time.Now()
	images, err := sim.LoadIDX(fashion)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.New(cfg, images)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("simulated and wrote %d runs in %v", len(ds.Runs), time.Since(t0))
	var trainBold, trainEv, testBold, testEv []string
	for _, r := range ds.Runs {
		if r.Task == "train" {
			trainBold, trainEv = append(trainBold, r.Bold), append(trainEv, r.Events)
		} else {
			testBold, testEv = append(testBold, r.Bold), append(testEv, r.Events)
		}
	}
	opt := glm.Options{Method: glm.LSS, ZScoreBold: true}
	t1 := time.Now()
	trainB, _, err := TrialBetasFromFiles(trainBold, trainEv, ds.VisualMask, opt)
	if err != nil {
		t.Fatal(err)
	}
	testB, _, err := TrialBetasFromFiles(testBold, testEv, ds.VisualMask, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("betas for %d + %d trials in %v", len(trainB.Trials), len(testB.Trials), time.Since(t1))
	trainStim, xTrain, _ := trainB.Average(glm.ByStimFile)
	testStim, xTest, _ := testB.Average(glm.ByStimFile)

	// Targets: PCA of the training images' pixels (not the simulator's
	// features).
	pix := func(stims []string) *mat.Dense {
		m := mat.NewDense(len(stims), images.H*images.W, nil)
		for i, s := range stims {
			idx := stimIndex(t, s)
			m.SetRow(i, images.Pix[idx])
		}
		return m
	}
	pixTrain, pixTest := pix(trainStim), pix(testStim)
	pca, err := FitPCA(pixTrain, ncomp)
	if err != nil {
		t.Fatal(err)
	}
	zTrain, _ := pca.Transform(pixTrain)
	zTest, _ := pca.Transform(pixTest)

	var res pipelineResult
	// How well the GLM recovered the simulator's noise-free responses.
	res.betaTruthR = truthCorrelation(t, ds.TestTruth, ds.TestStim, testStim, xTest)

	model, err := ridge.Fit(xTrain, zTrain, ridge.Config{Alphas: ridge.LogSpace(0, 6, 13), PerTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	zHat, err := model.Predict(xTest)
	if err != nil {
		t.Fatal(err)
	}
	if res.pairwiseLatent, err = metrics.Pairwise(zHat, zTest); err != nil {
		t.Fatal(err)
	}
	recon, _ := pca.Inverse(zHat)
	if res.pairwisePixel, err = metrics.Pairwise(recon, pixTest); err != nil {
		t.Fatal(err)
	}
	// VanRullen & Reddy: encoding model of the betas from the latents,
	// inverted.
	enc, err := FitEncoder(zTrain, xTrain, 1)
	if err != nil {
		t.Fatal(err)
	}
	zInv, err := enc.Decode(xTest)
	if err != nil {
		t.Fatal(err)
	}
	if res.pairwiseInversion, err = metrics.Pairwise(zInv, zTest); err != nil {
		t.Fatal(err)
	}
	return res
}

func stimIndex(t testing.TB, stim string) int {
	base := filepath.Base(stim) // imgNNNNN.png
	i, err := strconv.Atoi(base[3 : len(base)-4])
	if err != nil {
		t.Fatalf("stim_file %q", stim)
	}
	return i
}

// truthCorrelation is the mean over voxels of the correlation between the
// averaged test betas (rows in the order of stims) and the simulator's
// noise-free responses (rows in the order of truthStims).
func truthCorrelation(t testing.TB, path string, truthStims, stims []string, betas *mat.Dense) float64 {
	truthFile := loadNPY(t, path)
	row := map[string]int{}
	for i, s := range truthStims {
		row[s] = i
	}
	_, v := truthFile.Dims()
	truth := mat.NewDense(len(stims), v, nil)
	for i, s := range stims {
		truth.SetRow(i, truthFile.RawRowView(row[s]))
	}
	r, err := metrics.PearsonPerDim(betas, truth)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := metrics.Mean(r)
	return m
}

// TestPipelineFromFiles is the end-to-end check: from NIfTI runs and
// events files to decoded latents, pairwise identification of 20 test
// images must be far above chance (0.5) at the default SNR.
func TestPipelineFromFiles(t *testing.T) {
	snr := sim.DefaultConfig().SNR
	res := runPipeline(t, smallConfig(snr), t.TempDir(), 20)
	t.Logf("SNR %.2f: betas vs truth r = %.2f; pairwise identification: latent %.3f, pixel %.3f, encoding inversion %.3f",
		snr, res.betaTruthR, res.pairwiseLatent, res.pairwisePixel, res.pairwiseInversion)
	if res.pairwiseLatent < 0.75 || res.pairwisePixel < 0.7 || res.pairwiseInversion < 0.7 {
		t.Errorf("decoding too weak: %+v", res)
	}
}

// TestPipelineSNRSweep (long) reports identification against SNR.
func TestPipelineSNRSweep(t *testing.T) {
	if testing.Short() || os.Getenv("DECODE_SWEEP") == "" {
		t.Skip("set DECODE_SWEEP=1")
	}
	for _, snr := range []float64{0.1, 0.25, 0.5, 1, 2} {
		res := runPipeline(t, smallConfig(snr), t.TempDir(), 20)
		t.Logf("SNR %.2f: betas vs truth r = %.2f; pairwise: latent %.3f pixel %.3f inversion %.3f",
			snr, res.betaTruthR, res.pairwiseLatent, res.pairwisePixel, res.pairwiseInversion)
	}
}
