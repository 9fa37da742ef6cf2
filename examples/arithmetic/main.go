// Command arithmetic does latent-space algebra with the shipped VAE-GAN on
// Fashion-MNIST: the image counterpart of QUEEN - WOMAN + MAN = KING.
//
//	go run ./examples/arithmetic                 # writes out/arithmetic/
//	go run ./examples/arithmetic -json -out docs/arithmetic
//
// It encodes test images (the encoder's mean mu), splits them into a
// fitting half and a held-out half, and with package latent:
//
//   - class axes: the class-mean difference between two classes, and the
//     held-out accuracy of its projection classifier;
//   - class transfer, A - B + C: an image's code minus the mean code of its
//     class plus the mean code of another class, decoded. Each result is
//     encoded again and assigned to the nearest class mean; the fraction
//     that lands in the target class is reported beside the same rate for
//     the unchanged codes (the control);
//   - interpolation strips between two images, lerp against slerp, with
//     how far each path's midpoint sags towards the origin.
//
// Outputs in -out: arithmetic.png (rows: image A, the decoded class means
// B and C, then A - B + C), axis.png (images moved along an axis by
// alpha = -0.5 ... 1.5), interpolation.png (pairs of rows: lerp, then
// slerp), metrics.json. With -json the metrics go to stdout.
//
// Flags: -weights FILE (a VAE-GAN from vae.Save; default the shipped one),
// -n N (test images to encode, default 4000), -out DIR, -json, -quiet.
//
// The subcommand axis works on any model's codes:
//
//	go run ./examples/arithmetic axis -codes CODES.npy -labels LABELS.txt [-folds K] [-json]
//
// gives the attribute axis between two labelled groups of codes (mean
// difference) and its held-out k-fold accuracy; with -decoder FILE.onnx it
// renders codes moved along the axis (go run ./examples/arithmetic axis -h).
// The subcommands encode (images to codes through an ONNX encoder) and
// transfer (A - B + C decoded through an ONNX decoder) bring any model
// given as ONNX files to it; docs/faces runs them on a face VAE.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/blas"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

func main() {
	cli.Exit("arithmetic", run(os.Args[1:], os.Stdout, os.Stderr))
}

// Fashion-MNIST class numbers.
const (
	tshirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, boot = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
)

// pairs are the class pairs whose axes and transfers are measured: the
// ones that differ in one visible attribute (shoe height, sleeves, length).
var pairs = [][2]int{{boot, sneaker}, {sneaker, sandal}, {pullover, coat}, {tshirt, shirt}, {dress, trouser}}

// AxisScore is the held-out accuracy of one class axis's projection
// classifier.
type AxisScore struct {
	Pos, Neg string
	Accuracy float64 `json:"accuracy"`
	N        int     `json:"n"`
}

// Transfer is the outcome of A - mean(A) + mean(B) on held-out images of A.
type Transfer struct {
	From, To string
	N        int `json:"n"`
	// ToTarget is the fraction of decoded results whose code's nearest class
	// mean is To; Control the same fraction for the images' own codes.
	ToTarget float64 `json:"to_target"`
	Control  float64 `json:"control"`
}

// Metrics is what the command measures.
type Metrics struct {
	Images    int         `json:"images"`
	Latent    int         `json:"latent"`
	Axes      []AxisScore `json:"axes"`
	Transfers []Transfer  `json:"transfers"`
	// MeanToTarget and MeanControl average the transfers.
	MeanToTarget float64 `json:"mean_to_target"`
	MeanControl  float64 `json:"mean_control"`
	// Midpoint norms over the mean endpoint norm, averaged over the
	// interpolated pairs: lerp shrinks towards the origin, slerp does not.
	LerpMidNorm  float64 `json:"lerp_mid_norm"`
	SlerpMidNorm float64 `json:"slerp_mid_norm"`
	Seconds      float64 `json:"seconds"`
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "axis":
			return runAxis(args[1:], stdout, stderr)
		case "encode":
			return runEncode(args[1:], stdout, stderr)
		case "transfer":
			return runTransfer(args[1:], stdout, stderr)
		}
	}
	start := time.Now()
	fs := flag.NewFlagSet("arithmetic", flag.ContinueOnError)
	weights := fs.String("weights", "", "VAE-GAN weights from vae.Save (default: the shipped 32 px VAE-GAN)")
	n := fs.Int("n", 4000, "test images to encode (100 to 10000; half fit the class means, half are held out)")
	out := fs.String("out", "out/arithmetic", "output folder")
	jsonOut := fs.Bool("json", false, "print the metrics as one JSON object")
	quiet := fs.Bool("quiet", false, "no progress messages")
	if err := cli.Parse(fs, args, arithmeticHelp, stdout); err != nil {
		return err
	}
	if *n < 100 || *n > 10000 {
		return cli.Usagef("-n %d: want 100 to 10000 test images", *n)
	}
	// Found now, not after encoding thousands of images.
	if err := atomicfile.CheckDir(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	logf := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	blas.Use()
	v, err := loadVAE(*weights)
	if err != nil {
		return err
	}
	model := recon.VAEGAN{V: v}
	c, size, _ := model.ImageShape()
	if c != 1 {
		return fmt.Errorf("the model takes %d-channel images; Fashion-MNIST is grey", c)
	}
	data, err := assets.FashionMNIST(assets.Test, size)
	if err != nil {
		return err
	}
	data = data.Subset(*n)
	images, labels, err := (&dataset.Loader{Data: data}).All()
	if err != nil {
		return err
	}
	logf("encoding %d Fashion-MNIST test images", data.Len())
	mu, err := model.Latents(images)
	if err != nil {
		return err
	}
	codes, err := latent.FromDense(mu)
	if err != nil {
		return err
	}
	// Even rows fit the class means and axes; odd rows are held out.
	var fit, held []int
	for i := range codes.N {
		if i%2 == 0 {
			fit = append(fit, i)
		} else {
			held = append(held, i)
		}
	}
	means := make([][]float32, len(assets.FashionClasses))
	for k := range means {
		var rows []int
		for _, i := range fit {
			if labels[i] == k {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			return fmt.Errorf("no fitting image of class %s: use a larger -n", assets.FashionClasses[k])
		}
		if means[k], err = latent.Mean(codes, rows); err != nil {
			return err
		}
	}
	m := Metrics{Images: codes.N, Latent: codes.D}
	if m.Axes, err = axisScores(codes, labels, fit, held); err != nil {
		return err
	}
	logf("class transfer A - B + C on the held-out images")
	if m.Transfers, err = transfers(model, codes, labels, held, means); err != nil {
		return err
	}
	for _, t := range m.Transfers {
		m.MeanToTarget += t.ToTarget / float64(len(m.Transfers))
		m.MeanControl += t.Control / float64(len(m.Transfers))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := arithmeticGrid(model, codes, labels, held, means, filepath.Join(*out, "arithmetic.png")); err != nil {
		return err
	}
	if err := axisGrid(model, codes, labels, held, means, filepath.Join(*out, "axis.png")); err != nil {
		return err
	}
	if m.LerpMidNorm, m.SlerpMidNorm, err = interpolationGrid(model, codes, labels, held, filepath.Join(*out, "interpolation.png")); err != nil {
		return err
	}
	m.Seconds = time.Since(start).Seconds()
	js, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "metrics.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if *jsonOut {
		fmt.Fprintln(stdout, string(js))
		return nil
	}
	report(stdout, m, *out)
	return nil
}

func loadVAE(path string) (*vae.VAEGAN, error) {
	if path != "" {
		return vae.Load(path)
	}
	return vae.Shipped()
}

func rowsOf(labels, pool []int, k int) []int {
	var rows []int
	for _, i := range pool {
		if labels[i] == k {
			rows = append(rows, i)
		}
	}
	return rows
}

func subset(v latent.Vectors, rows []int) latent.Vectors {
	out := latent.NewVectors(len(rows), v.D)
	for r, i := range rows {
		copy(out.Row(r), v.Row(i))
	}
	return out
}

// axisScores fits each pair's class axis on the fitting rows and measures
// its projection classifier on the held-out rows of the two classes.
func axisScores(codes latent.Vectors, labels, fit, held []int) ([]AxisScore, error) {
	var out []AxisScore
	for _, p := range pairs {
		fitRows := append(rowsOf(labels, fit, p[0]), rowsOf(labels, fit, p[1])...)
		sub := subset(codes, fitRows)
		subLabels := make([]int, len(fitRows))
		for r, i := range fitRows {
			subLabels[r] = labels[i]
		}
		ax, err := latent.ClassAxis(sub, subLabels, p[1], p[0])
		if err != nil {
			return nil, err
		}
		clf, err := ax.Classifier()
		if err != nil {
			return nil, err
		}
		heldRows := append(rowsOf(labels, held, p[0]), rowsOf(labels, held, p[1])...)
		has := make([]bool, len(heldRows))
		for r, i := range heldRows {
			has[r] = labels[i] == p[1]
		}
		acc, err := clf.Accuracy(subset(codes, heldRows), has)
		if err != nil {
			return nil, err
		}
		out = append(out, AxisScore{Pos: assets.FashionClasses[p[1]], Neg: assets.FashionClasses[p[0]], Accuracy: acc, N: len(heldRows)})
	}
	return out, nil
}

// nearestClass assigns each code to the class with the nearest mean.
func nearestClass(v latent.Vectors, means [][]float32) []int {
	out := make([]int, v.N)
	for i := range v.N {
		best, bestD := 0, math.Inf(1)
		for k, m := range means {
			var d float64
			for j, x := range v.Row(i) {
				e := float64(x - m[j])
				d += e * e
			}
			if d < bestD {
				best, bestD = k, d
			}
		}
		out[i] = best
	}
	return out
}

// moved returns codes[rows] - means[from] + means[to].
func moved(codes latent.Vectors, rows []int, means [][]float32, from, to int) (latent.Vectors, error) {
	a := subset(codes, rows)
	b := latent.Vectors{N: 1, D: codes.D, Data: means[from]}
	c := latent.Vectors{N: 1, D: codes.D, Data: means[to]}
	return latent.Arithmetic(a, b, c)
}

// reencode decodes codes and encodes the images again.
func reencode(model recon.Model, v latent.Vectors) (latent.Vectors, error) {
	z, err := v.Dense()
	if err != nil {
		return latent.Vectors{}, err
	}
	img, err := model.Generate(z)
	if err != nil {
		return latent.Vectors{}, err
	}
	mu, err := model.Latents(img)
	if err != nil {
		return latent.Vectors{}, err
	}
	return latent.FromDense(mu)
}

func transfers(model recon.Model, codes latent.Vectors, labels, held []int, means [][]float32) ([]Transfer, error) {
	var out []Transfer
	controls := map[int]latent.Vectors{}
	for _, p := range pairs {
		for _, dir := range [][2]int{p, {p[1], p[0]}} {
			from, to := dir[0], dir[1]
			rows := rowsOf(labels, held, from)
			if len(rows) == 0 {
				continue
			}
			mv, err := moved(codes, rows, means, from, to)
			if err != nil {
				return nil, err
			}
			after, err := reencode(model, mv)
			if err != nil {
				return nil, err
			}
			control, ok := controls[from]
			if !ok { // a class's unchanged codes serve every transfer from it
				if control, err = reencode(model, subset(codes, rows)); err != nil {
					return nil, err
				}
				controls[from] = control
			}
			t := Transfer{From: assets.FashionClasses[from], To: assets.FashionClasses[to], N: len(rows)}
			for _, k := range nearestClass(after, means) {
				if k == to {
					t.ToTarget++
				}
			}
			for _, k := range nearestClass(control, means) {
				if k == to {
					t.Control++
				}
			}
			t.ToTarget /= float64(len(rows))
			t.Control /= float64(len(rows))
			out = append(out, t)
		}
	}
	return out, nil
}

// decodeRows decodes codes and appends the images to grid.
func decodeRows(model recon.Model, grid []float32, v latent.Vectors) ([]float32, error) {
	z, err := v.Dense()
	if err != nil {
		return nil, err
	}
	img, err := model.Generate(z)
	if err != nil {
		return nil, err
	}
	return append(grid, nt.Data32(img)...), nil
}

// arithmeticGrid shows, for one held-out image of each transfer's source
// class, a row: the image's reconstruction G(A), G(B) (B the mean code of
// its class), G(C) (C the mean code of the target class) and G(A - B + C).
func arithmeticGrid(model recon.Model, codes latent.Vectors, labels, held []int, means [][]float32, path string) error {
	var grid []float32
	for _, p := range pairs {
		for _, dir := range [][2]int{p, {p[1], p[0]}} {
			src := rowsOf(labels, held, dir[0])
			if len(src) == 0 {
				continue
			}
			i := src[0]
			mv, err := moved(codes, []int{i}, means, dir[0], dir[1])
			if err != nil {
				return err
			}
			strip, err := latent.FromRows(codes.Row(i), means[dir[0]], means[dir[1]], mv.Row(0))
			if err != nil {
				return err
			}
			if grid, err = decodeRows(model, grid, strip); err != nil {
				return err
			}
		}
	}
	return saveGrid(model, path, grid, 4)
}

// axisGrid moves held-out images along class axes (the class-mean
// differences boot -> sneaker, pullover -> coat, T-shirt -> shirt) by
// alpha from -0.5 to 1.5: A + alpha (C - B).
func axisGrid(model recon.Model, codes latent.Vectors, labels, held []int, means [][]float32, path string) error {
	alphas := []float32{-0.5, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5}
	var grid []float32
	for _, p := range [][2]int{{boot, sneaker}, {pullover, coat}, {tshirt, shirt}} {
		b := latent.Vectors{N: 1, D: codes.D, Data: means[p[0]]}
		c := latent.Vectors{N: 1, D: codes.D, Data: means[p[1]]}
		src := rowsOf(labels, held, p[0])
		for _, i := range src[:min(2, len(src))] {
			one := subset(codes, []int{i})
			var strip []float32
			for _, a := range alphas {
				s, err := latent.Combine([]float32{1, -a, a}, one, b, c)
				if err != nil {
					return err
				}
				strip = append(strip, s.Data...)
			}
			var err error
			if grid, err = decodeRows(model, grid, latent.Vectors{N: len(alphas), D: codes.D, Data: strip}); err != nil {
				return err
			}
		}
	}
	return saveGrid(model, path, grid, len(alphas))
}

// interpolationGrid draws lerp and slerp strips between held-out images
// of different classes and returns the mean midpoint norm ratios.
func interpolationGrid(model recon.Model, codes latent.Vectors, labels, held []int, path string) (lerpMid, slerpMid float64, err error) {
	const steps = 10
	var grid []float32
	ends := [][2]int{{sneaker, bag}, {trouser, dress}, {boot, pullover}, {tshirt, sandal}}
	for _, e := range ends {
		a, b := rowsOf(labels, held, e[0]), rowsOf(labels, held, e[1])
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		za, zb := codes.Row(a[0]), codes.Row(b[0])
		endNorm := (norm(za) + norm(zb)) / 2
		for _, mth := range []latent.Interp{latent.Linear, latent.Spherical} {
			strip, err := latent.Interpolate(za, zb, steps+1, mth) // odd count: a true midpoint
			if err != nil {
				return 0, 0, err
			}
			mid := norm(strip.Row(steps/2)) / endNorm / float64(len(ends))
			if mth == latent.Linear {
				lerpMid += mid
			} else {
				slerpMid += mid
			}
			if grid, err = decodeRows(model, grid, strip); err != nil {
				return 0, 0, err
			}
		}
	}
	return lerpMid, slerpMid, saveGrid(model, path, grid, steps+1)
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func saveGrid(model recon.Model, path string, grid []float32, cols int) error {
	c, h, w := model.ImageShape()
	n := len(grid) / (c * h * w)
	return nt.SavePNGGrid(path, nt.New32(grid, n, c, h, w), nt.GridOptions{Cols: cols, Padding: 2})
}

func report(w io.Writer, m Metrics, out string) {
	fmt.Fprintf(w, "%d Fashion-MNIST test images, %d-d VAE-GAN codes (half fit the class means, half held out)\n\n", m.Images, m.Latent)
	fmt.Fprintln(w, "class axis (projection classifier), held-out accuracy:")
	for _, a := range m.Axes {
		fmt.Fprintf(w, "  %-12s vs %-12s %5.1f%%  (%d images)\n", a.Neg, a.Pos, 100*a.Accuracy, a.N)
	}
	fmt.Fprintln(w, "\nA - mean(A's class) + mean(target class), decoded, re-encoded, nearest class mean:")
	for _, t := range m.Transfers {
		fmt.Fprintf(w, "  %-12s -> %-12s %5.1f%% land in the target  (unchanged: %4.1f%%; %d images)\n", t.From, t.To, 100*t.ToTarget, 100*t.Control, t.N)
	}
	fmt.Fprintf(w, "  mean                        %5.1f%%                  (unchanged: %4.1f%%)\n", 100*m.MeanToTarget, 100*m.MeanControl)
	fmt.Fprintf(w, "\ninterpolation midpoint norm / endpoint norm: lerp %.3f, slerp %.3f\n", m.LerpMidNorm, m.SlerpMidNorm)
	fmt.Fprintf(w, "\narithmetic.png, axis.png, interpolation.png and metrics.json in %s (%.1f s)\n", out, m.Seconds)
}
