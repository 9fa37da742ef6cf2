// Command vaeeval measures a trained VAE-GAN on held-out labelled images
// beside the PCA baseline of the same latent size: reconstruction pixel
// correlation and the test accuracy of a linear (softmax) classifier on the
// latent means. It also writes a grid of samples from N(0, I) and a grid of
// test images above their VAE-GAN and PCA reconstructions.
//
// With no flags it measures the shipped Fashion-MNIST VAE-GAN on the
// embedded Fashion-MNIST images, from any folder:
//
//	go run ./examples/vaeeval -out docs/vaegan
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/internal/probe"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vaeeval", flag.ContinueOnError)
	weights := fs.String("weights", "", "VAE-GAN weights (vae.Save or a training checkpoint; default: the shipped Fashion-MNIST VAE-GAN, embedded)")
	trainImages := fs.String("train-images", "", "IDX images the probe and PCA are fitted on (default: the embedded Fashion-MNIST training images)")
	trainLabels := fs.String("train-labels", "", "their labels (required with -train-images)")
	testImages := fs.String("test-images", "", "held-out IDX images (default: the embedded Fashion-MNIST test images)")
	testLabels := fs.String("test-labels", "", "their labels (required with -test-images)")
	limit := fs.Int("train-limit", 10000, "fit on at most this many training images (0: all)")
	testLimit := fs.Int("test-limit", 0, "measure on at most this many test images (0: all)")
	out := fs.String("out", "out/vaeeval", "folder for metrics.json, samples.png, reconstructions.png")
	if err := cli.Parse(fs, args, vaeevalHelp, stdout); err != nil {
		return err
	}
	if (*trainImages == "") != (*trainLabels == "") || (*testImages == "") != (*testLabels == "") {
		return cli.Usagef("give -train-images with -train-labels and -test-images with -test-labels (or neither, for the embedded Fashion-MNIST)")
	}
	if *limit < 0 || *testLimit < 0 {
		return cli.Usagef("-train-limit %d and -test-limit %d must not be negative", *limit, *testLimit)
	}
	// Found now, not after the evaluation.
	if err := atomicfile.CheckDir(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	v, err := loadVAE(*weights)
	if err != nil {
		return err
	}
	c := v.Config()
	train, err := loadIDX(*trainImages, *trainLabels, "train", c.Size)
	if err != nil {
		return err
	}
	test, err := loadIDX(*testImages, *testLabels, "test", c.Size)
	if err != nil {
		return err
	}
	if *weights == "" {
		*weights = "the shipped VAE-GAN"
	}
	test = test.Subset(*testLimit)
	if ch, _, _ := test.Shape(); ch != c.Channels {
		return fmt.Errorf("%s has %d-channel images; the model takes %d", *testImages, ch, c.Channels)
	}
	fmt.Fprintf(stderr, "evaluating %s on %d test images (probe and PCA fitted on %d)\n", *weights, test.Len(), train.Subset(*limit).Len())
	m, err := vae.Evaluate(v, train.Subset(*limit), test)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "metrics.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(js))

	samples, err := v.Sample(64, 1)
	if err != nil {
		return err
	}
	if err := nt.SavePNGGrid(filepath.Join(*out, "samples.png"), samples, nt.GridOptions{Cols: 8, Padding: 1}); err != nil {
		return err
	}
	return writeReconstructions(v, train.Subset(*limit), test, filepath.Join(*out, "reconstructions.png"))
}

// writeReconstructions saves 16 test images (one row), their VAE-GAN
// reconstructions (second row) and their PCA reconstructions (third row).
func writeReconstructions(v *vae.VAEGAN, train, test *dataset.Memory, path string) error {
	l := &dataset.Loader{Data: test, BatchSize: 16}
	idx := make([]int, 16)
	for i := range idx {
		idx[i] = i * test.Len() / 16
	}
	x, _, err := l.Gather(idx)
	if err != nil {
		return err
	}
	rec, err := v.Reconstruct(x)
	if err != nil {
		return err
	}
	all := make([]int, train.Len())
	for i := range all {
		all[i] = i
	}
	xt, _, err := (&dataset.Loader{Data: train, BatchSize: train.Len()}).Gather(all)
	if err != nil {
		return err
	}
	pca, err := probe.FitPCA(xt, v.Config().Latent)
	if err != nil {
		return err
	}
	codes, err := pca.Transform(x)
	if err != nil {
		return err
	}
	s := x.Shape()
	prec, err := pca.Inverse(codes, s[1], s[2], s[3])
	if err != nil {
		return err
	}
	grid := append(append(append([]float32{}, nt.Data32(x)...), nt.Data32(rec)...), nt.Data32(prec)...)
	for i, p := range grid {
		grid[i] = min(max(p, 0), 1)
	}
	return nt.SavePNGGrid(path, nt.New32(grid, 48, s[1], s[2], s[3]), nt.GridOptions{Cols: 16, Padding: 1})
}

func main() {
	cli.Exit("vaeeval", run(os.Args[1:], os.Stdout, os.Stderr))
}
