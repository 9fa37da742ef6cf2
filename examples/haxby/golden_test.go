package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/classify"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/realdata"
	"gonum.org/v1/gonum/mat"
)

// numpyGolden is testdata/decode/haxby/haxby_numpy.json, written by
// scripts/golden/haxby_numpy.py.
type numpyGolden struct {
	HighPass     float64 `json:"high_pass_s"`
	Resamples    int     `json:"resamples"`
	Permutations int     `json:"permutations"`
	Analyses     []struct {
		Route           string             `json:"route"`
		Patterns        string             `json:"patterns"`
		Samples         int                `json:"samples"`
		Voxels          int                `json:"voxels"`
		Classes         []string           `json:"classes"`
		LabelsSHA256    string             `json:"labels_sha256"`
		Predicted       string             `json:"predicted"`
		BestCorrelation []float64          `json:"best_correlation"`
		Correct         int                `json:"correct"`
		Accuracy        float64            `json:"accuracy"`
		ClassAccuracy   map[string]float64 `json:"class_accuracy"`
		CI              [2]float64         `json:"numpy_ci95"`
		P               float64            `json:"numpy_p"`
		BootCorrect     []int              `json:"numpy_boot_correct"`
	} `json:"analyses"`
}

const goldenPath = "../../testdata/decode/haxby/haxby_numpy.json"

func loadGolden(t *testing.T) *numpyGolden {
	t.Helper()
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var g numpyGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Analyses) != 6 {
		t.Fatalf("%d analyses in %s", len(g.Analyses), goldenPath)
	}
	return &g
}

// indices writes labels as indices into classes, as the golden file does.
func indices(labels, classes []string) string {
	var sb strings.Builder
	for _, l := range labels {
		for i, c := range classes {
			if c == l {
				fmt.Fprint(&sb, i)
			}
		}
	}
	return sb.String()
}

// TestNumpyPercentile: on numpy's own bootstrap distribution, the
// percentile interval of decode/stats (used by classify) gives numpy's
// numbers. Needs no data.
func TestNumpyPercentile(t *testing.T) {
	g := loadGolden(t)
	a := g.Analyses[0]
	if len(a.BootCorrect) != g.Resamples {
		t.Fatalf("%d bootstrap values", len(a.BootCorrect))
	}
	vals := make([]float64, len(a.BootCorrect))
	for i, c := range a.BootCorrect {
		vals[i] = float64(c) / float64(a.Samples)
	}
	if got := stats.PercentileInterval(vals, 0.95); math.Abs(got[0]-a.CI[0]) > 1e-15 || math.Abs(got[1]-a.CI[1]) > 1e-15 {
		t.Errorf("interval %v, numpy %v", got, a.CI)
	}
}

// TestNumpyPredictions: the same patterns give numpy's predictions, and
// each sample's best correlation agrees: to rounding for volumes and
// block means, which need no model, and to the difference between the
// two HRF convolutions (Go's TR/16 grid, numpy's quadrature) for betas.
func TestNumpyPredictions(t *testing.T) {
	dir := realdata.Dir(t, "haxby2001-sub1")
	g := loadGolden(t)
	cfg := defaultConfig(dir)
	cfg.hp = g.HighPass
	routes := map[string]*route{}
	for _, a := range g.Analyses {
		r, ok := routes[a.Route]
		if !ok {
			var err error
			if r, err = loadRoute(cfg, a.Route); err != nil {
				t.Fatal(err)
			}
			routes[a.Route] = r
		}
		p, err := makePatterns(r, a.Patterns, cfg.hp)
		if err != nil {
			t.Fatal(err)
		}
		name := a.Route + " " + a.Patterns
		res, err := classify.LeaveOneRunOut(p.x, p.labels, p.runs, classify.CorrelationFitter)
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256([]byte(indices(res.Labels, a.Classes))); hex.EncodeToString(got[:]) != a.LabelsSHA256 {
			t.Fatalf("%s: the samples' labels (or their order) differ from numpy's", name)
		}
		if res.Correct != a.Correct || res.Accuracy != a.Accuracy {
			t.Errorf("%s: accuracy %v (%d right), numpy %v (%d)", name, res.Accuracy, res.Correct, a.Accuracy, a.Correct)
		}
		if got := indices(res.Predicted, a.Classes); got != a.Predicted {
			diff := 0
			for i := range got {
				if got[i] != a.Predicted[i] {
					diff++
				}
			}
			t.Errorf("%s: %d of %d predictions differ from numpy's", name, diff, len(got))
		}
		best := bestCorrelations(t, p)
		var worst float64
		for i, b := range best {
			worst = math.Max(worst, math.Abs(b-a.BestCorrelation[i]))
		}
		tol := 1e-11
		if a.Patterns == kindBetas {
			tol = 2e-4
		}
		t.Logf("%s: accuracy %.4f, best correlations within %.2g of numpy's", name, res.Accuracy, worst)
		if worst > tol {
			t.Errorf("%s: best correlations differ from numpy's by up to %g", name, worst)
		}
	}
}

// bestCorrelations is each sample's highest correlation with a class mean
// of the other runs.
func bestCorrelations(t *testing.T, p *patterns) []float64 {
	n, v := p.x.Dims()
	best := make([]float64, n)
	for _, run := range uniq(p.runs) {
		var train, test []int
		for i, r := range p.runs {
			if r == run {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		xt := mat.NewDense(len(train), v, nil)
		var yt []string
		for i, j := range train {
			xt.SetRow(i, p.x.RawRowView(j))
			yt = append(yt, p.labels[j])
		}
		c, err := classify.FitCorrelation(xt, yt)
		if err != nil {
			t.Fatal(err)
		}
		xs := mat.NewDense(len(test), v, nil)
		for i, j := range test {
			xs.SetRow(i, p.x.RawRowView(j))
		}
		s, err := c.Scores(xs)
		if err != nil {
			t.Fatal(err)
		}
		for i, j := range test {
			best[j] = math.Inf(-1)
			for _, r := range s.RawRowView(i) {
				best[j] = math.Max(best[j], r)
			}
		}
	}
	return best
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
