package bigbigan

import (
	"fmt"
	"strconv"
	"strings"

	nt "github.com/neurolatent/neurolatent/tensor"
)

// Config describes a BigGAN generator in BigGAN-PyTorch's layout. Published
// is BigBiGAN's (BigGAN-128, G_ch 96); the same layout at other widths and
// depths loads too, its configuration read from the checkpoint's shapes. A
// plain value, safe for concurrent use.
type Config struct {
	// Widths are the channel counts between blocks: Widths[0] is the
	// input of block 0 (the linear layer's output, seen as Bottom x Bottom
	// maps), Widths[i+1] the output of block i. Published: 1536, 1536,
	// 768, 384, 192, 96 (16, 16, 8, 4, 2, 1 times G_ch 96).
	Widths []int `json:"widths"`
	// Bottom is the side of the first feature map (4).
	Bottom int `json:"bottom"`
	// ZChunk is the size of each of the len(Widths) chunks of a
	// hierarchical z (20), or the whole latent size without Hierarchical.
	ZChunk int `json:"z_chunk"`
	// Hierarchical splits z into one chunk for the linear layer and one
	// per block, each concatenated to the class embedding to condition
	// that block's batch norms (BigGAN's hier option; true for BigBiGAN).
	Hierarchical bool `json:"hierarchical"`
	// SharedDim and Classes are the shape of the shared class embedding
	// (128, 1000). BigBiGAN is unconditional and uses class 0.
	SharedDim int `json:"shared_dim"`
	Classes   int `json:"classes"`
	// Attention is the resolution after which a self-attention block runs
	// (64), or 0 for none.
	Attention int `json:"attention"`
	// Channels is the number of image channels (3).
	Channels int `json:"channels"`
	// BNEps is the conditional batch norms' epsilon (1e-4), OutEps the
	// output batch norm's (1e-5: the port does not pass BN_eps to it),
	// SNEps the spectral norm's (1e-4).
	BNEps  float64 `json:"bn_eps"`
	OutEps float64 `json:"out_eps"`
	SNEps  float64 `json:"sn_eps"`
}

// Published is the generator of the public BigBiGAN conversion
// (BigBiGAN_x1.pth, from TF-Hub bigbigan-resnet50): BigGAN-128 with
// G_ch 96, a 120-d hierarchical z in six chunks of 20, a 128-d shared
// embedding of 1000 classes, attention at 64x64; 70,433,988 parameters.
func Published() Config { return BigGAN128(96) }

// BigGAN128 is BigGAN-PyTorch's 128x128 generator at width ch (G_ch):
// blocks 16ch->16ch->8ch->4ch->2ch->ch.
func BigGAN128(ch int) Config {
	return Config{
		Widths: []int{16 * ch, 16 * ch, 8 * ch, 4 * ch, 2 * ch, ch},
		Bottom: 4, ZChunk: 20, Hierarchical: true, SharedDim: 128, Classes: 1000,
		Attention: 64, Channels: 3, BNEps: 1e-4, OutEps: 1e-5, SNEps: 1e-4,
	}
}

// Blocks is the number of GBlocks.
func (c Config) Blocks() int { return len(c.Widths) - 1 }

// Resolution is the output image side.
func (c Config) Resolution() int { return c.Bottom << c.Blocks() }

// Latent is the width of z: ZChunk times (blocks + 1) when hierarchical.
func (c Config) Latent() int {
	if c.Hierarchical {
		return c.ZChunk * len(c.Widths)
	}
	return c.ZChunk
}

// CondDim is the width of the vector conditioning each block's batch norms.
func (c Config) CondDim() int {
	if c.Hierarchical {
		return c.SharedDim + c.ZChunk
	}
	return c.SharedDim
}

// attentionAfter is the index of the block followed by attention, or -1.
func (c Config) attentionAfter() int {
	for i := range c.Blocks() {
		if c.Bottom<<(i+1) == c.Attention {
			return i
		}
	}
	return -1
}

// Check validates the configuration.
func (c Config) Check() error {
	if len(c.Widths) < 2 {
		return fmt.Errorf("bigbigan: widths %v: want at least two (one block)", c.Widths)
	}
	for _, w := range c.Widths {
		if w < 1 {
			return fmt.Errorf("bigbigan: widths %v must be positive", c.Widths)
		}
	}
	if c.Bottom < 1 || c.ZChunk < 1 || c.SharedDim < 1 || c.Classes < 1 || c.Channels < 1 {
		return fmt.Errorf("bigbigan: bottom %d, z chunk %d, shared dim %d, classes %d and channels %d must be positive",
			c.Bottom, c.ZChunk, c.SharedDim, c.Classes, c.Channels)
	}
	if c.Attention != 0 {
		i := c.attentionAfter()
		if i < 0 {
			return fmt.Errorf("bigbigan: attention at %dx%d: no block outputs that resolution (%d..%d)",
				c.Attention, c.Attention, c.Bottom*2, c.Resolution())
		}
		if w := c.Widths[i+1]; w%8 != 0 {
			return fmt.Errorf("bigbigan: attention over %d channels: want a multiple of 8", w)
		}
	}
	if c.BNEps <= 0 || c.OutEps <= 0 || c.SNEps <= 0 {
		return fmt.Errorf("bigbigan: epsilons %g, %g, %g must be positive", c.BNEps, c.OutEps, c.SNEps)
	}
	return nil
}

func (c Config) String() string {
	return fmt.Sprintf("BigGAN %dx%d, widths %v, z %d (%s), shared %dx%d, attention %d, %d channels",
		c.Resolution(), c.Resolution(), c.Widths, c.Latent(), map[bool]string{true: fmt.Sprintf("%d chunks of %d", len(c.Widths), c.ZChunk), false: "flat"}[c.Hierarchical],
		c.Classes, c.SharedDim, c.Attention, c.Channels)
}

// InferConfig reads a generator's configuration from the shapes of its
// state dict (BigGAN-PyTorch keys): the number of blocks from the
// blocks.i.0 keys, the widths from their convolutions, the chunk size from
// linear.weight, the embedding from shared.weight, hierarchy from the
// batch norms' input width, attention from the blocks.i.1 keys. Whatever
// cannot be read falls back to Published's value, so that a state dict of
// another architecture is then reported key by key by the loader.
// Epsilons are the port's (1e-4, 1e-5 for the output batch norm).
func InferConfig(sd *nt.StateDict) Config {
	pub := Published()
	c := pub
	shape := func(key string, dims int) []int {
		t, ok := sd.Get(key)
		if !ok || t.Shape().Dims() != dims {
			return nil
		}
		return []int(t.Shape())
	}
	var widths []int
	for i := 0; ; i++ {
		s := shape(fmt.Sprintf("blocks.%d.0.conv1.weight", i), 4)
		if s == nil {
			break
		}
		if i == 0 {
			widths = append(widths, s[1])
		} else if widths[i] != s[1] {
			break // inconsistent: leave it to the loader to report
		}
		widths = append(widths, s[0])
	}
	if len(widths) >= 2 {
		c.Widths = widths
	}
	if s := shape("shared.weight", 2); s != nil {
		c.Classes, c.SharedDim = s[0], s[1]
	}
	if s := shape("linear.weight", 2); s != nil {
		c.ZChunk = s[1]
		if rows, w0 := s[0], c.Widths[0]; rows%w0 == 0 {
			if b := isqrt(rows / w0); b*b == rows/w0 && b > 0 {
				c.Bottom = b
			}
		}
	}
	if s := shape("blocks.0.0.bn1.gain.weight", 2); s != nil {
		switch s[1] {
		case c.SharedDim + c.ZChunk:
			c.Hierarchical = true
		case c.SharedDim:
			c.Hierarchical = false
		}
	}
	if s := shape("output_layer.2.weight", 4); s != nil {
		c.Channels = s[0]
	}
	if len(widths) >= 2 {
		c.Attention = 0
		for _, k := range sd.Keys() {
			rest, ok := strings.CutPrefix(k, "blocks.")
			if !ok {
				continue
			}
			idx, tail, _ := strings.Cut(rest, ".")
			if !strings.HasPrefix(tail, "1.") {
				continue
			}
			if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(widths)-1 {
				c.Attention = c.Bottom << (i + 1)
				break
			}
		}
	}
	return c
}

func isqrt(n int) int {
	r := 0
	for (r+1)*(r+1) <= n {
		r++
	}
	return r
}
