package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// The subcommands encode and transfer bring any model given as ONNX files
// to the axis subcommand: encode turns images into codes, transfer renders
// A - B + C. docs/faces runs them on the CelebA face VAE and the Olivetti
// faces.

const encodeUsage = `usage: arithmetic encode -encoder ENCODER.onnx -images IMAGES.npy -out CODES.npy

Encodes images with an ONNX encoder (images [N, C, H, W] in [0, 1] -> codes
[N, D]). IMAGES is an .npy array [N, H, W] or [N, C, H, W], uint8 (0-255)
or float in [0, 1]; grey images are repeated over the encoder's channels.
`

// runEncode is the encode subcommand.
func runEncode(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("arithmetic encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, encodeUsage); fs.PrintDefaults() }
	encoder := fs.String("encoder", "", "an ONNX encoder: images [N,C,H,W] in [0,1] -> codes [N,D]")
	imagesPath := fs.String("images", "", "images, an .npy array [N,H,W] or [N,C,H,W] (uint8 or float in [0,1])")
	out := fs.String("out", "", "the codes, written as an .npy matrix [N, D]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *encoder == "" || *imagesPath == "" || *out == "" {
		return fmt.Errorf("-encoder, -images and -out are all required (see arithmetic encode -h)")
	}
	if err := atomicfile.CheckDir(filepath.Dir(*out)); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	m, err := onnx.Load(*encoder)
	if err != nil {
		return err
	}
	ins := m.Inputs()
	if len(ins) != 1 || len(ins[0].Dims) != 4 {
		return fmt.Errorf("%s: the encoder takes %d inputs, want one of images [N, C, H, W]", *encoder, len(ins))
	}
	raw, err := nt.LoadNPY(*imagesPath)
	if err != nil {
		return err
	}
	images, err := toImages(raw, int(ins[0].Dims[1]))
	if err != nil {
		return fmt.Errorf("%s: %w", *imagesPath, err)
	}
	codes, err := runChunked(m, images)
	if err != nil {
		return fmt.Errorf("%s: %w", *encoder, err)
	}
	if s := codes.Shape(); len(s) != 2 {
		return fmt.Errorf("%s: output of shape %v, want codes [N, D]", *encoder, s)
	}
	if err := nt.SaveNPY(*out, codes); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "encoded %d images %v into codes %v: %s\n", images.Shape()[0], images.Shape()[1:], codes.Shape()[1:], *out)
	return nil
}

// toImages converts [N,H,W] or [N,C,H,W] pixels (uint8 0-255 or floats in
// [0, 1]) to float32 [N,c,H,W], repeating one grey channel over c (when
// c > 0 and the images have one channel).
func toImages(raw *nt.Dense, c int) (*nt.Dense, error) {
	s := raw.Shape()
	if len(s) == 3 {
		s = []int{s[0], 1, s[1], s[2]}
	}
	if len(s) != 4 || nt.Numel(s) == 0 {
		return nil, fmt.Errorf("shape %v, want images [N, H, W] or [N, C, H, W]", raw.Shape())
	}
	var v []float32
	if b, ok := raw.Data().([]uint8); ok {
		v = make([]float32, len(b))
		for i, x := range b {
			v[i] = float32(x) / 255
		}
	} else {
		f, err := nt.ToFloat32(raw)
		if err != nil {
			return nil, fmt.Errorf("element type %v: want uint8 or float", raw.Dtype())
		}
		v = nt.Data32(f)
		for i, x := range v {
			if !(x >= 0 && x <= 1) {
				return nil, fmt.Errorf("pixel %d is %v: float images must lie in [0, 1]", i, x)
			}
		}
	}
	if c <= 0 || c == s[1] {
		return nt.New32(v, s...), nil
	}
	if s[1] != 1 {
		return nil, fmt.Errorf("%d-channel images for an encoder of %d channels", s[1], c)
	}
	hw := s[2] * s[3]
	out := make([]float32, 0, s[0]*c*hw)
	for i := range s[0] {
		for range c {
			out = append(out, v[i*hw:(i+1)*hw]...)
		}
	}
	return nt.New32(out, s[0], c, s[2], s[3]), nil
}

// runChunked runs a one-input model on x [N, ...]. A model exported with
// a fixed batch size B runs on chunks of B rows, the last one padded with
// zeros (and its padding dropped from the output).
func runChunked(m *onnx.Model, x *nt.Dense) (*nt.Dense, error) {
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, fmt.Errorf("the model takes %d inputs, want one", len(ins))
	}
	s := x.Shape()
	n, per := s[0], nt.Numel(s[1:])
	chunk := n
	if d := ins[0].Dims; len(d) == len(s) {
		for i := 1; i < len(d); i++ {
			if d[i] > 0 && int(d[i]) != s[i] {
				return nil, fmt.Errorf("the model takes %v, given %v", d, s)
			}
		}
		if d[0] > 0 {
			chunk = int(d[0])
		}
	}
	data := nt.Data32(x)
	var outShape []int
	var all []float32
	for lo := 0; lo < n; lo += chunk {
		in := make([]float32, chunk*per)
		copy(in, data[lo*per:min(lo+chunk, n)*per])
		outs, err := graph.NewEngine().Run(m.Func(), nt.New32(in, append([]int{chunk}, s[1:]...)...))
		if err != nil {
			return nil, err
		}
		ys := outs[0].Shape()
		if len(ys) == 0 || ys[0] != chunk {
			return nil, fmt.Errorf("output of shape %v for %d rows", ys, chunk)
		}
		outShape = ys
		all = append(all, nt.Data32(outs[0])...)
	}
	outPer := nt.Numel(outShape[1:])
	return nt.New32(all[:n*outPer], append([]int{n}, outShape[1:]...)...), nil
}

const transferUsage = `usage: arithmetic transfer -codes CODES.npy -decoder DECODER.onnx -triples A,B,C[;A,B,C...] -out DIR

Renders A - B + C for triples of rows of CODES (0-based): DIR/transfer.png
has one row per triple with the decoded A, B, C and A - B + C, and, with
-images (the images the codes came from, as for encode), the original A, B
and C first.
`

// runTransfer is the transfer subcommand.
func runTransfer(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("arithmetic transfer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, transferUsage); fs.PrintDefaults() }
	codesPath := fs.String("codes", "", "latent codes, an .npy matrix [N, D]")
	decoder := fs.String("decoder", "", "an ONNX decoder: codes [N,D] -> images [N,C,H,W] in [0,1]")
	tripleList := fs.String("triples", "", "rows A,B,C of -codes, triples separated by ';' (at most 16)")
	imagesPath := fs.String("images", "", "optional: the images the codes came from, shown first")
	out := fs.String("out", "out/arithmetic-transfer", "output folder of transfer.png")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *codesPath == "" || *decoder == "" || *tripleList == "" {
		return fmt.Errorf("-codes, -decoder and -triples are all required (see arithmetic transfer -h)")
	}
	if err := atomicfile.CheckDir(*out); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	m, err := onnx.Load(*decoder)
	if err != nil {
		return err
	}
	codes, err := loadCodes(*codesPath)
	if err != nil {
		return err
	}
	triples, err := parseTriples(*tripleList, codes.N)
	if err != nil {
		return err
	}
	batch := latent.NewVectors(4*len(triples), codes.D)
	for t, tr := range triples {
		for k := range 3 {
			copy(batch.Row(4*t+k), codes.Row(tr[k]))
		}
		dst := batch.Row(4*t + 3)
		a, b, c := codes.Row(tr[0]), codes.Row(tr[1]), codes.Row(tr[2])
		for j := range dst {
			dst[j] = a[j] - b[j] + c[j]
		}
	}
	decoded, err := decodeCodes(m, batch)
	if err != nil {
		return fmt.Errorf("%s: %w", *decoder, err)
	}
	cols, grid := 4, decoded
	if *imagesPath != "" {
		raw, err := nt.LoadNPY(*imagesPath)
		if err != nil {
			return err
		}
		ds := decoded.Shape()
		images, err := toImages(raw, ds[1])
		if err != nil {
			return fmt.Errorf("%s: %w", *imagesPath, err)
		}
		is := images.Shape()
		if is[0] != codes.N || is[2] != ds[2] || is[3] != ds[3] {
			return fmt.Errorf("%s: images %v for %d codes decoded to %v", *imagesPath, is, codes.N, ds[1:])
		}
		per := nt.Numel(ds[1:])
		src, dec := nt.Data32(images), nt.Data32(decoded)
		var all []float32
		for t, tr := range triples {
			for _, i := range tr {
				all = append(all, src[i*per:(i+1)*per]...)
			}
			all = append(all, dec[4*t*per:(4*t+4)*per]...)
		}
		cols, grid = 7, nt.New32(all, 7*len(triples), ds[1], ds[2], ds[3])
	}
	path := filepath.Join(*out, "transfer.png")
	if err := nt.SavePNGGrid(path, grid, nt.GridOptions{Cols: cols, Padding: 2}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d triples)\n", path, len(triples))
	return nil
}

// parseTriples reads "a,b,c;a,b,c" of rows in [0, n).
func parseTriples(s string, n int) ([][3]int, error) {
	var out [][3]int
	for _, t := range strings.Split(s, ";") {
		f := strings.Split(t, ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("-triples: %q is not three rows A,B,C", t)
		}
		var tr [3]int
		for k, x := range f {
			v, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil || v < 0 || v >= n {
				return nil, fmt.Errorf("-triples: %q is not a row of the %d codes", x, n)
			}
			tr[k] = v
		}
		out = append(out, tr)
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("-triples: %d triples, at most 16", len(out))
	}
	return out, nil
}

// readRows reads a file of 0-based row numbers, whitespace separated;
// '#' starts a comment. Every row must be in [0, n), none repeated.
func readRows(path string, n int) ([]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	has := make([]bool, n)
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		for _, w := range strings.Fields(text) {
			v, err := strconv.Atoi(w)
			if err != nil || v < 0 || v >= n {
				return nil, fmt.Errorf("%s:%d: %q is not a row of the %d codes", path, line, w, n)
			}
			if has[v] {
				return nil, fmt.Errorf("%s:%d: row %d listed twice", path, line, v)
			}
			has[v] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return has, nil
}
