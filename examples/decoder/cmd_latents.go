package main

import (
	"fmt"
	"io"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/internal/safepath"
	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

var latentsFlags = []flagSpec{
	{name: "root", help: "directory the stim_file paths are relative to (the dataset); a stim_file that leads outside it (.., an absolute path, a symbolic link out) is refused"},
	{name: "train", help: "sidecar .tsv of the training betas (its stim_file column)"},
	{name: "test", help: "sidecar .tsv of the test betas"},
	{name: "k", help: "number of principal components (default 50)"},
	{name: "out-train", help: "training latents .npy"},
	{name: "out-test", help: "test latents .npy"},
	{name: "pixels-test", help: "optional: the test images' pixels .npy, for pixel-space evaluation"},
	{name: "pca", help: "optional: save the PCA basis (.npz) for the topixels command"},
}

// runLatents: targets for decoding, the PCA scores of the images each
// betas row saw (PCA fitted on the training images only).
func runLatents(args []string, w io.Writer) error {
	p, err := parseArgs("latents", args, latentsFlags)
	if err != nil {
		return err
	}
	var req [5]string
	for i, n := range []string{"root", "train", "test", "out-train", "out-test"} {
		if req[i], err = p.required(n); err != nil {
			return err
		}
	}
	root, trainTSV, testTSV, outTrain, outTest := req[0], req[1], req[2], req[3], req[4]
	k, err := p.int("k", 50)
	if err != nil {
		return err
	}
	if err := checkOut("latents", p, "out-train", "out-test", "pixels-test", "pca"); err != nil {
		return err
	}
	pixels := func(tsv string) (*mat.Dense, error) {
		stims, err := readSidecar(tsv)
		if err != nil {
			return nil, err
		}
		var m *mat.Dense
		for i, s := range stims {
			if s == "n/a" || s == "" {
				return nil, fmt.Errorf("latents: %s, row %d: no stim_file (n/a): the events files given to decoder betas have no stim_file column, or leave it empty, so the image behind this row is unknown", tsv, i+1)
			}
			// stim_file values come from data files: they may name files
			// under -root only.
			path, err := safepath.Join(root, s)
			if err != nil {
				return nil, fmt.Errorf("latents: %s, row %d: stim_file: %w", tsv, i+1, err)
			}
			t, err := tensor.LoadImageTensor(path, false)
			if err != nil {
				return nil, err
			}
			d, _ := tensor.ToFloat64(t)
			px := tensor.Data64(d)
			if m == nil {
				m = mat.NewDense(len(stims), len(px), nil)
			} else if len(px) != m.RawMatrix().Cols {
				return nil, fmt.Errorf("latents: %s has %d values, the first image %d", s, len(px), m.RawMatrix().Cols)
			}
			m.SetRow(i, px)
		}
		if m == nil {
			return nil, fmt.Errorf("latents: %s lists no images", tsv)
		}
		return m, nil
	}
	xTrain, err := pixels(trainTSV)
	if err != nil {
		return err
	}
	xTest, err := pixels(testTSV)
	if err != nil {
		return err
	}
	pca, err := decode.FitPCA(xTrain, k)
	if err != nil {
		return err
	}
	zTrain, err := pca.Transform(xTrain)
	if err != nil {
		return err
	}
	zTest, err := pca.Transform(xTest)
	if err != nil {
		return err
	}
	if err := saveMatrix(outTrain, zTrain, false); err != nil {
		return err
	}
	if err := saveMatrix(outTest, zTest, false); err != nil {
		return err
	}
	if px := p.str("pixels-test", ""); px != "" {
		if err := saveMatrix(px, xTest, false); err != nil {
			return err
		}
	}
	if pp := p.str("pca", ""); pp != "" {
		sd := tensor.NewStateDict()
		r, c := pca.Components.Dims()
		sd.Set("components", tensor.New64(mat.DenseCopyOf(pca.Components).RawMatrix().Data, r, c))
		sd.Set("mean", tensor.New64(pca.Mean, len(pca.Mean)))
		if err := tensor.SaveNPZ(pp, sd); err != nil {
			return err
		}
	}
	var total, kept float64
	for _, v := range pca.Variance {
		kept += v
	}
	for j := 0; j < xTrain.RawMatrix().Cols; j++ {
		col := mat.Col(nil, j, xTrain)
		var m, ss float64
		for _, v := range col {
			m += v
		}
		m /= float64(len(col))
		for _, v := range col {
			ss += (v - m) * (v - m)
		}
		total += ss / float64(len(col)-1)
	}
	fmt.Fprintf(w, "latents: PCA of %d training images, %d components (%.1f%% of the pixel variance); %d test images\n",
		xTrain.RawMatrix().Rows, k, 100*kept/total, xTest.RawMatrix().Rows)
	return nil
}

var topixelsFlags = []flagSpec{
	{name: "pca", help: "PCA basis written by latents -pca"},
	{name: "z", help: "latents .npy (rows: samples)"},
	{name: "out", help: "pixels .npy"},
}

// runToPixels maps PCA latents back to pixels.
func runToPixels(args []string, w io.Writer) error {
	p, err := parseArgs("topixels", args, topixelsFlags)
	if err != nil {
		return err
	}
	var req [3]string
	for i, n := range []string{"pca", "z", "out"} {
		if req[i], err = p.required(n); err != nil {
			return err
		}
	}
	if err := checkOut("topixels", p, "out"); err != nil {
		return err
	}
	sd, err := tensor.LoadNPZ(req[0])
	if err != nil {
		return err
	}
	comp, ok1 := sd.Get("components")
	mean, ok2 := sd.Get("mean")
	if !ok1 || !ok2 || len(comp.Shape()) != 2 || comp.Shape()[1] != mean.Shape()[0] {
		return fmt.Errorf("topixels: %s is not a PCA basis from latents -pca", req[0])
	}
	cf, _ := tensor.ToFloat64(comp)
	mf, _ := tensor.ToFloat64(mean)
	pca := &decode.PCA{Mean: tensor.Data64(mf), Components: mat.NewDense(comp.Shape()[0], comp.Shape()[1], tensor.Data64(cf))}
	z, err := loadMatrix(req[1])
	if err != nil {
		return err
	}
	px, err := pca.Inverse(z)
	if err != nil {
		return fmt.Errorf("topixels: %w", err)
	}
	if err := saveMatrix(req[2], px, false); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", req[2])
	return nil
}
