package recon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/metrics"
	"github.com/neurolatent/neurolatent/decode/stats"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Metric names, as in metrics.json. Pixel-space scores come first: they
// compare every decoder, whatever its space, on the same footing.
const (
	// PairwisePixel is two-way identification of the reconstructed images
	// among the test stimuli, by pixel correlation (chance 0.5).
	PairwisePixel = "pairwise_pixel"
	// PairwisePixelWithin is the same among stimuli of the same category
	// only (with labels).
	PairwisePixelWithin = "pairwise_pixel_within"
	// Top1Pixel and Top5Pixel are n-way identification among all test
	// stimuli (chance 1/n and 5/n).
	Top1Pixel = "top1_pixel"
	Top5Pixel = "top5_pixel"
	// PixCorr is the mean pixel correlation of each reconstruction with
	// its stimulus (grey).
	PixCorr = "pixcorr"
	// SSIM is the mean structural similarity (grey, Gaussian sigma 1.5).
	SSIM = "ssim"
	// PairwiseLatent is two-way identification of the decoded codes among
	// the test stimuli's codes, by correlation over dimensions
	// standardised with the training codes' mean and SD, so that spaces
	// whose variance sits in a few dimensions (PCA) compare with others.
	PairwiseLatent       = "pairwise_latent"
	PairwiseLatentWithin = "pairwise_latent_within"
	Top1Latent           = "top1_latent"
	Top5Latent           = "top5_latent"
)

// Scores are the measurements of one decoder (a space and a method), each
// with its 95% bootstrap interval over test stimuli and its permutation
// p-value (see package decode/stats).
type Scores struct {
	Space  string // the model's name, SpacePCA or SpacePixels
	Method Method // MethodRidge, MethodInv or MethodOracle
	Voxels int    // voxels used (0: none, as for the oracle)
	// Metrics holds every score by name (PairwisePixel, ...).
	Metrics map[string]stats.Estimate

	names   []string
	stat    map[string]stats.Statistic
	perItem map[string][]float64
}

// Name is "space method", as reports show it.
func (s Scores) Name() string { return s.Space + " " + string(s.Method) }

// Value is a metric's value (NaN when the row does not have it).
func (s Scores) Value(name string) float64 {
	if e, ok := s.Metrics[name]; ok {
		return e.Value
	}
	return math.NaN()
}

// Names lists the row's metrics in report order.
func (s Scores) Names() []string { return slices.Clone(s.names) }

// MarshalJSON writes the row flat: "space", "method", "voxels", then for
// each metric "<name>", "<name>_ci95" ([lo, hi]) and "<name>_p".
func (s Scores) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	s.writeFields(&b, true)
	b.WriteString("}")
	return b.Bytes(), nil
}

func (s Scores) writeFields(b *bytes.Buffer, head bool) {
	sep := ""
	field := func(k string, v any) {
		js, err := json.Marshal(v)
		if err != nil { // NaN or Inf: JSON has no such number
			js = []byte("null")
		}
		fmt.Fprintf(b, "%s%q:%s", sep, k, js)
		sep = ","
	}
	if head {
		field("space", s.Space)
		field("method", s.Method)
		field("voxels", s.Voxels)
	}
	for _, n := range s.names {
		e := s.Metrics[n]
		field(n, finite(e.Value))
		field(n+"_ci95", [2]any{finite(e.CI[0]), finite(e.CI[1])})
		field(n+"_p", finite(e.P))
	}
}

// finite maps NaN and infinities to nil (JSON null).
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// Comparison is the paired difference A - B of two decoders on one
// metric over the same test stimuli, with its bootstrap interval and
// sign-flip p-value.
type Comparison struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Metric string `json:"metric"`
	stats.Difference
}

// StatsSettings records how intervals and p-values were computed.
type StatsSettings struct {
	Resamples    int     `json:"bootstrap_resamples"`
	Permutations int     `json:"permutations"`
	Flips        int     `json:"sign_flips"`
	Level        float64 `json:"level"`
	Seed         uint64  `json:"seed"`
}

func statsSettings(o stats.Options) StatsSettings {
	o, err := o.WithDefaults()
	if err != nil {
		return StatsSettings{}
	}
	return StatsSettings{o.Resamples, o.Permutations, o.Flips, o.Level, o.Seed}
}

// Result is the outcome of Decode.
type Result struct {
	Model        string
	Method       Method // the headline method
	Rescale      string // how latent codes were rescaled (RescaleInductive, ...)
	SNR          float64
	TrainStimuli int
	TestStimuli  int
	Voxels       int
	LatentDim    int
	Scores              // the model's space with Method
	Baseline     Scores // the PCA space with Method
	// All is every decoder: the model's space and PCA with each method,
	// pixel ridge, and the category oracles where labels are known.
	All []Scores
	// Comparisons are the model's decoders against each baseline.
	Comparisons []Comparison
	// Ceiling is the model's own reconstruction of the test stimuli from
	// their true codes: the best decoding through it could do in pixels.
	Ceiling Scores
	// Reliability describes the test responses' repeatability (nil
	// without repeated test stimuli).
	Reliability *Reliability
	// Notes say what was reduced, skipped or suspicious.
	Notes   []string
	Stats   StatsSettings
	Seconds float64
	Source  string

	// Images for the report (not in the JSON): the stimuli, the model's,
	// the PCA baseline's (with Method) and pixel ridge's reconstructions.
	Stimuli, Reconstructions, BaselineReconstructions, PixelReconstructions *nt.Dense
	// fits are the latent decoders' voxels and codes, for WriteDerivative.
	fits []fit
}

// Row returns the decoder of that space and method.
func (r *Result) Row(space string, method Method) (Scores, bool) {
	for _, s := range r.All {
		if s.Space == space && s.Method == method {
			return s, true
		}
	}
	return Scores{}, false
}

// MarshalJSON writes the result with the headline decoder's metrics at the
// top level (each with "_ci95" and "_p") and every decoder in "all".
func (r *Result) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	head := map[string]any{"model": r.Model, "method": r.Method, "rescale": r.Rescale, "snr": r.SNR,
		"train_stimuli": r.TrainStimuli, "test_stimuli": r.TestStimuli, "voxels": r.Voxels,
		"latent_dim": r.LatentDim, "seconds": r.Seconds, "source": r.Source, "stats": r.Stats,
		"notes": r.Notes, "comparisons": r.Comparisons, "reliability": r.Reliability}
	if r.Notes == nil {
		head["notes"] = []string{}
	}
	comps := make([]map[string]any, len(r.Comparisons))
	for i, c := range r.Comparisons { // JSON has no NaN
		comps[i] = map[string]any{"a": c.A, "b": c.B, "metric": c.Metric, "diff": finite(c.Value),
			"ci95": [2]any{finite(c.CI[0]), finite(c.CI[1])}, "p": finite(c.P)}
	}
	head["comparisons"] = comps
	b.WriteString("{")
	keys := make([]string, 0, len(head))
	for k := range head {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		js, err := json.Marshal(head[k])
		if err != nil {
			return nil, fmt.Errorf("recon: %s: %w", k, err)
		}
		fmt.Fprintf(&b, "%q:%s,", k, js)
	}
	r.Scores.writeFields(&b, false)
	for _, part := range []struct {
		key string
		v   any
	}{{"baseline", r.Baseline}, {"ceiling", r.Ceiling}, {"all", r.All}} {
		js, err := json.Marshal(part.v)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, ",%q:%s", part.key, js)
	}
	b.WriteString("}")
	return b.Bytes(), nil
}

func (r *Result) add(row Scores, img *nt.Dense, headline Method) {
	r.All = append(r.All, row)
	switch {
	case row.Space == SpacePixels && row.Method == MethodRidge:
		r.PixelReconstructions = img
	case row.Method != headline:
	case row.Space == SpacePCA:
		r.Baseline, r.BaselineReconstructions = row, img
	case row.Space == r.Model:
		r.Scores, r.Reconstructions = row, img
	}
}

// scorer computes every metric of a decoder against the test stimuli.
type scorer struct {
	opt      stats.Options
	n        int
	pixTest  *mat.Dense  // all channels
	greyTest [][]float64 // channel means
	size     metrics.ImageSize
	channels int
	groups   []int // test stimuli's categories as integers, nil without labels
}

func newScorer(d *Data, opt stats.Options) *scorer {
	s := d.TestImages.Shape()
	sc := &scorer{opt: opt, n: s[0], pixTest: toMat(d.TestImages), size: metrics.ImageSize{H: s[2], W: s[3]}, channels: s[1]}
	sc.greyTest = grey(d.TestImages, s[0], s[1], s[2]*s[3])
	if d.TestLabels != nil {
		id := map[string]int{}
		for _, l := range d.TestLabels {
			if _, ok := id[l]; !ok {
				id[l] = len(id)
			}
			sc.groups = append(sc.groups, id[l])
		}
	}
	return sc
}

// add evaluates one metric of a row.
func (sc *scorer) add(row *Scores, name string, stat stats.Statistic, perItem []float64) error {
	e, err := stats.Evaluate(stat, sc.n, sc.opt)
	if err != nil {
		return err
	}
	if row.Metrics == nil {
		row.Metrics, row.stat, row.perItem = map[string]stats.Estimate{}, map[string]stats.Statistic{}, map[string][]float64{}
	}
	row.names = append(row.names, name)
	row.Metrics[name], row.stat[name], row.perItem[name] = e, stat, perItem
	return nil
}

// identification adds pairwise (overall and within category) and top-1
// and top-5 identification read from a similarity.
func (sc *scorer) identification(row *Scores, sim *metrics.Similarity, pairwise, within, top1, top5 string) error {
	if err := sc.add(row, pairwise, sim.Pairwise, sim.PairwisePerItem(nil)); err != nil {
		return err
	}
	if sc.groups != nil {
		if err := sc.add(row, within, sim.PairwiseWithin(sc.groups), sim.PairwisePerItem(sc.groups)); err != nil {
			return err
		}
	}
	if err := sc.add(row, top1, sim.TopK(1), sim.TopKPerItem(1)); err != nil {
		return err
	}
	if sc.n > 5 {
		return sc.add(row, top5, sim.TopK(5), sim.TopKPerItem(5))
	}
	return nil
}

// images scores reconstructed images.
func (sc *scorer) images(space string, method Method, img *nt.Dense) (Scores, error) {
	row := Scores{Space: space, Method: method}
	pix, err := metrics.CorrelationSimilarity(toMat(img), sc.pixTest)
	if err != nil {
		return row, err
	}
	if err := sc.identification(&row, pix, PairwisePixel, PairwisePixelWithin, Top1Pixel, Top5Pixel); err != nil {
		return row, err
	}
	g := grey(img, sc.n, sc.channels, sc.size.H*sc.size.W)
	corr := pix
	if sc.channels != 1 {
		if corr, err = metrics.CorrelationSimilarity(rowsMat(g), rowsMat(sc.greyTest)); err != nil {
			return row, err
		}
	}
	if err := sc.add(&row, PixCorr, corr.Matched, corr.MatchedPerItem()); err != nil {
		return row, err
	}
	if min(sc.size.H, sc.size.W) < 11 {
		return row, nil // SSIM's window needs 11x11
	}
	ssim, err := metrics.SSIMMatrix(g, sc.greyTest, sc.size, 1)
	if err != nil {
		return row, err
	}
	return row, sc.add(&row, SSIM, ssim.Matched, ssim.MatchedPerItem())
}

// latentRow generates images from decoded codes and scores both.
func (sc *scorer) latentRow(sp latentSpace, method Method, z *mat.Dense, voxels int) (Scores, *nt.Dense, error) {
	img, err := sp.generate(z)
	if err != nil {
		return Scores{}, nil, err
	}
	row, err := sc.images(sp.name, method, img)
	if err != nil {
		return row, nil, err
	}
	row.Voxels = voxels
	// Standardised coordinates: every dimension with the training codes'
	// mean and SD; constant dimensions carry nothing and are dropped.
	mean, sd := columnStats(sp.train)
	var keep []int
	for j, s := range sd {
		if s > 0 {
			keep = append(keep, j)
		}
	}
	if len(keep) < 2 {
		return row, img, nil
	}
	std := func(m *mat.Dense) *mat.Dense {
		n, _ := m.Dims()
		out := mat.NewDense(n, len(keep), nil)
		for i := range n {
			src, dst := m.RawRowView(i), out.RawRowView(i)
			for c, j := range keep {
				dst[c] = (src[j] - mean[j]) / sd[j]
			}
		}
		return out
	}
	lat, err := metrics.CorrelationSimilarity(std(z), std(sp.test))
	if err != nil {
		return row, nil, err
	}
	return row, img, sc.identification(&row, lat, PairwiseLatent, PairwiseLatentWithin, Top1Latent, Top5Latent)
}

// addOracles adds the category oracles: each test stimulus replaced by
// the mean training code of its category (then generated) and by the
// mean training image of its category.
func (r *Result) addOracles(m Model, d *Data, sc *scorer, model latentSpace, note func(string, ...any)) error {
	pixTrain := toMat(d.TrainImages)
	means := func(train *mat.Dense) *mat.Dense {
		_, c := train.Dims()
		sum := map[string][]float64{}
		count := map[string]float64{}
		grand := make([]float64, c)
		for i, l := range d.TrainLabels {
			if sum[l] == nil {
				sum[l] = make([]float64, c)
			}
			for j, v := range train.RawRowView(i) {
				sum[l][j] += v
				grand[j] += v / float64(len(d.TrainLabels))
			}
			count[l]++
		}
		out := mat.NewDense(len(d.TestLabels), c, nil)
		for i, l := range d.TestLabels {
			row := out.RawRowView(i)
			if count[l] == 0 {
				copy(row, grand)
				continue
			}
			for j, v := range sum[l] {
				row[j] = v / count[l]
			}
		}
		return out
	}
	train := map[string]bool{}
	for _, l := range d.TrainLabels {
		train[l] = true
	}
	for _, l := range d.TestLabels {
		if !train[l] {
			note("test category %q has no training stimuli: the oracle gives it the mean of all training stimuli", l)
			break
		}
	}
	row, img, err := sc.latentRow(model, MethodOracle, means(model.train), 0)
	if err != nil {
		return err
	}
	r.add(row, img, r.Method)
	img = imagesOf(m, means(pixTrain))
	if row, err = sc.images(SpacePixels, MethodOracle, img); err != nil {
		return err
	}
	r.add(row, img, r.Method)
	return nil
}

// compare adds the paired differences between each of the model's
// decoders and each baseline (PCA with the same method, pixel ridge, the
// category oracles) on every metric both have.
func (r *Result) compare(sc *scorer) error {
	for _, a := range r.All {
		if a.Space != r.Model || a.Method == MethodOracle {
			continue
		}
		for _, b := range r.All {
			baseline := b.Space == SpacePCA && b.Method == a.Method || b.Space == SpacePixels || b.Method == MethodOracle
			if !baseline {
				continue
			}
			for _, name := range a.names {
				if _, ok := b.Metrics[name]; !ok {
					continue
				}
				d, err := stats.Compare(a.stat[name], b.stat[name], a.perItem[name], b.perItem[name], sc.n, sc.opt)
				if err != nil {
					return err
				}
				r.Comparisons = append(r.Comparisons, Comparison{A: a.Name(), B: b.Name(), Metric: name, Difference: d})
			}
		}
	}
	return nil
}

// grey returns each image's channel mean as a row of pixels.
func grey(t *nt.Dense, n, c, hw int) [][]float64 {
	src := nt.Data32(t)
	out := make([][]float64, n)
	for i := range out {
		p := make([]float64, hw)
		for ch := range c {
			for k, v := range src[(i*c+ch)*hw : (i*c+ch+1)*hw] {
				p[k] += float64(v) / float64(c)
			}
		}
		out[i] = p
	}
	return out
}

func rowsMat(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		copy(m.RawRowView(i), r)
	}
	return m
}
