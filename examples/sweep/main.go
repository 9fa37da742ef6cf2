// Command sweep runs the main job's pipeline (simulated participant,
// NIfTI + events + confounds, GLM, voxel selection, decoding into the
// shipped VAE-GAN's latent space, the PCA and pixel-ridge baselines and
// the category oracle) over many simulated participants, and plots pixel
// pairwise identification of every method against the SNR, the number of
// training images and the structure of the noise: the mean over
// participants with its 95% interval (t over participants). These are the
// curves in docs/reconstruct/.
//
//	go run ./examples/sweep -participants 10 -out docs/reconstruct/sweep
package main

import (
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
	"time"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// noiseKinds are the noise structures the sweep compares, by name.
var noiseKinds = map[string]struct {
	about     string
	change    func(*sim.Config)
	confounds bool // the GLM takes the motion parameters
}{
	"independent": {"AR(1) noise and slow drift only, independent across voxels (the simulator before structured noise)", func(c *sim.Config) {
		c.SmoothFraction, c.GlobalSD, c.PhysioSD, c.MotionMM = 0, 0, 0, 0
		c.TrialGainSD, c.SessionGainSD, c.RepetitionSuppression, c.HRFDelaySD, c.SNRSpread = 0, 0, 0, 0, 0
	}, false},
	"realistic":     {"the default participant: smooth, global, physiological and motion noise, gains, repetition suppression, varied HRFs", nil, true},
	"no-confounds":  {"the default participant, analysed without the motion regressors", nil, false},
	"double-motion": {"the default participant moving twice as much (MotionMM 0.6)", func(c *sim.Config) { c.MotionMM *= 2 }, true},
}

// point is one setting of the pipeline, run once per participant.
type point struct {
	Axis  string  `json:"axis"` // snr, train or noise
	SNR   float64 `json:"snr"`  // 0: noise-free responses
	Train int     `json:"train"`
	Noise string  `json:"noise"`
	// Scores[method] holds the method's pixel pairwise identification for
	// each participant (1, 2, ...: a different brain, noise and choice of
	// images each); a method that could not run is absent.
	Scores map[string][]float64 `json:"pairwise_pixel"`
}

// methods are the rows plotted, by the names recon gives them.
var methods = []struct{ name, label string }{
	{"vaegan ridge", "VAE-GAN ridge"},
	{"vaegan invert", "VAE-GAN inversion"},
	{"pca ridge", "PCA ridge"},
	{"pixels ridge", "pixel ridge"},
	{"pixels category-oracle", "category oracle"},
}

// interval is the mean over participants and its 95% t interval.
func interval(v []float64) (mean, lo, hi float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x / n
	}
	if len(v) < 2 {
		return mean, mean, mean
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return mean, mean - t*se, mean + t*se
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v >= 0) || v > 1e6 {
			return nil, fmt.Errorf("bad value %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

type settings struct {
	out                     string
	snrs, trains            []float64
	noises                  []string
	baseSNR                 float64
	baseTrain, participants int
	voxels, test, repeats   int
	from                    string // a sweep.json to redraw instead of running
}

func parse(args []string) (settings, error) {
	var s settings
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.StringVar(&s.out, "out", "out/sweep", "output folder (sweep.json, snr.png, training.png, noise.png)")
	snrs := fs.String("snr", "0.05,0.2,0.8,3,0", "SNRs (0: noise-free responses) at -base-train training images")
	trains := fs.String("train", "150,300,600,1200", "training set sizes at -base-snr")
	noises := fs.String("noise", "independent,realistic,no-confounds,double-motion", "noise structures at -base-snr and -base-train (independent, realistic, no-confounds, double-motion)")
	fs.Float64Var(&s.baseSNR, "base-snr", sim.DefaultConfig().SNR, "SNR of the training-size and noise sweeps")
	fs.IntVar(&s.baseTrain, "base-train", 1200, "training images of the SNR and noise sweeps")
	fs.IntVar(&s.participants, "participants", 10, "simulated participants (seeds 1..N) per point")
	fs.IntVar(&s.voxels, "voxels", 500, "voxels each decoder keeps")
	fs.IntVar(&s.test, "test", 50, "test images per participant")
	fs.IntVar(&s.repeats, "repeats", 35, "repeats of each test image")
	fs.StringVar(&s.from, "from", "", "redraw the plots and table of an earlier sweep's sweep.json into -out, without running anything")
	if err := cli.Parse(fs, args, sweepHelp, helpOut); err != nil {
		return s, err
	}
	if s.participants < 1 || s.participants > 100 {
		return s, cli.Usagef("-participants %d: want 1 to 100", s.participants)
	}
	if s.baseTrain < 10 || !(s.baseSNR > 0) || s.voxels < 0 || s.test < 2 || s.repeats < 1 {
		return s, cli.Usagef("-base-train %d, -base-snr %g, -voxels %d, -test %d, -repeats %d: want at least 10 training images, a positive SNR, voxels >= 0, 2 test images and 1 repeat",
			s.baseTrain, s.baseSNR, s.voxels, s.test, s.repeats)
	}
	var err error
	if s.snrs, err = floats(*snrs); err != nil {
		return s, cli.Usagef("-snr: %w", err)
	}
	if s.trains, err = floats(*trains); err != nil {
		return s, cli.Usagef("-train: %w", err)
	}
	for _, t := range s.trains {
		if t < 10 || t != math.Trunc(t) {
			return s, cli.Usagef("-train: %v is not a whole number of at least 10 images", t)
		}
	}
	for _, n := range strings.Split(*noises, ",") {
		n = strings.TrimSpace(n)
		if _, ok := noiseKinds[n]; !ok {
			return s, cli.Usagef("-noise: unknown structure %q (want independent, realistic, no-confounds or double-motion)", n)
		}
		s.noises = append(s.noises, n)
	}
	return s, nil
}

func run(args []string, log io.Writer) error {
	s, err := parse(args)
	if err != nil {
		return err
	}
	// Found now, not after an hour of decoding.
	if err := atomicfile.CheckDir(s.out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	if s.from != "" {
		return redraw(s)
	}
	blas.Use()
	v, err := vae.Shipped()
	if err != nil {
		return err
	}
	model := recon.VAEGAN{V: v}
	d, err := assets.FashionMNIST(assets.Test, 32)
	if err != nil {
		return err
	}
	images, labels, err := (&dataset.Loader{Data: d}).All()
	if err != nil {
		return err
	}
	class := map[string]string{}
	for i, l := range labels {
		class[sim.StimFile(i)] = assets.FashionClasses[l]
	}
	var pts []point
	for _, snr := range s.snrs {
		pts = append(pts, point{Axis: "snr", SNR: snr, Train: s.baseTrain, Noise: "realistic"})
	}
	for _, t := range s.trains {
		pts = append(pts, point{Axis: "train", SNR: s.baseSNR, Train: int(t), Noise: "realistic"})
	}
	for _, n := range s.noises {
		pts = append(pts, point{Axis: "noise", SNR: s.baseSNR, Train: s.baseTrain, Noise: n})
	}
	// Points shared between axes (the default setting) are run once.
	done := map[string]map[string][]float64{}
	key := func(p point) string { return fmt.Sprintf("%g/%d/%s", p.SNR, p.Train, p.Noise) }
	distinct := map[string]bool{}
	for _, p := range pts {
		distinct[key(p)] = true
	}
	// One line per decoded participant, above a bar over all of them.
	bar := cli.Stages(log, len(distinct)*s.participants)
	if w := bar.Writer(); w != nil {
		log = w
	}
	defer bar.Finish()
	start := time.Now()
	for i := range pts {
		p := &pts[i]
		if prev, ok := done[key(*p)]; ok {
			p.Scores = prev
			continue
		}
		p.Scores = map[string][]float64{}
		for seed := 1; seed <= s.participants; seed++ {
			scores, err := once(model, images, class, *p, uint64(seed), s)
			if err != nil {
				return fmt.Errorf("%s %s: participant %d: %w", p.Axis, key(*p), seed, err)
			}
			for _, m := range methods {
				if v, ok := scores[m.name]; ok {
					p.Scores[m.name] = append(p.Scores[m.name], v)
				}
			}
			fmt.Fprintf(log, "[%5.0f s] %-5s SNR %-5g train %-5d noise %-13s participant %2d: VAE-GAN ridge %.3f, PCA ridge %.3f, pixel ridge %.3f, oracle %.3f\n",
				time.Since(start).Seconds(), p.Axis, p.SNR, p.Train, p.Noise, seed, scores["vaegan ridge"], scores["pca ridge"], scores["pixels ridge"], scores["pixels category-oracle"])
		}
		done[key(*p)] = p.Scores
		// Written after every point, so a long sweep cut short keeps what
		// it measured.
		if err := save(s, pts[:i+1]); err != nil {
			return err
		}
	}
	if err := save(s, pts); err != nil {
		return err
	}
	if err := table(s, pts); err != nil {
		return err
	}
	return plots(s, pts)
}

// redraw reads an earlier sweep's results and draws them again.
func redraw(s settings) error {
	raw, err := os.ReadFile(s.from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	var saved struct {
		Points       []point `json:"points"`
		Participants int     `json:"participants"`
		BaseSNR      float64 `json:"base_snr"`
		BaseTrain    int     `json:"base_train"`
	}
	if err := json.Unmarshal(raw, &saved); err != nil {
		return fmt.Errorf("-from %s: %w", s.from, err)
	}
	if len(saved.Points) == 0 {
		return fmt.Errorf("-from %s: no points", s.from)
	}
	s.participants, s.baseSNR, s.baseTrain = saved.Participants, saved.BaseSNR, saved.BaseTrain
	if err := table(s, saved.Points); err != nil {
		return err
	}
	return plots(s, saved.Points)
}

// table writes sweep.md: every point's mean and 95% interval per method.
func table(s settings, pts []point) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Pixel pairwise identification, mean over %d simulated participants [95%% t interval]; chance 0.5.\n\n", s.participants)
	b.WriteString("| axis | SNR | training images | noise |")
	for _, m := range methods {
		b.WriteString(" " + m.label + " |")
	}
	b.WriteString("\n|---|---|---|---|")
	for range methods {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, p := range pts {
		snr := strconv.FormatFloat(p.SNR, 'g', -1, 64)
		if p.SNR == 0 {
			snr = "noise-free"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s |", p.Axis, snr, p.Train, p.Noise)
		for _, m := range methods {
			v := p.Scores[m.name]
			if len(v) == 0 {
				b.WriteString(" |")
				continue
			}
			mean, lo, hi := interval(v)
			fmt.Fprintf(&b, " %.3f [%.3f, %.3f] |", mean, lo, hi)
		}
		b.WriteString("\n")
	}
	paired(&b, pts)
	return atomicfile.WriteBytes(filepath.Join(s.out, "sweep.md"), []byte(b.String()))
}

// paired writes the differences the sweep's claims rest on, paired over
// participants (participant i has the same brain and images at every
// point): the best method against the category oracle at each point, and
// each noise structure against the default one. Each row gives the mean
// difference, its 95% t interval and the sign-flip permutation p-value.
func paired(b *strings.Builder, pts []point) {
	diff := func(a, c []float64) []float64 {
		if len(a) != len(c) || len(a) == 0 {
			return nil
		}
		d := make([]float64, len(a))
		for i := range a {
			d[i] = a[i] - c[i]
		}
		return d
	}
	row := func(what string, d []float64) {
		mean, lo, hi := interval(d)
		p, _ := stats.SignFlipP(d, 1<<16, 1)
		fmt.Fprintf(b, "| %s | %+.3f [%+.3f, %+.3f] | %.3g |\n", what, mean, lo, hi, p)
	}
	b.WriteString("\nPaired differences over participants: mean [95% t interval], two-sided sign-flip permutation p (exact up to 2^16 flips).\n\n")
	b.WriteString("| comparison | difference | p |\n|---|---|---|\n")
	done := map[string]bool{} // a point shared by two axes is compared once
	for _, p := range pts {
		key := fmt.Sprint(p.SNR, p.Train, p.Noise)
		if done[key] {
			continue
		}
		done[key] = true
		best, bestMean := "", math.Inf(-1)
		for _, m := range methods[:len(methods)-1] {
			if v := p.Scores[m.name]; len(v) > 0 {
				if mean, _, _ := interval(v); mean > bestMean {
					best, bestMean = m.label, mean
				}
			}
		}
		var bestScores []float64
		for _, m := range methods {
			if m.label == best {
				bestScores = p.Scores[m.name]
			}
		}
		d := diff(bestScores, p.Scores["pixels category-oracle"])
		if d == nil {
			continue
		}
		snr := strconv.FormatFloat(p.SNR, 'g', -1, 64)
		if p.SNR == 0 {
			snr = "noise-free"
		}
		row(fmt.Sprintf("%s − category oracle (SNR %s, %d training, %s)", best, snr, p.Train, p.Noise), d)
	}
	var ref *point
	for i := range pts {
		if pts[i].Axis == "noise" && pts[i].Noise == "realistic" {
			ref = &pts[i]
		}
	}
	if ref == nil {
		return
	}
	for _, p := range pts {
		if p.Axis != "noise" || p.Noise == "realistic" {
			continue
		}
		for _, m := range methods[:len(methods)-1] {
			if d := diff(p.Scores[m.name], ref.Scores[m.name]); d != nil {
				row(fmt.Sprintf("%s: %s − realistic", m.label, p.Noise), d)
			}
		}
	}
}

// once runs the pipeline for one participant and returns each method's
// pixel pairwise identification.
func once(model recon.Model, images *nt.Dense, class map[string]string, p point, seed uint64, s settings) (map[string]float64, error) {
	cfg := sim.DefaultConfig()
	cfg.TrainImages, cfg.Seed, cfg.TestImages, cfg.TestRepeats = p.Train, seed, s.test, s.repeats
	kind := noiseKinds[p.Noise]
	if kind.change != nil {
		kind.change(&cfg)
	}
	var data *recon.Data
	var err error
	if p.SNR == 0 {
		data, err = recon.NoiseFree(images, cfg)
	} else {
		cfg.SNR = p.SNR
		dir, derr := os.MkdirTemp("", "sweep-*")
		if derr != nil {
			return nil, derr
		}
		defer os.RemoveAll(dir)
		var conf []string
		if kind.confounds {
			conf = decode.MotionConfounds
		}
		data, err = recon.SimulateConfounds(images, cfg, dir, conf, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := data.SetLabels(func(s string) (string, bool) { c, ok := class[s]; return c, ok }); err != nil {
		return nil, err
	}
	// The sweep's intervals come from the participants, so the per-run
	// bootstrap and permutations are kept to their minimum.
	r, err := recon.Decode(model, data, recon.Options{Voxels: s.voxels, Stats: stats.Options{Resamples: 2, Permutations: 1, Flips: 1, Seed: seed}})
	if err != nil {
		return nil, err
	}
	// A method that cannot run (inversion with fewer training images than
	// latent dimensions) is simply absent.
	out := map[string]float64{}
	for _, sc := range r.All {
		out[sc.Name()] = sc.Value(recon.PairwisePixel)
	}
	return out, nil
}

func save(s settings, pts []point) error {
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return err
	}
	about := map[string]string{}
	for n, k := range noiseKinds {
		about[n] = k.about
	}
	js, err := json.MarshalIndent(map[string]any{"points": pts, "participants": s.participants, "voxels": s.voxels,
		"test_images": s.test, "test_repeats": s.repeats,
		"base_snr": s.baseSNR, "base_train": s.baseTrain, "noise_structures": about, "score": "pixel pairwise identification",
		"interval": "95% t interval of the mean over participants"}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(s.out, "sweep.json"), append(js, '\n'))
}

func plots(s settings, pts []point) error {
	var bySNR, byTrain, byNoise []point
	for _, p := range pts {
		switch p.Axis {
		case "snr":
			bySNR = append(bySNR, p)
		case "train":
			byTrain = append(byTrain, p)
		default:
			byNoise = append(byNoise, p)
		}
	}
	n := s.participants
	if len(bySNR) > 0 {
		if err := curve(filepath.Join(s.out, "snr.png"), fmt.Sprintf("Pixel pairwise identification against SNR (%d participants, %d training images)", n, s.baseTrain),
			"SNR (noise-free plotted at 10)", bySNR, func(p point) float64 {
				if p.SNR == 0 {
					return 10
				}
				return p.SNR
			}, nil); err != nil {
			return err
		}
	}
	if len(byTrain) > 0 {
		if err := curve(filepath.Join(s.out, "training.png"), fmt.Sprintf("Pixel pairwise identification against training images (%d participants, SNR %g)", n, s.baseSNR),
			"training images", byTrain, func(p point) float64 { return float64(p.Train) }, nil); err != nil {
			return err
		}
	}
	if len(byNoise) > 0 {
		var names []string
		for _, p := range byNoise {
			names = append(names, p.Noise)
		}
		return curve(filepath.Join(s.out, "noise.png"), fmt.Sprintf("Pixel pairwise identification by noise structure (%d participants, SNR %g)", n, s.baseSNR),
			"noise structure", byNoise, func(p point) float64 {
				for i, q := range byNoise {
					if q.Noise == p.Noise {
						return float64(i)
					}
				}
				return 0
			}, names)
	}
	return nil
}

// errorXYs are points with asymmetric error bars.
type errorXYs struct {
	plotter.XYs
	plotter.YErrors
}

// curve draws every method's mean over participants against x with its
// 95% interval as error bars; names, when given, label integer x ticks.
func curve(path, title, xlabel string, pts []point, x func(point) float64, names []string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "pixel pairwise identification"
	p.Y.Min, p.Y.Max = 0.2, 1.05 // room below chance for the legend
	if names == nil {
		// A log axis with explicit positive limits: gonum's own range can
		// reach 0 or below (a single point, say), which a log scale
		// cannot draw.
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, pt := range pts {
			lo, hi = min(lo, x(pt)), max(hi, x(pt))
		}
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.X.Min, p.X.Max = lo/1.5, hi*1.5
	} else {
		var ticks []plot.Tick
		for i, n := range names {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: n})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	}
	cols := []color.RGBA{{0x1f, 0x77, 0xb4, 255}, {0x17, 0xbe, 0xcf, 255}, {0x2c, 0xa0, 0x2c, 255}, {0xd6, 0x27, 0x28, 255}, {0x7f, 0x7f, 0x7f, 255}}
	for k, m := range methods {
		var xy errorXYs
		for _, pt := range pts {
			var vals []float64
			for _, v := range pt.Scores[m.name] {
				if !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			if len(vals) == 0 {
				continue
			}
			mean, lo, hi := interval(vals)
			xv := x(pt)
			if names != nil { // side by side, so the bars do not overlap
				xv += 0.1 * (float64(k) - float64(len(methods)-1)/2)
			}
			xy.XYs = append(xy.XYs, plotter.XY{X: xv, Y: mean})
			xy.YErrors = append(xy.YErrors, struct{ Low, High float64 }{mean - lo, hi - mean})
		}
		if len(xy.XYs) == 0 {
			continue
		}
		l, marks, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, marks.Color = cols[k], cols[k]
		if names != nil {
			l.Width = 0 // categories: no line between them
		}
		bars, err := plotter.NewYErrorBars(xy)
		if err != nil {
			return err
		}
		bars.Color = cols[k]
		p.Add(l, marks, bars)
		p.Legend.Add(m.label, l, marks)
	}
	chance, _ := plotter.NewLine(plotter.XYs{{X: x(pts[0]), Y: 0.5}, {X: x(pts[len(pts)-1]), Y: 0.5}})
	if names != nil {
		chance.XYs = plotter.XYs{{X: -0.5, Y: 0.5}, {X: float64(len(names)) - 0.5, Y: 0.5}}
	}
	chance.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(chance)
	p.Legend.Add("chance", chance)
	// Legend below the plotting area's bottom right, clear of the curves
	// (they run from chance at the bottom left to the ceiling at the top).
	p.Legend.Left, p.Legend.Top = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(5), vg.Points(5)
	return p.Save(8*vg.Inch, 4.5*vg.Inch, path)
}

func main() {
	cli.Exit("sweep", run(os.Args[1:], os.Stderr))
}
