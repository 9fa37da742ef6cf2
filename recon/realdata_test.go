package recon_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/assets"
	"github.com/neurolatent/neurolatent/dataset"
	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
	"github.com/neurolatent/neurolatent/vae"
)

// digit69 (van Gerven et al. 2010): 90 training and 10 test trials of
// 3,092 early visual voxels for handwritten 6s and 9s. Fewer trials than
// latent dimensions must decode, with every size that cannot hold reduced
// and noted, and the best decoder must identify the digits in pixels
// (a numpy RidgeCV into 20 pixel principal components reaches 0.944).
func TestDigit69(t *testing.T) {
	dir := realdata.Dir(t, "digit69")
	raw, err := assets.VAEGANMNIST() // trained on MNIST less the digit69 images
	if err != nil {
		t.Fatal(err)
	}
	v, err := vae.Read(bytes.NewReader(raw), int64(len(raw)), "mnist")
	if err != nil {
		t.Fatal(err)
	}
	m := recon.VAEGAN{V: v}
	d := digit69(t, dir, 32)
	label, err := recon.ReadLabels(filepath.Join(dir, "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetLabels(label); err != nil {
		t.Fatal(err)
	}
	r, err := recon.Decode(m, d, recon.Options{Voxels: 500, Stats: recon.DefaultStats()})
	if err != nil {
		t.Fatal(err)
	}
	if r.TrainStimuli != 90 || r.TestStimuli != 10 || r.Voxels != 3092 {
		t.Fatalf("read %d training and %d test stimuli of %d voxels", r.TrainStimuli, r.TestStimuli, r.Voxels)
	}
	notes := strings.Join(r.Notes, "\n")
	if !strings.Contains(notes, "keeps 89 components") {
		t.Errorf("the PCA reduction is not noted: %q", notes)
	}
	best := r.All[0]
	for _, s := range r.All {
		if s.Method != recon.MethodOracle && s.Value(recon.PairwisePixel) > best.Value(recon.PairwisePixel) {
			best = s
		}
	}
	e := best.Metrics[recon.PairwisePixel]
	t.Logf("best: %s pairwise pixel %.3f [%.3f, %.3f] p = %.4f", best.Name(), e.Value, e.CI[0], e.CI[1], e.P)
	if e.Value < 0.9 || e.CI[0] <= 0.5 || e.P >= 0.01 {
		t.Errorf("best pairwise pixel %.3f [%.3f, %.3f] p %.4f: want >= 0.90, interval above chance, p < 0.01", e.Value, e.CI[0], e.CI[1], e.P)
	}
	// The digit model decodes through its own space as well as the best
	// baseline, and beats the category oracle.
	if e := r.Metrics[recon.PairwisePixel]; e.Value < 0.9 || e.P >= 0.01 {
		t.Errorf("MNIST VAE-GAN pairwise pixel %.3f p %.4f: want >= 0.90, p < 0.01", e.Value, e.P)
	}
	oracle, ok := r.Row(recon.SpacePixels, recon.MethodOracle)
	if !ok {
		t.Fatal("no category oracle although labels were given")
	}
	if w := oracle.Value(recon.PairwisePixelWithin); w != 0.5 {
		t.Errorf("the category oracle's within-category pairwise is %v; it cannot tell two 6s apart (0.5)", w)
	}
	// Every score of every row carries its interval and p in the JSON.
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatal(err)
	}
	rows := out["all"].([]any)
	for _, row := range append([]any{out}, rows...) {
		fields := row.(map[string]any)
		for _, name := range []string{recon.PairwisePixel, recon.PixCorr, recon.SSIM, recon.Top1Pixel, recon.Top5Pixel} {
			if _, ok := fields[name+"_ci95"].([]any); !ok {
				t.Errorf("%v %v: no %s_ci95", fields["space"], fields["method"], name)
			}
			if _, ok := fields[name+"_p"].(float64); !ok {
				t.Errorf("%v %v: no %s_p", fields["space"], fields["method"], name)
			}
		}
	}
	if out["rescale"] != recon.RescaleInductive || len(out["comparisons"].([]any)) == 0 {
		t.Errorf("rescale %v, %d comparisons", out["rescale"], len(out["comparisons"].([]any)))
	}
}

// The same digit69 files decoded by scripts/golden/digit69_numpy.py with
// scikit-learn's RidgeCV and numpy scores: reading the betas and lists,
// ridge, PCA and the identification scores agree.
func TestDigit69AgainstNumpy(t *testing.T) {
	dir := realdata.Dir(t, "digit69")
	raw, err := os.ReadFile("../testdata/decode/digit69/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]any
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	d := digit69(t, dir, 28)
	pixTrain, pixTest := flat(d.TrainImages), flat(d.TestImages)
	cfg := ridge.Config{Alphas: recon.DefaultAlphas(), PerTarget: true}
	decodePixels := func(targets *mat.Dense, back func(*mat.Dense) *mat.Dense) *mat.Dense {
		m, err := ridge.Fit(d.TrainBetas, targets, cfg)
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.Predict(d.TestBetas)
		if err != nil {
			t.Fatal(err)
		}
		p = back(p)
		p.Apply(func(_, _ int, v float64) float64 { return min(max(v, 0), 1) }, p)
		return p
	}
	pca, err := decode.FitPCA(pixTrain, 20)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := pca.Transform(pixTrain)
	if err != nil {
		t.Fatal(err)
	}
	for name, pred := range map[string]*mat.Dense{
		"pixels": decodePixels(pixTrain, func(p *mat.Dense) *mat.Dense { return p }),
		"pca20": decodePixels(codes, func(p *mat.Dense) *mat.Dense {
			x, err := pca.Inverse(p)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}),
	} {
		want := golden[name].(map[string]any)
		for j, v := range want["first"].([]any) {
			if math.Abs(pred.At(0, j)-v.(float64)) > 1e-6 {
				t.Fatalf("%s: first prediction pixel %d = %v, scikit-learn %v", name, j, pred.At(0, j), v)
			}
		}
		sim, err := metrics.CorrelationSimilarity(pred, pixTest)
		if err != nil {
			t.Fatal(err)
		}
		every := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		got := map[string]float64{"pairwise_pixel": sim.Pairwise(every, nil), "top1_pixel": sim.TopK(1)(every, nil), "pixcorr": sim.Matched(every, nil)}
		for k, g := range got {
			// Pixels are float32 here (x/255), float64 in numpy: 1e-9 apart.
			if math.Abs(g-want[k].(float64)) > 1e-7 {
				t.Errorf("%s %s = %v, numpy %v", name, k, g, want[k])
			}
		}
		t.Logf("%s: %v (numpy: pairwise %v)", name, got, want["pairwise_pixel"])
	}
}

// digit69 reads the data set's betas and stimulus lists with its images
// at size x size, as the main job's -betas-* and -stimuli flags do.
func digit69(t *testing.T, dir string, size int) *recon.Data {
	t.Helper()
	images, err := dataset.LoadIDX(filepath.Join(dir, "images-idx3-ubyte"), "", size)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := (&dataset.Loader{Data: images}).All()
	if err != nil {
		t.Fatal(err)
	}
	d, err := recon.FromBetaFiles(recon.BetaFiles{
		TrainBetas: filepath.Join(dir, "train-betas.npy"), TrainStimuli: filepath.Join(dir, "train-stim.txt"),
		TestBetas: filepath.Join(dir, "test-betas.npy"), TestStimuli: filepath.Join(dir, "test-stim.txt")}, recon.Indexed{Images: x}, [3]int{1, size, size})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func flat(t *nt.Dense) *mat.Dense {
	s := t.Shape()
	data := make([]float64, s.TotalSize())
	for i, v := range nt.Data32(t) {
		data[i] = float64(v)
	}
	return mat.NewDense(s[0], s.TotalSize()/s[0], data)
}
