package recon_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/recon"
	"github.com/neurolatent/neurolatent/vae"
)

// The main job in a few lines: a simulated participant sees Fashion-MNIST
// images, its scans go through the GLM, and a decoder maps them into the
// shipped VAE-GAN's latent space (a small experiment, to run in seconds).
func Example() {
	// The generative model: the VAE-GAN shipped with the repository.
	raw, err := assets.VAEGAN()
	if err != nil {
		log.Fatal(err)
	}
	v, err := vae.Read(bytes.NewReader(raw), int64(len(raw)), "shipped VAE-GAN")
	if err != nil {
		log.Fatal(err)
	}
	model := recon.VAEGAN{V: v}

	// Stimuli the VAE-GAN never saw: Fashion-MNIST test images at 32x32.
	test, err := assets.FashionMNIST("test", 32)
	if err != nil {
		log.Fatal(err)
	}
	idx := make([]int, 400)
	for i := range idx {
		idx[i] = i
	}
	images, _, err := (&dataset.Loader{Data: test, BatchSize: len(idx)}).Gather(idx)
	if err != nil {
		log.Fatal(err)
	}

	// A participant: 300 training images shown once, 10 test images shown
	// 5 times, written as NIfTI runs and events, read back through the GLM.
	cfg := sim.DefaultConfig()
	cfg.TrainImages, cfg.TestImages, cfg.TestRepeats, cfg.SNR = 300, 10, 5, 1
	cfg.Grid = [3]int{20, 20, 10} // a smaller brain than the default, for speed
	cfg.EarlyVoxels, cfg.HigherVoxels, cfg.WeakVoxels, cfg.NonselectiveVoxels = 600, 600, 150, 150
	dir, _ := os.MkdirTemp("", "participant")
	defer os.RemoveAll(dir)
	data, err := recon.Simulate(images, cfg, dir, nil)
	if err != nil {
		log.Fatal(err)
	}

	// Decode: voxel selection, ridge into the latent space, images from the
	// generator, and the PCA baseline of the same size.
	res, err := recon.Decode(model, data, recon.Options{Voxels: 300})
	if err != nil {
		log.Fatal(err)
	}
	latent := res.Metrics[recon.PairwiseLatent] // with its 95% interval and permutation p
	fmt.Printf("%d test images; VAE-GAN latent identification above chance: %v\n",
		res.TestStimuli, latent.CI[0] > 0.5 && latent.P < 0.05)
	// Output: 10 test images; VAE-GAN latent identification above chance: true
}
