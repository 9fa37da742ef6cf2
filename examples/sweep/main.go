// Command sweep runs the main job's pipeline (simulated participant,
// NIfTI + events, GLM, voxel selection, decoding into the shipped
// VAE-GAN's latent space and the PCA baseline) across SNRs and training
// set sizes, and plots pairwise identification against each: the curves
// in docs/reconstruct/.
//
//	go run ./examples/sweep -seeds 3 -train 150,300,600,1200,2400 -out docs/reconstruct
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/recon"
	"github.com/neurolatent/neurolatent/vae"
)

// point is one setting of the pipeline, run once per participant seed.
type point struct {
	SNR   float64 `json:"snr"` // 0: noise-free responses
	Train int     `json:"train"`
	// Runs holds each seed's scores (seeds 1, 2, ...: a different
	// participant, noise and choice of images each).
	Runs [][]recon.Scores `json:"runs"`
}

// stat returns the mean and the standard deviation over seeds of the ridge
// decoder's pairwise identification in the given space.
func (p point) stat(space string, pixel bool) (mean, sd float64) {
	var vals []float64
	for _, run := range p.Runs {
		for _, sc := range run {
			if sc.Space == space && sc.Method == "ridge" {
				v := sc.Value(recon.PairwiseLatent)
				if pixel {
					v = sc.Value(recon.PairwisePixel)
				}
				vals = append(vals, v)
			}
		}
	}
	for _, v := range vals {
		mean += v / float64(len(vals))
	}
	if len(vals) > 1 {
		for _, v := range vals {
			sd += (v - mean) * (v - mean) / float64(len(vals)-1)
		}
		sd = math.Sqrt(sd)
	}
	return mean, sd
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v >= 0) {
			return nil, fmt.Errorf("bad value %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	out := fs.String("out", "out/sweep", "output folder")
	snrs := fs.String("snr", "0.1,0.25,0.65,1.5,4,0", "SNRs (0: noise-free responses)")
	trains := fs.String("train", "150,300,600,1200", "training set sizes (at -base-snr)")
	base := fs.Float64("base-snr", 0.65, "SNR of the training-size sweep")
	snrTrain := fs.Int("snr-train", 1200, "training images in the SNR sweep")
	voxels := fs.Int("voxels", 500, "voxels each decoder keeps")
	seeds := fs.Int("seeds", 1, "participants (seeds 1..N) per point; the curves show their mean and standard deviation")
	if err := cli.Parse(fs, args, sweepHelp, helpOut); err != nil {
		return err
	}
	if *seeds < 1 || *seeds > 100 {
		return cli.Usagef("-seeds %d: want 1 to 100", *seeds)
	}
	snrList, err := floats(*snrs)
	if err != nil {
		return cli.Usagef("-snr: %w", err)
	}
	trainF, err := floats(*trains)
	if err != nil {
		return cli.Usagef("-train: %w", err)
	}
	// One line per decoded participant, above a bar over all of them.
	bar := cli.Stages(log, (len(snrList)+len(trainF))*(*seeds))
	log = bar
	defer bar.Finish()
	// Found now, not after minutes of decoding.
	if err := atomicfile.CheckDir(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	blas.Use()
	raw, err := assets.VAEGAN()
	if err != nil {
		return err
	}
	v, err := vae.Read(bytes.NewReader(raw), int64(len(raw)), "shipped VAE-GAN")
	if err != nil {
		return err
	}
	model := recon.VAEGAN{V: v}
	d, err := assets.FashionMNIST("test", 32)
	if err != nil {
		return err
	}
	images, _, err := (&dataset.Loader{Data: d}).All()
	if err != nil {
		return err
	}
	once := func(snr float64, train int, seed uint64) ([]recon.Scores, error) {
		cfg := sim.DefaultConfig()
		cfg.TrainImages, cfg.Seed = train, seed
		var data *recon.Data
		var err error
		if snr == 0 {
			data, err = recon.NoiseFree(images, cfg)
		} else {
			cfg.SNR = snr
			dir, derr := os.MkdirTemp("", "sweep-*")
			if derr != nil {
				return nil, derr
			}
			defer os.RemoveAll(dir)
			data, err = recon.Simulate(images, cfg, dir, nil)
		}
		if err != nil {
			return nil, err
		}
		r, err := recon.Decode(model, data, recon.Options{Voxels: *voxels})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "SNR %-5g train %-5d seed %-3d %s ridge: latent %.3f pixel %.3f | pca ridge: latent %.3f pixel %.3f\n",
			snr, train, seed, model.Name(), r.Value(recon.PairwiseLatent), r.Value(recon.PairwisePixel), r.Baseline.Value(recon.PairwiseLatent), r.Baseline.Value(recon.PairwisePixel))
		return r.All, nil
	}
	one := func(snr float64, train int) (point, error) {
		p := point{SNR: snr, Train: train}
		for seed := 1; seed <= *seeds; seed++ {
			sc, err := once(snr, train, uint64(seed))
			if err != nil {
				return point{}, err
			}
			p.Runs = append(p.Runs, sc)
		}
		return p, nil
	}
	var bySNR, byTrain []point
	for _, s := range snrList {
		p, err := one(s, *snrTrain)
		if err != nil {
			return err
		}
		bySNR = append(bySNR, p)
	}
	for _, t := range trainF {
		p, err := one(*base, int(t))
		if err != nil {
			return err
		}
		byTrain = append(byTrain, p)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(map[string]any{"by_snr": bySNR, "by_train": byTrain, "base_snr": *base, "voxels": *voxels, "seeds": *seeds}, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "sweep.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := plotCurve(filepath.Join(*out, "snr.png"), fmt.Sprintf("Pairwise identification against SNR (%d training images)", *snrTrain),
		"SNR (noise-free plotted at 10)", bySNR, func(p point) float64 {
			if p.SNR == 0 {
				return 10
			}
			return p.SNR
		}, true); err != nil {
		return err
	}
	return plotCurve(filepath.Join(*out, "training.png"), fmt.Sprintf("Pairwise identification against training images (SNR %g)", *base),
		"training images", byTrain, func(p point) float64 { return float64(p.Train) }, true)
}

// errorXYs are points with symmetric error bars (one standard deviation).
type errorXYs struct {
	plotter.XYs
	plotter.YErrors
}

// plotCurve draws pairwise identification (latent and pixel, model and
// PCA, ridge) against x: the mean over seeds, with one standard deviation
// as error bars when there are several.
func plotCurve(path, title, xlabel string, pts []point, x func(point) float64, logX bool) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "pairwise identification"
	p.Y.Min, p.Y.Max = 0.4, 1
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	series := []struct {
		name  string
		space string
		pixel bool
		col   color.RGBA
	}{
		{"VAE-GAN latent", "vaegan", false, color.RGBA{0x1f, 0x77, 0xb4, 255}},
		{"VAE-GAN pixels", "vaegan", true, color.RGBA{0xff, 0x7f, 0x0e, 255}},
		{"PCA latent", "pca", false, color.RGBA{0x2c, 0xa0, 0x2c, 255}},
		{"PCA pixels", "pca", true, color.RGBA{0xd6, 0x27, 0x28, 255}},
	}
	for _, s := range series {
		var xy errorXYs
		for _, pt := range pts {
			m, sd := pt.stat(s.space, s.pixel)
			xy.XYs = append(xy.XYs, plotter.XY{X: x(pt), Y: m})
			xy.YErrors = append(xy.YErrors, struct{ Low, High float64 }{sd, sd})
		}
		l, marks, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, marks.Color = s.col, s.col
		p.Add(l, marks)
		if len(pts[0].Runs) > 1 {
			bars, err := plotter.NewYErrorBars(xy)
			if err != nil {
				return err
			}
			bars.Color = s.col
			p.Add(bars)
		}
		p.Legend.Add(s.name, l, marks)
	}
	chance, _ := plotter.NewLine(plotter.XYs{{X: x(pts[0]), Y: 0.5}, {X: x(pts[len(pts)-1]), Y: 0.5}})
	chance.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(chance)
	p.Legend.Add("chance", chance)
	p.Legend.Left, p.Legend.Top = false, false
	p.Legend.XOffs = -vg.Points(5)
	p.Legend.YOffs = vg.Points(5)
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}

func main() {
	cli.Exit("sweep", run(os.Args[1:], os.Stderr))
}
