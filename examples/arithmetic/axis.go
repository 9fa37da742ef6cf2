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
	// Grouped is set when the folds keep the groups of -groups whole.
	Grouped bool `json:"grouped,omitempty"`
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

const axisUsage = `usage: arithmetic axis -codes CODES.npy (-labels LABELS.txt | -rows ROWS.txt) [-folds K] [-groups GROUPS.txt] [-pos LABEL] [-json]
                       [-decoder DECODER.onnx -out DIR [-show N] [-alphas A,B,...]]

The attribute axis between two labelled groups of latent codes: the mean
code of one group minus the mean code of the other (VanRullen & Reddy's
gender axis), with the held-out accuracy of its projection classifier by
stratified k-fold cross-validation (or, with -groups, one group per row
such as a person, folds that keep each group whole). CODES is an .npy matrix [N, D] (float32
or float64); LABELS a text file with one label per row of CODES (one per
line) and exactly two distinct labels; or ROWS lists the rows of one group
(0-based, '#' comments), the others forming the second. The axis points
towards -pos (by default the label that sorts last, or the listed rows). With -decoder, an ONNX decoder from
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
	rowsPath := fs.String("rows", "", "instead of -labels: a file of the 0-based rows labelled -pos (default \"listed\"); the others are \"other\"")
	folds := fs.Int("folds", 5, "folds of the cross-validated accuracy (2 to the smaller group's size)")
	groupsPath := fs.String("groups", "", "optional: one group per row (a person, a session); the folds keep each group whole")
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
	if *codesPath == "" || (*labelsPath == "") == (*rowsPath == "") {
		return fmt.Errorf("-codes and one of -labels or -rows are required (see arithmetic axis -h)")
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
	var labels []string
	if *rowsPath != "" {
		listed, err := readRows(*rowsPath, codes.N)
		if err != nil {
			return err
		}
		name := *pos
		if name == "" {
			name = "listed"
		}
		if name == "other" {
			return fmt.Errorf("-pos other: with -rows the unlisted rows are \"other\"")
		}
		labels = make([]string, codes.N)
		for i, l := range listed {
			labels[i] = "other"
			if l {
				labels[i] = name
			}
		}
		*pos, *labelsPath = name, *rowsPath
	} else if labels, err = readLabels(*labelsPath, codes.N); err != nil {
		return err
	}
	has, neg, posLabel, err := twoGroups(labels, *pos)
	if err != nil {
		return fmt.Errorf("%s: %w", *labelsPath, err)
	}
	var groups []string
	if *groupsPath != "" {
		if groups, err = readLabels(*groupsPath, codes.N); err != nil {
			return err
		}
	}
	r, err := axisReport(codes, has, groups, *folds)
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
	how := "stratified"
	if r.Grouped {
		how = "whole groups"
	}
	fmt.Fprintf(stdout, "held-out accuracy (%d-fold, %s) %.3f; folds", r.Folds, how, r.Accuracy)
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
// accuracy by k-fold cross-validation. Without groups the folds are
// stratified: within each label the j-th code (in file order) goes to fold
// j mod k, so every fold holds both labels in proportion and the split
// needs no random seed. With groups (one per code), whole groups go to the
// folds in turn, in order of first appearance, so that no group (a person
// seen in several images) is both fitted and tested.
func axisReport(codes latent.Vectors, has []bool, groups []string, k int) (AxisReport, error) {
	r := AxisReport{Codes: codes.N, Dim: codes.D, Folds: k, Grouped: groups != nil}
	fold := make([]int, codes.N)
	groupFold := map[string]int{}
	for i, h := range has {
		if groups != nil {
			f, ok := groupFold[groups[i]]
			if !ok {
				f = len(groupFold) % k
				groupFold[groups[i]] = f
			}
			fold[i] = f
		}
		if h {
			if groups == nil {
				fold[i] = r.NPos % k
			}
			r.NPos++
		} else {
			if groups == nil {
				fold[i] = r.NNeg % k
			}
			r.NNeg++
		}
	}
	if k < 2 || k > min(r.NPos, r.NNeg) {
		return r, fmt.Errorf("-folds %d: want 2 to %d (the smaller group's size: %d and %d codes)", k, min(r.NPos, r.NNeg), r.NNeg, r.NPos)
	}
	if groups != nil && len(groupFold) < k {
		return r, fmt.Errorf("-folds %d: only %d groups", k, len(groupFold))
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
			return r, fmt.Errorf("fold %d: %w (the groups put one label's every code in this fold)", f, err)
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
		if len(test) == 0 {
			return r, fmt.Errorf("fold %d holds no codes", f)
		}
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
	return nt.SavePNGGrid(path, images, nt.GridOptions{Cols: len(alphas), Padding: 2})
}

// decodeCodes runs an ONNX decoder on codes [N, D] and returns its images
// [N, C, H, W] (in chunks for a decoder of fixed batch size).
func decodeCodes(m *onnx.Model, codes latent.Vectors) (*nt.Dense, error) {
	y, err := runChunked(m, nt.New32(codes.Data, codes.N, codes.D))
	if err != nil {
		return nil, err
	}
	if s := y.Shape(); len(s) != 4 || (s[1] != 1 && s[1] != 3) {
		return nil, fmt.Errorf("output of shape %v, want images [N, 1 or 3, H, W]", s)
	}
	return y, nil
}
