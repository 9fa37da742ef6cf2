package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/cuda"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/gan"
	"github.com/neurolatent/neurolatent/nn/checkpoint"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// A seconds-long run of the main job on a small simulated participant
// writes the three files and the JSON the README promises.
func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-out", dir, "-json", "-train", "150", "-test", "6", "-repeats", "3", "-voxels", "200", "-show", "6"}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	for _, k := range []string{"pairwise_latent", "pairwise_pixel", "pixcorr", "ssim", "top1_pixel", "top5_pixel",
		"pairwise_pixel_ci95", "pairwise_pixel_p", "ssim_ci95", "pairwise_pixel_within_p",
		"baseline", "ceiling", "all", "comparisons", "notes", "stats", "seconds", "snr", "rescale"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if m["rescale"] != "inductive" {
		t.Errorf("rescale %v by default, want inductive", m["rescale"])
	}
	// The rows: the model and PCA with ridge, pixel ridge and the two
	// category oracles (the shipped Fashion-MNIST stimuli have labels); no
	// inversion, whose encoding model would have 120 trials per fit for
	// 129 weights, as a note says.
	var rows []string
	for _, r := range m["all"].([]any) {
		rows = append(rows, r.(map[string]any)["space"].(string)+" "+r.(map[string]any)["method"].(string))
	}
	want := "vaegan ridge,pca ridge,pixels ridge,vaegan category-oracle,pixels category-oracle"
	if strings.Join(rows, ",") != want {
		t.Errorf("decoders %v, want %s", rows, want)
	}
	if notes := fmt.Sprint(m["notes"]); !strings.Contains(notes, "no vaegan inversion") {
		t.Errorf("notes %s do not say why the inversion was skipped", notes)
	}
	// The terminal table shows intervals and p-values, and says when the
	// rescaling was transductive.
	stdout.Reset()
	args = []string{"-out", dir, "-quiet", "-rescale", "transductive", "-bootstrap", "200", "-permutations", "200",
		"-train", "150", "-test", "6", "-repeats", "3", "-voxels", "200", "-show", "6"}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"95% bootstrap intervals", "permutation p-values", "transductive", "category-oracle", "pixels ridge", "sign-flip p"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, f := range []string{"reconstructions.png", "metrics.json", "identification.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The shipped BigBiGAN decodes the default participant too: a short run
// is far above chance in latent space and, since its encoder inverts its
// generator (issue 22), in pixels too. (The full run is in
// docs/bigbigan/main-job.)
func TestSmokeBigBiGAN(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"-model", "bigbigan", "-out", t.TempDir(), "-json", "-quiet", "-train", "150", "-test", "6", "-repeats", "3", "-voxels", "200", "-show", "6"}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var m struct {
		Model  string  `json:"model"`
		Latent float64 `json:"pairwise_latent"`
		Pixel  float64 `json:"pairwise_pixel"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	t.Logf("BigBiGAN smoke run: %+v", m)
	if m.Model != "bigbigan" || m.Latent < 0.6 || m.Pixel < 0.6 {
		t.Errorf("BigBiGAN smoke run: %+v, want latent and pixel pairwise identification above 0.6", m)
	}
}

// Bad flags and inconsistent inputs fail fast with a clear message.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	// Betas and stimulus lists of different lengths.
	betas := filepath.Join(dir, "b.npy")
	if err := nt.SaveNPY(betas, nt.New32(make([]float32, 20*5), 20, 5)); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "stim.txt")
	os.WriteFile(list, []byte(strings.Repeat("0\n", 19)), 0o644)
	idx := "../../assets/fashion-mnist/t10k-images-idx3-ubyte.gz"
	// A weights file of another model.
	g, _ := gan.New(gan.DefaultConfig(), 1)
	ganWeights := filepath.Join(dir, "gan.safetensors")
	if err := checkpoint.SaveWeights(ganWeights, g.Module(), g.Config()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-method", "lasso"}, "-method"},
		{[]string{"-snr", "-1"}, "-snr"},
		{[]string{"-model", "gan"}, "needs -weights"},
		{[]string{"-model", "bigbigan", "-weights", "BigBiGAN_x1.pth"}, "generator-only"},
		{[]string{"-model", "bigbigan", "-weights", ganWeights}, "bigbigan"},
		{[]string{"-train", "3"}, "-train"},
		{[]string{"-betas-train", betas}, "both -betas-train and -betas-test"},
		{[]string{"-betas-train", betas, "-betas-test", betas, "-stim-train", list, "-stim-test", list, "-stimuli", idx}, "20 rows but"},
		{[]string{"-weights", ganWeights}, "VAE-GAN"},
		{[]string{"-betas-train", betas, "-betas-test", betas}, "-stimuli"},
		{[]string{"-bold-train", "a.nii,b.nii", "-events-train", "a.tsv,b.tsv", "-bold-test", "c.nii", "-events-test", "c.tsv",
			"-confounds-train", "a.tsv", "-confounds-test", "c.tsv", "-stimuli", dir}, "give one per run"},
		{[]string{"-bold-train", "a.nii", "-events-train", "a.tsv", "-bold-test", "c.nii", "-events-test", "c.tsv",
			"-confounds-train", "a.tsv", "-stimuli", dir}, "both the training and the test runs"},
		{[]string{"-images", filepath.Join(dir, "none.npy")}, "none.npy"},
		{[]string{"-images", "olivetti", "-train", "1200"}, "-images olivetti"},
	}
	for _, c := range cases {
		var out, errw bytes.Buffer
		err := run(append([]string{"-out", dir, "-quiet"}, c.args...), &out, &errw)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// The real-data paths: NIfTI runs + events with stimuli in a folder (a
// simulated participant's files, read as any BIDS dataset would be), and
// betas in .npy with stimulus lists pointing into an IDX file.
func TestRealDataPaths(t *testing.T) {
	images, _, err := simulationImages("", [3]int{1, 32, 32})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sim.DefaultConfig()
	cfg.TrainImages, cfg.TestImages, cfg.TestRepeats, cfg.SNR = 150, 6, 3, 2
	set, _ := sim.FromTensor(images)
	p, err := sim.New(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := p.Write(filepath.Join(t.TempDir(), "bids"))
	if err != nil {
		t.Fatal(err)
	}
	var bt, et, bs, es []string
	for _, r := range ds.Runs {
		if r.Task == "test" {
			bs, es = append(bs, r.Bold), append(es, r.Events)
		} else {
			bt, et = append(bt, r.Bold), append(et, r.Events)
		}
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-out", out, "-json", "-voxels", "200", "-mask", ds.VisualMask, "-stimuli", ds.Dir,
		"-bold-train", strings.Join(bt, ","), "-events-train", strings.Join(et, ","),
		"-bold-test", strings.Join(bs, ","), "-events-test", strings.Join(es, ",")}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("runs: %v\n%s", err, stderr.String())
	}
	var m struct {
		Train  int     `json:"train_stimuli"`
		Latent float64 `json:"pairwise_latent"`
	}
	json.Unmarshal(stdout.Bytes(), &m)
	if m.Train != 150 || m.Latent < 0.6 {
		t.Errorf("runs: %+v", m)
	}

	// Betas in .npy: the noise-free responses, stimuli named by index.
	dir := t.TempDir()
	trainRows, testRows := p.TrainImages(), p.TestImages()
	write := func(name string, rows []int) (string, string) {
		var vals []float32
		var lines []string
		for _, i := range rows {
			s, _ := p.Signal(i)
			for _, v := range s {
				vals = append(vals, float32(v))
			}
			lines = append(lines, sim.StimFile(i))
		}
		npy := filepath.Join(dir, name+".npy")
		if err := nt.SaveNPY(npy, nt.New32(vals, len(rows), len(vals)/len(rows))); err != nil {
			t.Fatal(err)
		}
		txt := filepath.Join(dir, name+".txt")
		os.WriteFile(txt, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		return npy, txt
	}
	trn, trt := write("train", trainRows)
	ten, tet := write("test", testRows)
	stdout.Reset()
	args = []string{"-out", out, "-json", "-voxels", "200", "-betas-train", trn, "-stim-train", trt,
		"-betas-test", ten, "-stim-test", tet, "-stimuli", "../../assets/fashion-mnist/t10k-images-idx3-ubyte.gz"}
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("betas: %v", err)
	}
	json.Unmarshal(stdout.Bytes(), &m)
	if m.Latent < 0.8 {
		t.Errorf("noise-free betas: latent identification %.3f", m.Latent)
	}
}

// TestGPUFlagWithoutCUDA: in a build without CUDA, -gpu fails at once with
// cuda.ErrNoCUDA (before any data is simulated).
func TestGPUFlagWithoutCUDA(t *testing.T) {
	if cuda.Available {
		t.Skip("built with CUDA")
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"-out", t.TempDir(), "-gpu", "-quiet"}, &stdout, &stderr)
	if !errors.Is(err, cuda.ErrNoCUDA) || !strings.Contains(err.Error(), "-gpu") {
		t.Fatalf("err = %v, want -gpu: %v", err, cuda.ErrNoCUDA)
	}
}

// -weights names a shipped VAE-GAN or a file; an unknown name is a file
// that does not exist.
func TestShippedWeights(t *testing.T) {
	for _, name := range []string{"", "fashion", "mnist"} {
		m, err := loadModel(options{model: "vaegan", weights: name})
		if err != nil {
			t.Fatalf("-weights %q: %v", name, err)
		}
		if c, h, w := m.ImageShape(); c != 1 || h != 32 || w != 32 || m.LatentDim() != 128 {
			t.Errorf("-weights %q: a %dx%dx%d model with %d latent dimensions", name, c, h, w, m.LatentDim())
		}
	}
	if _, err := loadModel(options{model: "vaegan", weights: "cifar"}); err == nil {
		t.Error("-weights cifar (neither shipped nor a file) accepted")
	}
}
