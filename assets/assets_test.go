package assets_test

import (
	"os"
	"testing"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/probe"
	"github.com/neurolatent/neurolatent/vae"
)

func TestFashionMNIST(t *testing.T) {
	test, err := assets.FashionMNIST(assets.Test, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := test.Shape(); test.Len() != 10000 || c != 1 || h != 28 || w != 28 {
		t.Fatalf("test set %d x %d,%d,%d", test.Len(), c, h, w)
	}
	if test.Label(0) != 9 || test.Label(1) != 2 { // ankle boot, pullover
		t.Fatalf("labels %d %d", test.Label(0), test.Label(1))
	}
	train, err := assets.FashionMNIST(assets.Train, 32)
	if err != nil {
		t.Fatal(err)
	}
	if _, h, _ := train.Shape(); train.Len() != 20000 || h != 32 {
		t.Fatalf("train set %d, side %d", train.Len(), h)
	}
	if _, err := assets.FashionMNIST("validation", 0); err == nil {
		t.Fatal("unknown split accepted")
	}
}

// digit69 is the stimulus file of the "69" fMRI data set (100 MNIST digits,
// 28x28), in the project's shared real data beside the repository.
const digit69 = "../../shared/data/real/digit69/images-idx3-ubyte"

func TestVAEGANMNIST(t *testing.T) {
	v, err := vae.ShippedMNIST()
	if err != nil {
		t.Fatal(err)
	}
	fashion, err := vae.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if fc := fashion.Config(); fc.Size != 32 || fc.Latent != 128 {
		t.Fatalf("shipped Fashion-MNIST model: %d px, %d-d latent; want 32, 128", fc.Size, fc.Latent)
	}
	if c := v.Config(); c.Size != 32 || c.Channels != 1 || c.Latent != 128 {
		t.Fatalf("settings %d px, %d channels, %d-d latent; want 32, 1, 128", c.Size, c.Channels, c.Latent)
	}
	if _, err := os.Stat(digit69); err != nil {
		t.Skipf("no digit69 stimuli to reconstruct (../shared is absent outside the project): %v", err)
	}
	digits, err := dataset.LoadIDX(digit69, "", 32)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := (&dataset.Loader{Data: digits}).All()
	if err != nil {
		t.Fatal(err)
	}
	pixCorr := func(v *vae.VAEGAN) float64 {
		rec, err := v.Reconstruct(x)
		if err != nil {
			t.Fatal(err)
		}
		r, err := probe.PixelCorrelation(x, rec)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// The wrong model: the Fashion-MNIST VAE-GAN of the same architecture.
	got, wrong := pixCorr(v), pixCorr(fashion)
	t.Logf("digit69 reconstruction pixel correlation: MNIST model %.3f, Fashion-MNIST model %.3f", got, wrong)
	if got < 0.9 || got < wrong+0.1 {
		t.Errorf("MNIST model reconstructs the digits with pixel correlation %.3f; want at least 0.9 and 0.1 above the Fashion-MNIST model's %.3f", got, wrong)
	}
}
