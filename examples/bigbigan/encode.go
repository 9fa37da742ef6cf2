package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/neurolatent/neurolatent/bigbigan"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/internal/cli"
	nt "github.com/neurolatent/neurolatent/tensor"
)

func runEncode(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("encode", stderr)
	weights := fs.String("weights", "", "trained BigBiGAN weights (train's -weights or its checkpoint; default: the small BigBiGAN embedded in the program)")
	images := fs.String("images", "fashion:test", "images: fashion:test or fashion:train (embedded Fashion-MNIST), an IDX file, or an .npy [N,C,S,S] in [-1,1]")
	n := fs.Int("n", 0, "encode only the first N images (0: all)")
	out := fs.String("out", "", "write the encoder means mu [N, 120] as float32 .npy")
	sigmaOut := fs.String("sigma-out", "", "write the encoder standard deviations as float32 .npy")
	png := fs.String("png", "", "write the images and their reconstructions G(mu) as a PNG grid (the first 64)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *n < 0 {
		return cli.Usagef("-n %d must not be negative", *n)
	}
	if *out == "" && *png == "" {
		return cli.Usagef("give -out and/or -png")
	}
	if err := cli.Usage(errors.Join(requireNPY("out", *out), requireNPY("sigma-out", *sigmaOut))); err != nil {
		return err
	}
	v, err := loadBiGAN(*weights)
	if err != nil {
		return err
	}
	c := v.Config()
	var x *nt.Dense
	if strings.EqualFold(pathExt(*images), ".npy") {
		if x, err = nt.LoadNPY(*images); err != nil {
			return err
		}
		if x, err = nt.ToFloat32(x); err != nil {
			return err
		}
		if s := x.Shape(); len(s) != 4 || s[1] != c.Channels || s[2] != c.Size || s[3] != c.Size || s[0] < 1 {
			return fmt.Errorf("-images %s: shape %v, want [N,%d,%d,%d] in [-1,1]", *images, s, c.Channels, c.Size, c.Size)
		}
		if *n > 0 && *n < x.Shape()[0] {
			per := x.Shape().TotalSize() / x.Shape()[0]
			x = nt.New32(nt.Data32(x)[:*n*per], append([]int{*n}, x.Shape()[1:]...)...)
		}
	} else {
		m, err := loadImages(*images, c.Size, *n)
		if err != nil {
			return err
		}
		if ch, _, _ := m.Shape(); ch != c.Channels {
			return fmt.Errorf("-images %s has %d-channel images; the encoder takes %d", *images, ch, c.Channels)
		}
		if x, _, err = (&dataset.Loader{Data: m, MinusOneOne: true}).All(); err != nil {
			return err
		}
	}
	mu, sigma, err := v.Encode(x)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := nt.SaveNPY(*out, mu); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote mu %v to %s\n", mu.Shape(), *out)
	}
	if *sigmaOut != "" {
		if err := nt.SaveNPY(*sigmaOut, sigma); err != nil {
			return err
		}
	}
	if *png != "" {
		k := min(64, x.Shape()[0])
		per := x.Shape().TotalSize() / x.Shape()[0]
		head := nt.New32(nt.Data32(x)[:k*per], append([]int{k}, x.Shape()[1:]...)...)
		rec, err := v.Reconstruct(head)
		if err != nil {
			return err
		}
		if err := bigbigan.SavePNG(*png, bigbigan.Interleave(head, rec, 16), 16); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s (rows of inputs, each followed by its reconstructions)\n", *png)
	}
	return nil
}
