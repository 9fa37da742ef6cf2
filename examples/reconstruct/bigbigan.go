package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/recon"
)

// loadBigBiGAN reads a BigBiGAN (encoder and generator): the shipped small
// one trained on Fashion-MNIST, or -weights written by
// `examples/bigbigan train`.
func loadBigBiGAN(o options) (recon.Model, error) {
	if o.gpu {
		return nil, fmt.Errorf("-gpu: the BigBiGAN adapter runs on the CPU only")
	}
	if o.weights == "" {
		raw, err := assets.BigBiGAN()
		if err != nil {
			return nil, err
		}
		b, err := bigbigan.ReadBiGAN(bytes.NewReader(raw), int64(len(raw)), "shipped BigBiGAN")
		if err != nil {
			return nil, err
		}
		return recon.BigBiGAN{B: b}, nil
	}
	if ext := strings.ToLower(filepath.Ext(o.weights)); ext != ".safetensors" {
		// BigBiGAN_x1.pth and its conversions hold the generator only: the
		// regression targets need an encoder.
		return nil, fmt.Errorf("-weights %s: -model bigbigan needs a BigBiGAN with its encoder (.safetensors from `go run ./examples/bigbigan train`); a generator-only checkpoint such as BigBiGAN_x1.pth cannot encode the stimuli", o.weights)
	}
	b, err := bigbigan.LoadBiGAN(o.weights)
	if err != nil {
		return nil, err
	}
	return recon.BigBiGAN{B: b}, nil
}
