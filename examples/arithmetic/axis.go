package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// AxisReport is what `arithmetic axis` measures.
type AxisReport struct {
	Codes int    `json:"codes"`
	Dim   int    `json:"dim"`
	Neg   string `json:"neg"` // the axis points from Neg to Pos
	Pos   string `json:"pos"`
	NNeg  int    `json:"n_neg"`
	NPos  int    `json:"n_pos"`
	Folds int    `json:"folds"`
	// Accuracy is the held-out accuracy of the axis's projection
	// classifier pooled over the folds (correct / codes); FoldAccuracy
	// holds each fold's.
	Accuracy     float64   `json:"accuracy"`
	FoldAccuracy []float64 `json:"fold_accuracy"`
	// AxisNorm is |mean(Pos) - mean(Neg)| on all codes, and Spread the
	// root mean square distance of a code from its group's mean: their
	// ratio says how far apart the groups sit.
	AxisNorm float64   `json:"axis_norm"`
	Spread   float64   `json:"spread"`
	Alphas   []float64 `json:"alphas,omitempty"`
	Image    string    `json:"image,omitempty"`
}

const axisUsage = `usage: arithmetic axis -codes CODES.npy -labels LABELS.txt [-folds K] [-pos LABEL] [-json]
                       [-decoder DECODER.onnx -out DIR [-show N] [-alphas A,B,...]]

The attribute axis between two labelled groups of latent codes: the mean
code of one group minus the mean code of the other (VanRullen & Reddy's
gender axis), with the held-out accuracy of its projection classifier by
stratified k-fold cross-validation. CODES is an .npy matrix [N, D] (float32
or float64); LABELS a text file with one label per row of CODES (one per
line) and exactly two distinct labels. The axis points towards -pos (by
default the label that sorts last). With -decoder, an ONNX decoder from
codes [N, D] to images [N, C, H, W] in [0, 1], the first -show codes of the
other group are moved along the axis by each alpha and decoded into
DIR/axis.png (one row per code, one column per alpha).
`

// runAxis is the axis subcommand.
func runAxis(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("arithmetic axis", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, axisUsage); fs.PrintDefaults() }
	codesPath := fs.String("codes", "", "latent codes, an .npy matrix [N, D]")
	labelsPath := fs.String("labels", "", "one label per row of -codes, two distinct values")
	folds := fs.Int("folds", 5, "folds of the cross-validated accuracy (2 to the smaller group's size)")
	pos := fs.String("pos", "", "the label the axis points to (default: the one that sorts last)")
	jsonOut := fs.Bool("json", false, "print the report as one JSON object")
	decoder := fs.String("decoder", "", "an ONNX decoder (codes [N,D] -> images [N,C,H,W] in [0,1]) to render codes moved along the axis")
	out := fs.String("out", "out/arithmetic-axis", "output folder of axis.png and axis.json")
	show := fs.Int("show", 4, "codes to render with -decoder (1 to 32)")
	alphaList := fs.String("alphas", "-0.5,0,0.5,1,1.5", "steps along the axis to render, in units of the mean difference")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *codesPath == "" || *labelsPath == "" {
		return fmt.Errorf("-codes and -labels are both required (see arithmetic axis -h)")
	}
	alphas, err := parseAlphas(*alphaList)
	if err != nil {
		return err
	}
	if *decoder != "" {
		if *show < 1 || *show > 32 {
			return fmt.Errorf("-show %d: want 1 to 32 codes", *show)
		}
		if err := atomicfile.CheckDir(*out); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	var dec *onnx.Model
	if *decoder != "" { // found now, not after the cross-validation
		if dec, err = onnx.Load(*decoder); err != nil {
			return err
		}
	}
	codes, err := loadCodes(*codesPath)
	if err != nil {
		return err
	}
	labels, err := readLabels(*labelsPath, codes.N)
	if err != nil {
		return err
	}
	has, neg, posLabel, err := twoGroups(labels, *pos)
	if err != nil {
		return fmt.Errorf("%s: %w", *labelsPath, err)
	}
	r, err := axisReport(codes, has, *folds)
	if err != nil {
		return err
	}
	r.Neg, r.Pos = neg, posLabel
	if *decoder != "" {
		r.Alphas = alphas
		r.Image = filepath.Join(*out, "axis.png")
		if err := renderAxis(dec, *decoder, codes, has, *show, alphas, r.Image); err != nil {
			return err
		}
		js, _ := json.MarshalIndent(r, "", "  ")
		if err := atomicfile.WriteBytes(filepath.Join(*out, "axis.json"), append(js, '\n')); err != nil {
			return err
		}
	}
	if *jsonOut {
		js, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(stdout, string(js))
		return nil
	}
	fmt.Fprintf(stdout, "axis %s -> %s over %d codes of %d dims (%d %s, %d %s)\n", r.Neg, r.Pos, r.Codes, r.Dim, r.NNeg, r.Neg, r.NPos, r.Pos)
	fmt.Fprintf(stdout, "|mean difference| %.4g, within-group spread %.4g\n", r.AxisNorm, r.Spread)
	fmt.Fprintf(stdout, "held-out accuracy (%d-fold, stratified) %.3f; folds", r.Folds, r.Accuracy)
	for _, a := range r.FoldAccuracy {
		fmt.Fprintf(stdout, " %.3f", a)
	}
	fmt.Fprintln(stdout)
	if r.Image != "" {
		fmt.Fprintf(stdout, "wrote %s\n", r.Image)
	}
	return nil
}

// parseAlphas reads a comma-separated list of finite numbers.
func parseAlphas(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("-alphas %q: %q is not a finite number", s, f)
		}
		out = append(out, v)
	}
	if len(out) > 16 {
		return nil, fmt.Errorf("-alphas: %d steps, at most 16", len(out))
	}
	return out, nil
}

// loadCodes reads an .npy matrix [N, D] of finite floats.
func loadCodes(path string) (latent.Vectors, error) {
	d, err := nt.LoadNPY(path)
	if err != nil {
		return latent.Vectors{}, err
	}
	s := d.Shape()
	if len(s) != 2 || s[0] < 1 || s[1] < 1 {
		return latent.Vectors{}, fmt.Errorf("%s: shape %v, want a matrix [N, D] of codes", path, s)
	}
	f, err := nt.ToFloat32(d)
	if err != nil {
		return latent.Vectors{}, fmt.Errorf("%s: %w", path, err)
	}
	v := latent.Vectors{N: s[0], D: s[1], Data: nt.Data32(f)}
	for i, x := range v.Data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return latent.Vectors{}, fmt.Errorf("%s: code %d, component %d is %v", path, i/v.D, i%v.D, x)
		}
	}
	return v, nil
}

// readLabels reads one label per line (surrounding space trimmed); there
// must be exactly n, none empty.
func readLabels(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			return nil, fmt.Errorf("%s: line %d is empty: one label per row of the codes", path, len(labels)+1)
		}
		labels = append(labels, l)
		if len(labels) > n {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(labels) != n {
		more := ""
		if len(labels) > n {
			more = " or more"
		}
		return nil, fmt.Errorf("%s: %d%s labels for %d codes: want one per row", path, len(labels), more, n)
	}
	return labels, nil
}

// twoGroups checks that labels hold exactly two distinct values and
// returns has[i] = (labels[i] is the positive one).
func twoGroups(labels []string, pos string) (has []bool, neg, posLabel string, err error) {
	var distinct []string
	for _, l := range labels {
		if !slices.Contains(distinct, l) {
			distinct = append(distinct, l)
			if len(distinct) > 2 {
				break
			}
		}
	}
	slices.Sort(distinct)
	if len(distinct) != 2 {
		return nil, "", "", fmt.Errorf("%d distinct labels (%s), want exactly two", len(distinct), strings.Join(distinct, ", "))
	}
	neg, posLabel = distinct[0], distinct[1]
	switch pos {
	case "", posLabel:
	case neg:
		neg, posLabel = posLabel, neg
	default:
		return nil, "", "", fmt.Errorf("-pos %q is neither label (%s, %s)", pos, distinct[0], distinct[1])
	}
	has = make([]bool, len(labels))
	for i, l := range labels {
		has[i] = l == posLabel
	}
	return has, neg, posLabel, nil
}

// axisReport fits the axis on every code and measures its held-out
// accuracy by stratified k-fold cross-validation: within each group the
// j-th code (in file order) goes to fold j mod k, so every fold holds both
// groups in proportion and the split needs no random seed.
func axisReport(codes latent.Vectors, has []bool, k int) (AxisReport, error) {
	r := AxisReport{Codes: codes.N, Dim: codes.D, Folds: k}
	fold := make([]int, codes.N)
	for i, h := range has {
		if h {
			fold[i] = r.NPos % k
			r.NPos++
		} else {
			fold[i] = r.NNeg % k
			r.NNeg++
		}
	}
	if k < 2 || k > min(r.NPos, r.NNeg) {
		return r, fmt.Errorf("-folds %d: want 2 to %d (the smaller group's size: %d and %d codes)", k, min(r.NPos, r.NNeg), r.NNeg, r.NPos)
	}
	correct := 0
	for f := range k {
		var train, test []int
		for i := range fold {
			if fold[i] == f {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		ax, err := latent.AttributeAxis(subset(codes, train), pick(has, train))
		if err != nil {
			return r, err
		}
		clf, err := ax.Classifier()
		if err != nil {
			return r, fmt.Errorf("fold %d: %w", f, err)
		}
		acc, err := clf.Accuracy(subset(codes, test), pick(has, test))
		if err != nil {
			return r, err
		}
		r.FoldAccuracy = append(r.FoldAccuracy, acc)
		correct += int(math.Round(acc * float64(len(test))))
	}
	r.Accuracy = float64(correct) / float64(codes.N)
	ax, err := latent.AttributeAxis(codes, has)
	if err != nil {
		return r, err
	}
	var ss float64
	for _, x := range ax.Dir {
		ss += float64(x) * float64(x)
	}
	r.AxisNorm = math.Sqrt(ss)
	ss = 0
	for i := range codes.N {
		m := ax.NegMean
		if has[i] {
			m = ax.PosMean
		}
		for j, x := range codes.Row(i) {
			d := float64(x) - float64(m[j])
			ss += d * d
		}
	}
	r.Spread = math.Sqrt(ss / float64(codes.N))
	return r, nil
}

// pick returns has at rows.
func pick(has []bool, rows []int) []bool {
	out := make([]bool, len(rows))
	for r, i := range rows {
		out[r] = has[i]
	}
	return out
}

// renderAxis decodes the first show codes without the attribute moved by
// each alpha along the axis (fitted on all codes) and writes the grid.
func renderAxis(m *onnx.Model, name string, codes latent.Vectors, has []bool, show int, alphas []float64, path string) error {
	ax, err := latent.AttributeAxis(codes, has)
	if err != nil {
		return err
	}
	var rows []int
	for i, h := range has {
		if !h && len(rows) < show {
			rows = append(rows, i)
		}
	}
	batch := latent.NewVectors(len(rows)*len(alphas), codes.D)
	for r, i := range rows {
		for a, alpha := range alphas {
			dst := batch.Row(r*len(alphas) + a)
			for j, x := range codes.Row(i) {
				dst[j] = x + float32(alpha)*ax.Dir[j]
			}
		}
	}
	images, err := decodeCodes(m, batch)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nt.SavePNGGrid(path, images, len(alphas), false, 2)
}

// decodeCodes runs an ONNX decoder on codes [N, D] and returns its images
// [N, C, H, W]. A decoder exported with a fixed batch size B runs on
// chunks of B codes, the last one padded with zero codes.
func decodeCodes(m *onnx.Model, codes latent.Vectors) (*nt.Dense, error) {
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, fmt.Errorf("the decoder takes %d inputs, want one (codes [N, D])", len(ins))
	}
	chunk := codes.N
	if d := ins[0].Dims; len(d) == 2 {
		if d[1] > 0 && int(d[1]) != codes.D {
			return nil, fmt.Errorf("the decoder takes codes of %d dims, these have %d", d[1], codes.D)
		}
		if d[0] > 0 {
			chunk = int(d[0])
		}
	}
	var parts []*nt.Dense
	for lo := 0; lo < codes.N; lo += chunk {
		in := make([]float32, chunk*codes.D)
		copy(in, codes.Data[lo*codes.D:min(lo+chunk, codes.N)*codes.D])
		outs, err := graph.NewEngine().Run(m.Func(), nt.New32(in, chunk, codes.D))
		if err != nil {
			return nil, err
		}
		s := outs[0].Shape()
		if len(s) != 4 || (s[1] != 1 && s[1] != 3) || s[0] != chunk {
			return nil, fmt.Errorf("output of shape %v for %d codes, want images [%d, 1 or 3, H, W]", s, chunk, chunk)
		}
		parts = append(parts, outs[0])
	}
	s := parts[0].Shape()
	per := s[1] * s[2] * s[3]
	all := make([]float32, 0, len(parts)*chunk*per)
	for _, p := range parts {
		all = append(all, nt.Data32(p)...)
	}
	return nt.New32(all[:codes.N*per], codes.N, s[1], s[2], s[3]), nil
}
