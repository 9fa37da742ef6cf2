// Command scale times one step of the decoding pipeline at one problem
// size and prints a JSON line with the wall time and the process's peak
// resident memory; bench/scale/run.sh calls it (and peer.py, the same
// steps in scikit-learn) over a range of trials and voxels, each size in
// its own process so that each peak is its own.
//
//	scale -op ridge|pca|select -n TRIALS -p VOXELS [-mode auto|primal|dual] [-solver exact|randomized]
//	scale -op glm -dir D -n TRIALS -p VOXELS     (writes D's runs first when absent)
//	scale -op glm-write -dir D -n TRIALS -p VOXELS   (only writes them, so that
//	                                                 the timed process's peak is the GLM's)
//
// ridge is RidgeCV, leave-one-out, an alpha per target among 10, into
// -d (1,024) latent dimensions; pca the -k (100) leading components
// (exactly, or with the randomized solver scikit-learn uses by default);
// select the voxel selection of the main job (5-fold encoding R^2 of a
// ridge from -d latents to every voxel, then the top 1,000); glm
// single-trial betas (LSS) from 4D NIfTI runs of 60 trials, 188 volumes
// at TR 1.6 s (an NSD-like run), read volume by volume and one run at a
// time. The data are seeded Gaussian noise (the costs do not depend on the
// values), except for pca, whose iterations do: its data have a spectrum
// like real data's (see lowRank).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/internal/procmem"
)

// An NSD-like run: 60 trials 4 s apart, 188 volumes at TR 1.6 s.
const (
	trialsPerRun = 60
	framesPerRun = 188
	runTR        = 1.6
)

func main() {
	op := flag.String("op", "ridge", "ridge, pca, select or glm")
	n := flag.Int("n", 2000, "trials")
	p := flag.Int("p", 5000, "voxels")
	d := flag.Int("d", 1024, "latent dimensions (ridge, select)")
	k := flag.Int("k", 100, "principal components (pca)")
	dir := flag.String("dir", "", "folder of the runs (glm)")
	mode := flag.String("mode", "auto", "ridge's form: auto, primal or dual")
	solver := flag.String("solver", "exact", "pca's solver: exact or randomized")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the timed step here")
	flag.Parse()
	blas.Use() // gonum's mat and lapack on the project's GEMM, as the examples do
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *n < 2 || *p < 1 || *d < 1 || *k < 1 {
		fmt.Fprintln(os.Stderr, "scale: -n must be at least 2, -p, -d and -k at least 1")
		os.Exit(2)
	}
	modes := map[string]ridge.Mode{"auto": ridge.Auto, "primal": ridge.Primal, "dual": ridge.Dual}
	m, ok := modes[*mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "scale: -mode %q: auto, primal or dual\n", *mode)
		os.Exit(2)
	}
	impl, opt := "go", decode.PCAOptions{}
	switch *solver {
	case "exact":
	case "randomized":
		impl, opt.Solver = "go-randomized", decode.PCARandomized
	default:
		fmt.Fprintf(os.Stderr, "scale: -solver %q: exact or randomized\n", *solver)
		os.Exit(2)
	}
	secs, err := run(*op, *n, *p, *d, *k, *dir, m, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"impl": impl, "op": *op, "mode": *mode, "n": *n, "p": *p, "seconds": secs, "peak_mib": procmem.PeakMiB()})
}

func run(op string, n, p, d, k int, dir string, mode ridge.Mode, pca decode.PCAOptions) (float64, error) {
	rng := rand.New(rand.NewPCG(1, uint64(n)*1_000_003+uint64(p)))
	alphas := ridge.LogSpace(-2, 5, 10)
	switch op {
	case "ridge":
		x, y := gauss(rng, n, p), gauss(rng, n, d)
		t0 := time.Now()
		_, err := ridge.Fit(x, y, ridge.Config{Alphas: alphas, PerTarget: true, Mode: mode})
		return time.Since(t0).Seconds(), err
	case "pca":
		x := lowRank(rng, n, p)
		t0 := time.Now()
		_, err := decode.FitPCAWith(x, min(k, n, p), pca)
		return time.Since(t0).Seconds(), err
	case "select":
		f, v := gauss(rng, n, d), gauss(rng, n, p)
		t0 := time.Now()
		r2, err := decode.EncodingR2(f, v, alphas, 5)
		if err == nil {
			decode.TopVoxels(r2, min(1000, p))
		}
		return time.Since(t0).Seconds(), err
	case "glm", "glm-write":
		if dir == "" {
			return 0, fmt.Errorf("-op %s needs -dir", op)
		}
		files, err := writeRuns(dir, rng, (n+trialsPerRun-1)/trialsPerRun, p)
		if err != nil || op == "glm-write" {
			return 0, err
		}
		t0 := time.Now()
		b, _, err := files.TrialBetas(glm.Options{Method: glm.LSS})
		if err == nil {
			if r, c := b.Values.Dims(); c != p || r < n {
				err = fmt.Errorf("betas %dx%d, expected at least %dx%d", r, c, n, p)
			}
		}
		return time.Since(t0).Seconds(), err
	}
	return 0, fmt.Errorf("unknown -op %q (ridge, pca, select or glm)", op)
}

func gauss(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = rng.NormFloat64()
	}
	return m
}

// lowRank is data whose covariance spectrum falls off as real images'
// and betas' do: 300 components of variance proportional to 1/(j+1) above
// unit white noise. (On white noise alone, which has no spectral gap,
// FitPCA's subspace iteration gives up and computes the full SVD.)
func lowRank(rng *rand.Rand, n, p int) *mat.Dense {
	const r = 300
	a, b := gauss(rng, n, r), gauss(rng, r, p)
	for j := range r {
		w := 3 / math.Sqrt(float64(j+1))
		for i := range n {
			a.Set(i, j, a.At(i, j)*w)
		}
	}
	x := gauss(rng, n, p)
	var s mat.Dense
	s.Mul(a, b)
	x.Add(x, &s)
	return x
}

// writeRuns writes runs 4D float32 images of p voxels
// and their events into dir, unless they are there from an earlier call.
func writeRuns(dir string, rng *rand.Rand, runs, p int) (decode.RunFiles, error) {
	var f decode.RunFiles
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	tab := &events.Table{Columns: []string{events.ColOnset, events.ColDuration, "trial_type"}}
	for t := range trialsPerRun {
		tab.Events = append(tab.Events, events.Event{Onset: 4 + 4*float64(t), Duration: 3, TrialType: fmt.Sprintf("image%02d", t)})
	}
	for r := range runs {
		bold := filepath.Join(dir, fmt.Sprintf("sub-01_run-%03d_bold.nii", r+1))
		ev := strings.TrimSuffix(bold, "_bold.nii") + "_events.tsv"
		f.Bold, f.Events = append(f.Bold, bold), append(f.Events, ev)
		if _, err := os.Stat(ev); err == nil {
			continue
		}
		// NIfTI-1 dimensions are int16: a 100 x p/100 grid where p allows.
		nx, ny := p, 1
		if p%100 == 0 {
			nx, ny = 100, p/100
		}
		im, err := nifti.NewImage(nifti.Float32, nx, ny, 1, framesPerRun)
		if err != nil {
			return f, err
		}
		im.Header.Pixdim[4] = runTR
		for i := range im.Data {
			im.Data[i] = 100 + rng.NormFloat64()
		}
		if err := nifti.WriteFile(bold, im); err != nil {
			return f, err
		}
		if err := events.WriteFile(ev, tab); err != nil {
			return f, err
		}
	}
	return f, nil
}
