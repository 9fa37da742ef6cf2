package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/internal/cli"
	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/rsa"
)

func main() {
	cli.Exit("rsa", run(os.Args[1:], os.Stdout))
}

type options struct {
	data, out, method, distance string
	json                        bool
	resamples, perms            int
	seed, randomSeed            uint64
	pcaImages                   int
}

func parse(args []string, stdout io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("rsa", flag.ContinueOnError)
	fs.StringVar(&o.data, "data", "", "the Kriegeskorte et al. (2008) folder (images, human and monkey IT RDMs; default: ../shared/data/real/kriegeskorte92 beside the module root)")
	fs.StringVar(&o.out, "out", filepath.Join("out", "rsa"), "folder for rsa.png and rsa.json")
	fs.StringVar(&o.method, "method", "spearman", "RDM comparison: spearman, tau-a or pearson")
	fs.StringVar(&o.distance, "distance", "correlation", "dissimilarity of two codes: correlation (1 - Pearson r), euclidean or cosine")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON instead of a table")
	fs.IntVar(&o.resamples, "resamples", 1000, "bootstrap resamples of the stimuli")
	fs.IntVar(&o.perms, "perms", 10000, "stimulus-label permutations per model")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the resamples and permutations")
	fs.Uint64Var(&o.randomSeed, "random-seed", 1, "seed of the random-weight controls")
	fs.IntVar(&o.pcaImages, "pca-images", 5000, "Fashion-MNIST training images the PCA basis is fitted on")
	if err := cli.Parse(fs, args, rsaHelp, stdout); err != nil {
		return o, err
	}
	if o.resamples < 2 || o.perms < 1 {
		return o, cli.Usagef("-resamples %d, -perms %d: need at least 2 and 1", o.resamples, o.perms)
	}
	if o.pcaImages < 200 || o.pcaImages > 20000 {
		return o, cli.Usagef("-pca-images %d: want 200 to 20000 (the shipped Fashion-MNIST training images)", o.pcaImages)
	}
	return o, nil
}

// report is the whole result; -json prints it, rsa.json keeps it.
type report struct {
	Data          string   `json:"data"`
	Stimuli       int      `json:"stimuli"`
	Distance      string   `json:"distance"`
	Method        string   `json:"method"`
	Preprocessing string   `json:"preprocessing"`
	Subjects      []string `json:"subjects"`
	Sessions      string   `json:"sessions"`
	// SessionAgreement is each subject's session-1 vs session-2 RDM
	// correlation (method's), a measure of within-subject reliability.
	SessionAgreement map[string]float64 `json:"session_agreement"`
	HumanVsMonkey    humanMonkey        `json:"human_vs_monkey"`
	Models           []*model           `json:"models"`
	HumanIT          *rsa.Evaluation    `json:"human_it"`
	MonkeyIT         *rsa.Evaluation    `json:"monkey_it"`
	Differences      []difference       `json:"differences"`
	Skipped          []string           `json:"skipped"`
}

// humanMonkey reproduces the paper's comparison of its Figure 1 RDMs.
type humanMonkey struct {
	Pearson  stats.Estimate `json:"pearson"`
	Spearman stats.Estimate `json:"spearman"`
	Paper    string         `json:"paper"`
}

// difference compares two models on the same reference and resamples.
type difference struct {
	Reference string `json:"reference"`
	A         string `json:"a"`
	B         string `json:"b"`
	stats.Difference
}

// paperHumanMonkey is what Kriegeskorte et al. (2008) report for the
// correlation of the human and monkey IT RDMs of their Figure 1.
const paperHumanMonkey = "Kriegeskorte et al. 2008 (Neuron 60:1126), Figure 1: r = 0.49, p < 0.0001 (stimulus-label randomization test)"

func run(args []string, w io.Writer) error {
	o, err := parse(args, w)
	if err != nil {
		return err
	}
	method, err := rsa.ParseMethod(o.method)
	if err != nil {
		return cli.Usage(err)
	}
	dist, err := rsa.ParseDistance(o.distance)
	if err != nil {
		return cli.Usage(err)
	}
	if o.data == "" {
		root, err := realdata.Root()
		if err != nil {
			return fmt.Errorf("no -data folder, and %w", err)
		}
		o.data = filepath.Join(root, "kriegeskorte92")
	}
	log := func(format string, a ...any) {
		if !o.json {
			fmt.Fprintf(w, format+"\n", a...)
		}
	}
	s, err := loadStudy(o.data)
	if err != nil {
		return err
	}
	n := s.images.Shape()[0]
	r := &report{Data: o.data, Stimuli: n, Distance: dist.String(), Method: method.String(), Subjects: s.subjectNames,
		Preprocessing:    "images as stored (uint8 -> [0,1]); for the 32x32 grey models and baselines: centre square, resized with dataset.Resize's anti-aliased triangle filter, grey by ITU-R 601 luma (dataset.Preprocess.Convert)",
		Sessions:         "each subject's session RDMs are averaged entry-wise into one RDM per subject (the paper's group RDM is the mean of all eight); the noise ceiling is over the subjects",
		Skipped:          []string{"ONNX models: not in the project yet (a later issue)"},
		SessionAgreement: map[string]float64{}}
	opt := stats.Options{Resamples: o.resamples, Permutations: o.perms, Seed: o.seed}
	log("Kriegeskorte et al. 2008: %d images, human IT of %d subjects (%s), monkey IT", n, len(s.subjects), strings.Join(s.subjectNames, ", "))

	// The pipeline check: the paper's two Figure 1 RDMs.
	if r.HumanVsMonkey.Pearson, err = rsa.Test(s.group, s.monkey, rsa.Pearson, opt); err != nil {
		return err
	}
	if r.HumanVsMonkey.Spearman, err = rsa.Test(s.group, s.monkey, rsa.Spearman, opt); err != nil {
		return err
	}
	r.HumanVsMonkey.Paper = paperHumanMonkey
	for i, ss := range s.sessions {
		if len(ss) == 2 {
			if r.SessionAgreement[s.subjectNames[i]], err = rsa.Compare(ss[0], ss[1], method); err != nil {
				return err
			}
		}
	}

	log("encoding the stimuli (RDMs by %s distance):", dist)
	if r.Models, err = encodeAll(s, o, dist, log); err != nil {
		return err
	}
	monkeyRef := &model{Name: s.monkey.Name, Group: groupRef, Input: "the paper's RDM of 674 IT neurons", Note: "the other species", rdm: s.monkey}
	var forHuman, forMonkey []*rsa.RDM
	for _, m := range r.Models {
		forHuman, forMonkey = append(forHuman, m.rdm), append(forMonkey, m.rdm)
	}
	forHuman = append(forHuman, s.monkey)
	r.Models = append(r.Models, monkeyRef)
	log("scoring against human IT (%d subjects, noise ceiling) and monkey IT: %d resamples, %d permutations", len(s.subjects), o.resamples, o.perms)
	if r.HumanIT, err = rsa.Evaluate(forHuman, s.subjects, method, opt); err != nil {
		return err
	}
	if r.MonkeyIT, err = rsa.Evaluate(forMonkey, []*rsa.RDM{s.monkey}, method, opt); err != nil {
		return err
	}
	pca, proj := named(r.Models, "PCA of pixels"), named(r.Models, "random projection")
	for _, pair := range [][2]string{
		{nameVAEGAN, "VAE-GAN, random weights"},
		{nameVAEGANDigits, "VAE-GAN, random weights"},
		{nameBigBiGAN, "BigBiGAN, random weights"},
		{nameVAEGAN, "pixels 32x32 grey"},
		{nameVAEGANDigits, "pixels 32x32 grey"},
		{nameBigBiGAN, "pixels 32x32 grey"},
		{nameVAEGAN, pca},
		{pca, "pixels 32x32 grey"},
		{pca, proj},
	} {
		for _, e := range []*rsa.Evaluation{r.HumanIT, r.MonkeyIT} {
			d, err := e.Difference(pair[0], pair[1])
			if err != nil {
				return err
			}
			ref := "human IT"
			if e == r.MonkeyIT {
				ref = "monkey IT"
			}
			r.Differences = append(r.Differences, difference{Reference: ref, A: pair[0], B: pair[1], Difference: d})
		}
	}

	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "->" stays readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	js := buf.Bytes()
	if err := atomicfile.WriteBytes(filepath.Join(o.out, "rsa.json"), js); err != nil {
		return err
	}
	if err := plotResult(filepath.Join(o.out, "rsa.png"), r); err != nil {
		return err
	}
	if o.json {
		_, err := w.Write(js)
		return err
	}
	printReport(w, r)
	fmt.Fprintf(w, "wrote %s and %s\n", filepath.Join(o.out, "rsa.png"), filepath.Join(o.out, "rsa.json"))
	return nil
}

func printReport(w io.Writer, r *report) {
	hm := r.HumanVsMonkey
	fmt.Fprintf(w, "\nHuman vs monkey IT (the paper's Figure 1 RDMs, %d stimuli):\n", r.Stimuli)
	fmt.Fprintf(w, "  Pearson r = %.3f [%.3f, %.3f], p = %s; Spearman rho = %.3f [%.3f, %.3f], p = %s\n",
		hm.Pearson.Value, hm.Pearson.CI[0], hm.Pearson.CI[1], pval(hm.Pearson.P),
		hm.Spearman.Value, hm.Spearman.CI[0], hm.Spearman.CI[1], pval(hm.Spearman.P))
	fmt.Fprintf(w, "  paper: %s\n", hm.Paper)
	fmt.Fprintf(w, "Session 1 vs 2 (%s):", r.Method)
	for _, s := range r.Subjects {
		fmt.Fprintf(w, " %s %.3f", s, r.SessionAgreement[s])
	}
	fmt.Fprintln(w)
	for _, e := range []*rsa.Evaluation{r.HumanIT, r.MonkeyIT} {
		name := "Human IT (mean over subjects " + strings.Join(e.References, ", ") + ")"
		if e == r.MonkeyIT {
			name = "Monkey IT"
		}
		fmt.Fprintf(w, "\n%s, %s of RDMs (%s distance); 95%% bootstrap CI over stimuli; p: %d stimulus-label permutations, one-sided\n", name, r.Method, r.Distance, e.Permutations)
		if c := e.Ceiling; c != nil {
			fmt.Fprintf(w, "  noise ceiling: lower %.3f [%.3f, %.3f], upper %.3f [%.3f, %.3f]\n",
				c.Lower.Value, c.Lower.CI[0], c.Lower.CI[1], c.Upper.Value, c.Upper.CI[0], c.Upper.CI[1])
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  model\tgroup\tvalue\t95% CI\tp")
		for _, s := range e.Models {
			fmt.Fprintf(tw, "  %s\t%s\t%.3f\t[%.3f, %.3f]\t%s\n", s.Name, groupOf(r, s.Name), s.Value, s.CI[0], s.CI[1], pval(s.P))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nPaired differences (same resamples; two-sided bootstrap p):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range r.Differences {
		fmt.Fprintf(tw, "  %s\t%s - %s\t%+.3f\t[%+.3f, %+.3f]\tp = %s\n", d.Reference, d.A, d.B, d.Value, d.CI[0], d.CI[1], pval(d.P))
	}
	tw.Flush()
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
}

// named is the first model whose name starts with prefix.
func named(models []*model, prefix string) string {
	for _, m := range models {
		if strings.HasPrefix(m.Name, prefix) {
			return m.Name
		}
	}
	return prefix
}

func groupOf(r *report, name string) string {
	for _, m := range r.Models {
		if m.Name == name {
			return m.Group
		}
	}
	return ""
}

func pval(p float64) string {
	if p < 0.001 {
		return fmt.Sprintf("%.1e", p)
	}
	return fmt.Sprintf("%.3f", p)
}
