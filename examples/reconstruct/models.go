package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// defaultSNR is the simulated participant's signal-to-noise ratio: the
// standard deviation over time of a voxel's stimulus-driven signal over
// that of its noise. It is calibrated on the statistic real studies
// report, the single-trial noise-ceiling SNR of the betas (Allen et al.
// 2022, the Natural Scenes Dataset): at 0.8 the default participant's
// median ncsnr over its visual mask is 0.31 (early visual voxels 0.38),
// against medians of 0.23 to 0.42 in NSD's nsdgeneral mask across its
// eight subjects (0.45 in V1, 0.39 in V2, 0.35 in hV4); see README.md and
// docs/reconstruct/calibration.md.
const defaultSNR = 0.8

// shippedVAEGANs are the VAE-GANs embedded in the binary, by the names
// -weights takes.
var shippedVAEGANs = map[string]func() ([]byte, error){
	"":        assets.VAEGAN,
	"fashion": assets.VAEGAN,
	"mnist":   assets.VAEGANMNIST,
}

// loadModel builds the generative model the flags ask for, checking the
// weights before any data is touched.
func loadModel(o options) (recon.Model, error) {
	switch o.model {
	case "onnx":
		return loadONNX(o)
	case "vaegan":
		var v *vae.VAEGAN
		var err error
		if shipped, ok := shippedVAEGANs[o.weights]; ok {
			raw, rerr := shipped()
			if rerr != nil {
				return nil, rerr
			}
			name := o.weights
			if name == "" {
				name = "fashion"
			}
			v, err = vae.Read(bytes.NewReader(raw), int64(len(raw)), "shipped VAE-GAN "+name)
		} else {
			v, err = vae.Load(o.weights)
		}
		if err != nil {
			return nil, fmt.Errorf("loading the VAE-GAN: %w", err)
		}
		if o.gpu {
			eng := o.eng
			if eng == nil {
				if eng, err = cuda.New(cuda.Options{}); err != nil {
					return nil, err
				}
			}
			v.SetEngine(eng)
		}
		return recon.VAEGAN{V: v}, nil
	case "gan":
		if o.gpu {
			return nil, fmt.Errorf("-gpu: GAN inversion needs gradients, which the CUDA backend does not compute")
		}
		var c gan.Config
		sd, err := checkpoint.ReadWeights(o.weights, &c)
		if err != nil {
			return nil, err
		}
		g, err := gan.New(c, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.weights, err)
		}
		if err := nn.LoadStateDict(g.Module(), sd); err != nil {
			return nil, fmt.Errorf("%s: %w", o.weights, err)
		}
		return recon.GAN{G: g, Steps: o.invertSteps, Seed: o.seed}, nil
	}
	return loadBigBiGAN(o)
}

// stimuli resolves stim_file values: image files under a folder, or rows
// of an IDX file.
func stimuli(path string, shape [3]int) (recon.Stimuli, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return recon.Folder{Dir: path, Size: shape[1], Channels: shape[0]}, nil
	}
	d, err := datasetIDX(path, shape[1])
	if err != nil {
		return nil, err
	}
	if c, _, _ := d.Shape(); c != shape[0] {
		return nil, fmt.Errorf("%s has %d-channel images; the model takes %d", path, c, shape[0])
	}
	x, err := all(d)
	if err != nil {
		return nil, err
	}
	return recon.Indexed{Images: x}, nil
}

func datasetIDX(path string, size int) (*dataset.Memory, error) {
	if !strings.Contains(path, "idx") && !strings.HasSuffix(path, ".gz") {
		return nil, fmt.Errorf("%s: want an IDX image file (MNIST format, raw or gzipped)", path)
	}
	return dataset.LoadIDX(path, "", size)
}

func all(d *dataset.Memory) (*nt.Dense, error) {
	x, _, err := (&dataset.Loader{Data: d}).All()
	return x, err
}
