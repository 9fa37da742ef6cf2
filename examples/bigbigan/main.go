// Command bigbigan runs BigBiGAN's generator and a trained small BigBiGAN:
//
//	bigbigan generate    [-weights FILE] -z FILE.npy -out FILE.npy [-png FILE]
//	bigbigan sample      [-weights FILE] -n N -seed S -truncation T -png FILE [-out FILE.npy] [-z-out FILE.npy]
//	bigbigan interpolate [-weights FILE] (-z FILE.npy | -seed S) -steps K [-slerp] -png FILE [-out FILE.npy]
//	bigbigan encode      [-weights FILE] [-images FILE] [-n N] -out FILE.npy [-png FILE]
//	bigbigan train       -steps N -out DIR [-weights FILE] [-resume] ...
//	bigbigan eval        [-weights FILE] [-out DIR]
//	bigbigan invert      [-init FILE] -steps N -out DIR [-weights FILE] [-resume] ...
//
// -weights of generate, sample and interpolate is a generator checkpoint in
// BigGAN-PyTorch's layout (the public BigBiGAN_x1.pth, or the same keys as
// .safetensors or .npz) or a trained small BigBiGAN (train's -weights).
// Without -weights they use the small BigBiGAN embedded in the program.
// Images are written as float32 NCHW .npy in [-1, 1] and as PNG grids.
// encode and eval default to the BigBiGAN trained on Fashion-MNIST that
// ships in assets/bigbigan/.
//
//	go run ./examples/bigbigan sample -weights BigBiGAN_x1.pth -n 16 -seed 1 -truncation 1 -png samples.png
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	"github.com/neurolatent/neurolatent/bigbigan"
	nlblas "github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/latent"
	nt "github.com/neurolatent/neurolatent/tensor"
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"generate":    {"map latent codes from an .npy file to images", runGenerate},
	"sample":      {"generate images from random (optionally truncated) latent codes", runSample},
	"interpolate": {"generate images along a lerp or slerp path between two latent codes", runInterpolate},
	"encode":      {"encode images with a trained BigBiGAN encoder", runEncode},
	"train":       {"train a small BigBiGAN on Fashion-MNIST (or an IDX file)", runTrain},
	"eval":        {"linear probe and reconstructions of a trained small BigBiGAN", runEval},
	"invert":      {"train a BigBiGAN's encoder to invert its frozen generator", runInvert},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: bigbigan COMMAND [flags]")
	fmt.Fprintln(w, "\nBigBiGAN's generator (the public BigBiGAN_x1.pth, or the small BigBiGAN that")
	fmt.Fprintln(w, "ships embedded in the program) and training of small BigBiGANs.")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexamples:")
	for _, n := range names {
		if ex := examples[n]; len(ex) > 0 {
			fmt.Fprintf(w, "  %s\n", ex[0])
		}
	}
	fmt.Fprintln(w, "\nrun 'bigbigan help COMMAND' or 'bigbigan COMMAND -h' for a command's flags")
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return cli.Usagef("no command")
	}
	if cli.IsHelp(args[0]) {
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				return cli.Usagef("unknown command %q", args[1])
			}
			return c.run([]string{"-h"}, stdout, stderr)
		}
		usage(stdout)
		return flag.ErrHelp
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return cli.Usagef("unknown command %q", args[0])
	}
	return c.run(args[1:], stdout, stderr)
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	return flag.NewFlagSet("bigbigan "+name, flag.ContinueOnError)
}

// parseFlags parses a command's flags; -h prints its help to stdout.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	name := strings.TrimPrefix(fs.Name(), "bigbigan ")
	h := cli.Help{Usage: fs.Name() + " [flags]", Summary: summaries[name], Examples: examples[name]}
	return cli.Parse(fs, args, h, stdout)
}

// summaries are the commands' one-line summaries, for their help (filled
// from commands in init: commands refers to the functions that read it).
var summaries = map[string]string{}

func init() {
	for n, c := range commands {
		summaries[n] = c.summary
	}
}

// examples are each command's command lines for its help.
var examples = map[string][]string{
	"generate":    {"bigbigan generate -z codes.npy -out images.npy -png images.png   # the embedded small BigBiGAN"},
	"sample":      {"bigbigan sample -n 16 -png samples.png                          # the embedded small BigBiGAN", "bigbigan sample -weights BigBiGAN_x1.pth -n 16 -truncation 1 -png samples.png"},
	"interpolate": {"bigbigan interpolate -seed 3 -steps 8 -slerp -png path.png"},
	"encode":      {"bigbigan encode -n 64 -out mu.npy -png reconstructions.png"},
	"train":       {"bigbigan train -steps 2000 -out out/bigbigan -weights bigbigan.safetensors"},
	"eval":        {"bigbigan eval -out out/bigbigan-eval"},
	"invert":      {"bigbigan invert -steps 600 -out out/bigbigan-invert -weights bigbigan.safetensors"},
}

func requireNPY(flagName, path string) error {
	if path != "" && !strings.EqualFold(pathExt(path), ".npy") {
		return fmt.Errorf("-%s %s: want an .npy file", flagName, path)
	}
	return nil
}

func pathExt(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 && !strings.ContainsRune(p[i:], '/') {
		return p[i:]
	}
	return ""
}

// writeImages writes images in [-1, 1] to an .npy and/or a PNG grid.
func writeImages(img *nt.Dense, npy, png string, cols int, stderr io.Writer) error {
	if npy != "" {
		if err := nt.SaveNPY(npy, img); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %v images to %s\n", img.Shape(), npy)
	}
	if png != "" {
		if err := bigbigan.SavePNG(png, img, cols); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", png)
	}
	return nil
}

// openGenerator reads a generator checkpoint, or the embedded small
// BigBiGAN's generator when path is empty.
func openGenerator(path string, class int) (*bigbigan.Generator, error) {
	var g *bigbigan.Generator
	if path == "" {
		v, err := loadBiGAN("")
		if err != nil {
			return nil, err
		}
		g = v.Generator
	} else {
		var err error
		if g, err = bigbigan.LoadGenerator(path); err != nil {
			return nil, err
		}
	}
	if classes := g.Config().Classes; class < 0 || class >= classes {
		return nil, fmt.Errorf("-class %d: want 0..%d", class, classes-1)
	}
	g.Class = class
	return g, nil
}

func runGenerate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", stderr)
	weights := fs.String("weights", "", "generator checkpoint (.pth, .safetensors, .npz) or trained BigBiGAN weights (default: the small BigBiGAN embedded in the program)")
	zPath := fs.String("z", "", "latent codes [N, 120] (float32 or float64 .npy)")
	out := fs.String("out", "", "write the images [N, 3, 128, 128] in [-1, 1] as float32 .npy")
	png := fs.String("png", "", "also write the images as a PNG grid")
	class := fs.Int("class", 0, "class embedding row (BigBiGAN: 0)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *zPath == "":
		return cli.Usagef("-z is required")
	case *out == "":
		return cli.Usagef("-out is required")
	}
	if err := cli.Usage(errors.Join(requireNPY("z", *zPath), requireNPY("out", *out))); err != nil {
		return err
	}
	g, err := openGenerator(*weights, *class)
	if err != nil {
		return err
	}
	z, err := nt.LoadNPY(*zPath)
	if err != nil {
		return err
	}
	if err := g.CheckZ(z.Shape()); err != nil {
		return fmt.Errorf("-z %s: %w", *zPath, err)
	}
	img, err := g.Generate(z)
	if err != nil {
		return err
	}
	return writeImages(img, *out, *png, 0, stderr)
}

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", stderr)
	weights := fs.String("weights", "", "generator checkpoint (.pth, .safetensors, .npz) or trained BigBiGAN weights (default: the small BigBiGAN embedded in the program)")
	n := fs.Int("n", 16, "number of images (1..1024)")
	seed := fs.Uint64("seed", 1, "seed of the latent codes")
	trunc := fs.Float64("truncation", 0, "truncation threshold: redraw |z| values above it (0: none)")
	png := fs.String("png", "", "write the images as a PNG grid")
	out := fs.String("out", "", "write the images as float32 .npy")
	zOut := fs.String("z-out", "", "write the latent codes as float32 .npy")
	class := fs.Int("class", 0, "class embedding row (BigBiGAN: 0)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *n < 1 || *n > 1024 {
		return cli.Usagef("-n %d: want 1..1024", *n)
	}
	if err := bigbigan.CheckTruncation(*trunc); err != nil {
		return cli.Usagef("-truncation: %w", err)
	}
	if *png == "" && *out == "" {
		return cli.Usagef("give -png and/or -out")
	}
	if err := cli.Usage(errors.Join(requireNPY("out", *out), requireNPY("z-out", *zOut))); err != nil {
		return err
	}
	g, err := openGenerator(*weights, *class)
	if err != nil {
		return err
	}
	img, z, err := g.Sample(*n, *seed, *trunc)
	if err != nil {
		return err
	}
	if *zOut != "" {
		if err := nt.SaveNPY(*zOut, z); err != nil {
			return err
		}
	}
	return writeImages(img, *out, *png, 0, stderr)
}

func runInterpolate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("interpolate", stderr)
	weights := fs.String("weights", "", "generator checkpoint (.pth, .safetensors, .npz) or trained BigBiGAN weights (default: the small BigBiGAN embedded in the program)")
	zPath := fs.String("z", "", "latent codes .npy: interpolate from row 0 to row 1 (default: two codes drawn with -seed)")
	seed := fs.Uint64("seed", 1, "seed of the two end codes when -z is not given")
	trunc := fs.Float64("truncation", 0, "truncation threshold of the drawn end codes (0: none)")
	steps := fs.Int("steps", 8, "images along the path, both ends included (2..256)")
	slerp := fs.Bool("slerp", false, "spherical interpolation (default: linear)")
	png := fs.String("png", "", "write the images as a PNG strip")
	out := fs.String("out", "", "write the images as float32 .npy")
	class := fs.Int("class", 0, "class embedding row (BigBiGAN: 0)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *steps < 2 || *steps > 256 {
		return cli.Usagef("-steps %d: want 2..256", *steps)
	}
	if err := bigbigan.CheckTruncation(*trunc); err != nil {
		return cli.Usagef("-truncation: %w", err)
	}
	if *png == "" && *out == "" {
		return cli.Usagef("give -png and/or -out")
	}
	if err := cli.Usage(errors.Join(requireNPY("z", *zPath), requireNPY("out", *out))); err != nil {
		return err
	}
	g, err := openGenerator(*weights, *class)
	if err != nil {
		return err
	}
	d := g.Config().Latent()
	var ends *nt.Dense
	if *zPath != "" {
		if ends, err = nt.LoadNPY(*zPath); err != nil {
			return err
		}
		if err := g.CheckZ(ends.Shape()); err != nil {
			return fmt.Errorf("-z %s: %w", *zPath, err)
		}
		if ends.Shape()[0] < 2 {
			return fmt.Errorf("-z %s holds %d code; want at least 2 rows", *zPath, ends.Shape()[0])
		}
		if ends, err = nt.ToFloat32(ends); err != nil {
			return err
		}
	} else {
		if ends, err = drawEnds(*seed, d, *trunc); err != nil {
			return err
		}
	}
	zs := nt.Data32(ends)
	m := latent.Linear
	if *slerp {
		m = latent.Spherical
	}
	img, err := g.Interpolate(zs[:d], zs[d:2*d], *steps, m)
	if err != nil {
		return err
	}
	return writeImages(img, *out, *png, *steps, stderr)
}

func drawEnds(seed uint64, d int, trunc float64) (*nt.Dense, error) {
	return bigbigan.TruncatedNoise(rand.New(rand.NewPCG(seed, 0x1e7)), 2, d, trunc)
}

func main() {
	nlblas.Use()
	cli.Exit("bigbigan", run(os.Args[1:], os.Stdout, os.Stderr))
}
