package vae

import (
	"fmt"
	"math"
	"math/bits"
)

// Output is the generator's last layer. Its values are the strings saved in
// checkpoints' JSON configuration.
type Output string

const (
	// OutputELU is the published layer: a transposed convolution, batch norm
	// and ELU; Decode divides the images by one maximum, of the whole batch,
	// and clips them to [0, 1].
	OutputELU Output = "elu"
	// OutputSigmoid is a plain transposed convolution and a sigmoid.
	OutputSigmoid Output = "sigmoid"
)

// Config describes a VAE-GAN. Published returns the face model of VanRullen
// & Reddy (2019); the smaller ones train on a CPU. A plain value, safe for
// concurrent use.
type Config struct {
	Size     int   `json:"size"`     // image side: 32, 64 or 128
	Channels int   `json:"channels"` // 1 (grey) or 3 (RGB)
	Widths   []int `json:"widths"`   // encoder convolution widths, one per stride-2 stage
	Hidden   int   `json:"hidden"`   // width of the encoder's linear layer before mu / log sigma
	Latent   int   `json:"latent"`   // z dimensions
	// GenChannels is the channel count of the generator's 4x4 start
	// (published: 1024, the code size).
	GenChannels int `json:"gen_channels"`
	// Output is the generator's last layer: OutputELU (published) or
	// OutputSigmoid.
	Output Output `json:"output"`
	// BNEps and BNMomentum are the batch-norm constants (published: 1e-6
	// and TensorFlow's decay 0.9, that is momentum 0.1); the running
	// variance follows TensorFlow's biased batch variance.
	BNEps      float64 `json:"bn_eps"`
	BNMomentum float64 `json:"bn_momentum"`

	// Training (Larsen et al. 2016).
	Gamma float64 `json:"gamma"` // weight of feature matching in the decoder's loss
	LR    float64 `json:"lr"`    // Adam learning rate of the three optimizers
	Beta1 float64 `json:"beta1"` // Adam beta1
	// FeatureLayer is the discriminator stage whose activations the
	// feature-matching loss compares (negative counts from the end).
	FeatureLayer int `json:"feature_layer"`
}

// Published is the architecture of VanRullen & Reddy (2019), exactly:
// 128x128x3 in [0,1], 3x3 stride-2 'SAME' convolutions 192-256-384-512-768,
// BN eps 1e-6 and ELU, the 12288->1024 linear, mu and log sigma heads, the
// 1024->16384 generator linear and five transposed convolutions with BN and
// ELU, the RGB layer included. Encoder 21,330,176 parameters, generator
// 24,617,993.
func Published() Config {
	return Config{Size: 128, Channels: 3, Widths: []int{192, 256, 384, 512, 768}, Hidden: 1024, Latent: 1024,
		GenChannels: 1024, Output: OutputELU, BNEps: 1e-6, BNMomentum: 0.1, Gamma: 0.75, LR: 1e-4, Beta1: 0.9, FeatureLayer: -1}
}

// Small32 is the 32x32 grey model shipped with the repository, trained on
// Fashion-MNIST.
func Small32() Config {
	return Config{Size: 32, Channels: 1, Widths: []int{64, 128, 256}, Hidden: 512, Latent: 128,
		GenChannels: 256, Output: OutputSigmoid, BNEps: 1e-5, BNMomentum: 0.1, Gamma: 0.75, LR: 3e-4, Beta1: 0.5, FeatureLayer: -1}
}

// Small64 is a 64x64 colour model for CPU experiments.
func Small64() Config {
	return Config{Size: 64, Channels: 3, Widths: []int{64, 128, 256, 512}, Hidden: 512, Latent: 256,
		GenChannels: 512, Output: OutputSigmoid, BNEps: 1e-5, BNMomentum: 0.1, Gamma: 0.75, LR: 3e-4, Beta1: 0.5, FeatureLayer: -1}
}

// stages is the number of stride-2 stages between 4x4 and the image.
func (c Config) stages() int { return bits.Len(uint(c.Size/4)) - 1 }

// Check validates the configuration.
func (c Config) Check() error {
	switch c.Size {
	case 32, 64, 128:
	default:
		return fmt.Errorf("vae: image size %d: want 32, 64 or 128", c.Size)
	}
	if c.Channels != 1 && c.Channels != 3 {
		return fmt.Errorf("vae: %d channels: want 1 or 3", c.Channels)
	}
	if len(c.Widths) != c.stages() {
		return fmt.Errorf("vae: %d encoder widths for a %d px image: want %d (one per stride-2 stage down to 4x4)", len(c.Widths), c.Size, c.stages())
	}
	for _, w := range c.Widths {
		if w < 1 {
			return fmt.Errorf("vae: encoder widths %v must be positive", c.Widths)
		}
	}
	if c.Hidden < 1 || c.Latent < 1 || c.GenChannels < 1 {
		return fmt.Errorf("vae: hidden %d, latent %d and generator channels %d must be positive", c.Hidden, c.Latent, c.GenChannels)
	}
	if c.Output != OutputELU && c.Output != OutputSigmoid {
		return fmt.Errorf("vae: output %q: want %q or %q", string(c.Output), OutputELU, OutputSigmoid)
	}
	if c.BNEps <= 0 || c.BNMomentum <= 0 || c.BNMomentum > 1 {
		return fmt.Errorf("vae: batch norm eps %g and momentum %g out of range", c.BNEps, c.BNMomentum)
	}
	if c.LR < 0 || math.IsNaN(c.LR) || math.IsInf(c.LR, 0) || math.IsNaN(c.Gamma) || math.IsInf(c.Gamma, 0) || !(c.Beta1 >= 0 && c.Beta1 < 1) {
		return fmt.Errorf("vae: learning rate %g, gamma %g and beta1 %g: want finite values, a rate >= 0 and beta1 in [0, 1)", c.LR, c.Gamma, c.Beta1)
	}
	if fl := c.FeatureLayer; fl >= len(c.Widths) || fl < -len(c.Widths) {
		return fmt.Errorf("vae: feature layer %d out of range for %d discriminator stages", fl, len(c.Widths))
	}
	return nil
}

// decoderWidths are the transposed convolutions' output widths: the
// encoder's widths backwards without the deepest, then the image channels
// (published: 512-384-256-192-3).
func (c Config) decoderWidths() []int {
	var out []int
	for i := len(c.Widths) - 2; i >= 0; i-- {
		out = append(out, c.Widths[i])
	}
	return append(out, c.Channels)
}
