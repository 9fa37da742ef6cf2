package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/classify"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/internal/realdata"
)

// config is what the command line sets.
type config struct {
	data              string
	routes, kinds     []string
	runsBold, runsMsk string
	hp                float64
	// shift moves every block by this many seconds (negative: earlier)
	// before the patterns are made.
	shift float64
	opt   stats.Options
}

// analysis is one route and pattern kind, evaluated.
type analysis struct {
	Route    string   `json:"route"`
	Patterns string   `json:"patterns"`
	Bold     []string `json:"bold"` // relative to the data folder
	Mask     string   `json:"mask"`
	Voxels   int      `json:"voxels"`
	Samples  int      `json:"samples"`
	// ConstantVoxels were constant within some run (0 after z-scoring).
	ConstantVoxels int                `json:"constant_voxels"`
	PerClass       map[string]float64 `json:"class_accuracy"`
	*classify.Evaluation
}

func (a *analysis) name() string {
	return fmt.Sprintf("%s, %s", map[string]string{"4d": "4D + attributes", "runs": "runs + events"}[a.Route], kindNames[a.Patterns])
}

// route is the runs of one route, loaded.
type route struct {
	name  string
	bold  []string
	mask  string
	nvox  int
	runs  []glm.Run
	input string // a line saying what was read
}

func loadRoute(cfg config, name string) (*route, error) {
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cfg.data, p)
	}
	r := &route{name: name}
	switch name {
	case "4d":
		r.bold, r.mask = []string{"bold.nii.gz"}, "mask.nii.gz"
		mask, err := nifti.LoadMask(rel(r.mask))
		if err != nil {
			return nil, err
		}
		runs, attrs, err := decode.LoadAttributeRuns(rel(r.bold[0]), rel("attributes_literal.txt"), mask, []string{"rest"})
		if err != nil {
			return nil, err
		}
		r.runs, r.nvox = runs, mask.Len()
		r.input = fmt.Sprintf("bold.nii.gz (%d volumes) + attributes_literal.txt, %d runs, mask.nii.gz (%d voxels)", attrs.Len(), len(runs), mask.Len())
	case "runs":
		r.mask = cfg.runsMsk
		mask, err := nifti.LoadMask(rel(r.mask))
		if err != nil {
			return nil, err
		}
		dirs, err := filepath.Glob(filepath.Join(cfg.data, "runs-25mm", "task001_run*"))
		if err != nil || len(dirs) == 0 {
			return nil, fmt.Errorf("no run folders runs-25mm/task001_run* in %s", cfg.data)
		}
		slices.Sort(dirs)
		var bold, evs []string
		for _, d := range dirs {
			b, _ := filepath.Rel(cfg.data, filepath.Join(d, cfg.runsBold))
			r.bold = append(r.bold, b)
			bold = append(bold, filepath.Join(d, cfg.runsBold))
			evs = append(evs, filepath.Join(d, "bold_events.tsv"))
		}
		runs, _, err := decode.LoadRuns(bold, evs, mask)
		if err != nil {
			return nil, err
		}
		r.runs, r.nvox = runs, mask.Len()
		r.input = fmt.Sprintf("runs-25mm/task001_run*/%s + bold_events.tsv, %d runs, %s (%d voxels)", cfg.runsBold, len(runs), r.mask, mask.Len())
	default:
		return nil, fmt.Errorf("unknown route %q (want 4d or runs)", name)
	}
	return r, nil
}

func makePatterns(r *route, kind string, hp float64) (*patterns, error) {
	switch kind {
	case kindBetas:
		return betaPatterns(r.runs, hp)
	case kindVolume:
		return volumePatterns(r.runs)
	case kindMeans:
		return meanPatterns(r.runs)
	}
	return nil, fmt.Errorf("unknown pattern kind %q (want betas, volumes or means)", kind)
}

// analyze runs every route and pattern kind of cfg. progress gets a line
// per step.
func analyze(cfg config, progress io.Writer) ([]*analysis, error) {
	var out []*analysis
	for _, rn := range cfg.routes {
		r, err := loadRoute(cfg, rn)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", rn, err)
		}
		fmt.Fprintf(progress, "route %s: %s\n", rn, r.input)
		if cfg.shift != 0 {
			for i := range r.runs {
				evs := slices.Clone(r.runs[i].Events)
				for j := range evs {
					evs[j].Onset += cfg.shift
				}
				r.runs[i].Events = evs
			}
			fmt.Fprintf(progress, "  blocks moved by %+g s\n", cfg.shift)
		}
		for _, kind := range cfg.kinds {
			t0 := time.Now()
			a := &analysis{Route: rn, Patterns: kind, Bold: r.bold, Mask: r.mask, Voxels: r.nvox}
			p, err := makePatterns(r, kind, cfg.hp)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.name(), err)
			}
			a.Samples, a.ConstantVoxels = len(p.labels), p.constant
			a.Evaluation, err = classify.Evaluate(p.x, p.labels, p.runs, classify.CorrelationFitter, cfg.opt)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.name(), err)
			}
			a.PerClass = map[string]float64{}
			for i, acc := range a.ClassAccuracy() {
				a.PerClass[a.Classes[i]] = acc
			}
			fmt.Fprintf(progress, "  %s: %d samples, accuracy %.4f (%v)\n", a.name(), a.Samples, a.Accuracy, time.Since(t0).Round(time.Millisecond))
			out = append(out, a)
		}
	}
	return out, nil
}

// report prints the results table and the per-category accuracies.
func report(w io.Writer, cfg config, as []*analysis) {
	fmt.Fprintf(w, "Haxby et al. (2001), subject 1: 8-way correlation classifier, leave-one-run-out, chance 12.5%%\n")
	fmt.Fprintf(w, "95%% CI: percentile bootstrap over test samples (%d resamples); p: %d permutations of the labels within runs (seed %d)\n",
		cfg.opt.Resamples, cfg.opt.Permutations, cfg.opt.Seed)
	if cfg.shift != 0 {
		fmt.Fprintf(w, "blocks moved by %+g s\n", cfg.shift)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-36s %7s %6s %9s %16s %7s\n", "analysis", "samples", "voxels", "accuracy", "95% CI", "p")
	for _, a := range as {
		fmt.Fprintf(w, "%-36s %7d %6d %8.1f%% %6.1f%% - %5.1f%% %7.4f\n", a.name(), a.Samples, a.Voxels, 100*a.Accuracy, 100*a.CI[0], 100*a.CI[1], a.P)
	}
	if len(as) == 0 {
		return
	}
	fmt.Fprintf(w, "\naccuracy per category (%%)\n%-36s", "analysis")
	classes := as[0].Classes
	for _, c := range classes {
		fmt.Fprintf(w, " %8.8s", c)
	}
	fmt.Fprintln(w)
	for _, a := range as {
		fmt.Fprintf(w, "%-36s", a.name())
		for _, c := range classes {
			fmt.Fprintf(w, " %8.1f", 100*a.PerClass[c])
		}
		fmt.Fprintln(w)
	}
}

// output is the -json file.
type output struct {
	Data         string      `json:"data"`
	HighPass     float64     `json:"high_pass_s"`
	Shift        float64     `json:"shift_s"`
	Chance       float64     `json:"chance"`
	Resamples    int         `json:"resamples"`
	Permutations int         `json:"permutations"`
	Seed         uint64      `json:"seed"`
	Analyses     []*analysis `json:"analyses"`
}

// Defaults of the command line.
const (
	defaultRoutes   = "4d,runs"
	defaultKinds    = "betas,volumes,means"
	defaultRunsBold = "bold_25mm.nii.gz"
	defaultRunsMask = "masks-25mm/25mm/brain.nii.gz"
	defaultHP       = 128
)

// defaultConfig is the command's default configuration for the data in
// dir.
func defaultConfig(dir string) config {
	return config{data: dir, routes: list(defaultRoutes), kinds: list(defaultKinds), runsBold: defaultRunsBold, runsMsk: defaultRunsMask, hp: defaultHP,
		opt: stats.Options{Resamples: 2000, Permutations: 1000, Seed: 1, Level: 0.95}}
}

func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("haxby", flag.ContinueOnError)
	data := fs.String("data", "", "data folder (default: ../shared/data/real/haxby2001-sub1 from the module root)")
	routes := fs.String("routes", defaultRoutes, "routes, comma-separated: 4d (bold.nii.gz + attribute table), runs (per-run files + events)")
	kinds := fs.String("patterns", defaultKinds, "pattern kinds, comma-separated: betas (GLM per block), volumes, means (block means)")
	runsBold := fs.String("runs-bold", defaultRunsBold, "per-run image in each runs-25mm/task001_runNNN folder (runs route)")
	runsMask := fs.String("runs-mask", defaultRunsMask, "mask of the runs route, relative to -data (vt.nii.gz there has 1 voxel)")
	hp := fs.Float64("hp", defaultHP, "GLM high-pass cut-off in seconds (negative: no drift terms)")
	shift := fs.Float64("shift", 0, "move every block by this many seconds (negative: earlier) before making patterns: a timing diagnostic")
	boot := fs.Int("boot", 2000, "bootstrap resamples")
	perm := fs.Int("perm", 1000, "permutations")
	seed := fs.Uint64("seed", 1, "seed of the resamples and permutations")
	jsonOut := fs.String("json", "", "also write the results, with every prediction, to this JSON file")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := cli.Parse(fs, args, haxbyHelp, stdout); err != nil {
		return err
	}
	if *boot < 2 || *perm < 1 {
		return cli.Usagef("-boot %d -perm %d: need at least 2 resamples and 1 permutation", *boot, *perm)
	}
	if *hp == 0 {
		return cli.Usagef("-hp 0: give the cut-off in seconds (128 is SPM's), or a negative value for no drift terms")
	}
	if *jsonOut != "" {
		if err := atomicfile.CheckWritable(*jsonOut); err != nil {
			return fmt.Errorf("-json: %w", err) // now, not after a minute of permutations
		}
	}
	cfg := config{data: *data, routes: list(*routes), kinds: list(*kinds), runsBold: *runsBold, runsMsk: *runsMask, hp: *hp, shift: *shift,
		opt: stats.Options{Resamples: *boot, Permutations: *perm, Seed: *seed, Level: 0.95}}
	if cfg.data == "" {
		root, err := realdata.Root()
		if err != nil {
			return fmt.Errorf("no -data folder, and %w", err)
		}
		cfg.data = filepath.Join(root, "haxby2001-sub1")
		if _, err := os.Stat(cfg.data); err != nil {
			return fmt.Errorf("no -data folder, and %w", err)
		}
	}
	if len(cfg.routes) == 0 || len(cfg.kinds) == 0 {
		return cli.Usagef("-routes %q -patterns %q: need at least one of each", *routes, *kinds)
	}
	for _, k := range cfg.kinds {
		if _, ok := kindNames[k]; !ok {
			return cli.Usagef("-patterns: unknown kind %q (want betas, volumes or means)", k)
		}
	}
	progress := io.Discard
	var bar *cli.StageWriter
	if !*quiet {
		// A line per route and per analysis (and per moved route), above
		// a bar with the time left: the permutations take a minute.
		n := len(cfg.routes) * (1 + len(cfg.kinds))
		if cfg.shift != 0 {
			n += len(cfg.routes)
		}
		bar = cli.Stages(stderr, n)
		progress = bar
	}
	as, err := analyze(cfg, progress)
	bar.Finish()
	if err != nil {
		return err
	}
	report(stdout, cfg, as)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(output{Data: cfg.data, HighPass: cfg.hp, Shift: cfg.shift, Chance: 1.0 / 8, Resamples: *boot, Permutations: *perm, Seed: *seed, Analyses: as}, "", " ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(*jsonOut, append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	cli.Exit("haxby", run(os.Args[1:], os.Stdout, os.Stderr))
}
