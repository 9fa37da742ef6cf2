package main

import (
	"flag"
	"fmt"
	"github.com/neurolatent/neurolatent/internal/cli"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/onnx"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// onnxFlags registers the flags of a model given as ONNX files.
func onnxFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.onnxEncoder, "onnx-encoder", "", "an encoder as an ONNX file: images [N,C,H,W] -> codes [N,D] (a VAE's mean); with -onnx-generator it replaces -model")
	fs.StringVar(&o.onnxGenerator, "onnx-generator", "", "a generator as an ONNX file: codes [N,D] -> images [N,C,H,W]")
	fs.StringVar(&o.onnxRange, "onnx-range", "0,1", "pixel range of the ONNX models' images: 0,1 (sigmoid outputs) or -1,1 (tanh outputs)")
}

// checkONNX validates the ONNX flags after parsing and makes "onnx" the
// model when they are given.
func checkONNX(fs *flag.FlagSet, o *options) error {
	if o.onnxEncoder == "" && o.onnxGenerator == "" {
		if o.model == "onnx" {
			return cli.Usagef("-model onnx needs -onnx-encoder and -onnx-generator")
		}
		return nil
	}
	if o.onnxEncoder == "" || o.onnxGenerator == "" {
		return cli.Usagef("give both -onnx-encoder and -onnx-generator: the regression targets need the encoder, the reconstructions the generator")
	}
	var clash []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "model" && o.model != "onnx" || f.Name == "weights" || f.Name == "gan-steps" {
			clash = append(clash, "-"+f.Name)
		}
	})
	if len(clash) > 0 {
		return cli.Usagef("-onnx-encoder and -onnx-generator give the model; %s do not apply", strings.Join(clash, ", "))
	}
	if _, err := o.pixelRange(); err != nil {
		return cli.Usage(err)
	}
	o.model = "onnx"
	return nil
}

// pixelRange parses -onnx-range.
func (o options) pixelRange() ([2]float64, error) {
	parts := strings.Split(o.onnxRange, ",")
	if len(parts) != 2 {
		return [2]float64{}, fmt.Errorf("-onnx-range %q: want two numbers, lo,hi", o.onnxRange)
	}
	var r [2]float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return r, fmt.Errorf("-onnx-range %q: %w", o.onnxRange, err)
		}
		r[i] = v
	}
	if !(r[0] < r[1]) {
		return r, fmt.Errorf("-onnx-range %q: want lo < hi", o.onnxRange)
	}
	return r, nil
}

// loadONNX reads the encoder and generator and checks that they fit
// together (by running each once) before any data is touched.
func loadONNX(o options) (recon.Model, error) {
	enc, err := onnx.Load(o.onnxEncoder)
	if err != nil {
		return nil, fmt.Errorf("-onnx-encoder: %w", err)
	}
	gen, err := onnx.Load(o.onnxGenerator)
	if err != nil {
		return nil, fmt.Errorf("-onnx-generator: %w", err)
	}
	r, err := o.pixelRange()
	if err != nil {
		return nil, err
	}
	var eng nn.Engine // nil: the CPU graph backend
	if o.eng != nil {
		eng = o.eng
	}
	return recon.NewONNX(enc, gen, r, eng)
}

// greyForChannels loads the simulation's stimuli in grey (colour ones by
// luma, as the participant sees them) and repeats each over the model's
// channels, so the model encodes the very picture the participant saw.
func greyForChannels(path string, shape [3]int) (*nt.Dense, []string, error) {
	x, classes, err := simulationImages(path, [3]int{1, shape[1], shape[2]})
	if err != nil {
		return nil, nil, err
	}
	x, err = recon.GreyToChannels(x, shape[0])
	return x, classes, err
}
