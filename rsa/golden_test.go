package rsa

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/testutil"
)

// golden is testdata/rsa/golden.json, written by scripts/golden/rsa.py
// with numpy and scipy following rsatoolbox's definitions. Undefined
// values (NaN) are null there.
type golden struct {
	RDM struct {
		Codes       [][]float64 `json:"codes"`
		Correlation []float64   `json:"correlation"`
		Euclidean   []float64   `json:"euclidean"`
		Cosine      []float64   `json:"cosine"`
	} `json:"rdm"`
	Compare struct {
		Vectors map[string][]float64 `json:"vectors"`
		Pairs   []map[string]any     `json:"pairs"`
	} `json:"compare"`
	Group struct {
		N        int                  `json:"n"`
		Subjects [][]float64          `json:"subjects"`
		Models   map[string][]float64 `json:"models"`
		Samples  [][]int              `json:"samples"`
		Perms    [][]int              `json:"perms"`
		Methods  map[string]struct {
			Ceiling struct {
				Lower, Upper float64
				CILower      [2]float64 `json:"ci_lower"`
				CIUpper      [2]float64 `json:"ci_upper"`
			} `json:"ceiling"`
			Models map[string]struct {
				Value      float64    `json:"value"`
				PerSubject []float64  `json:"per_subject"`
				Boot       []*float64 `json:"boot"`
				CI         [2]float64 `json:"ci"`
				Null       []float64  `json:"null"`
				P          float64    `json:"p"`
			} `json:"models"`
			Difference struct {
				A, B string
				CI   [2]float64 `json:"ci"`
				P    float64    `json:"p"`
			} `json:"difference"`
		} `json:"methods"`
	} `json:"group"`
	Real *struct {
		HumanVsMonkey    map[string]float64            `json:"human_vs_monkey"`
		GroupIsMean      float64                       `json:"group_is_mean_of_sessions"`
		SessionAgreement []float64                     `json:"session_agreement_spearman"`
		Ceiling          map[string]map[string]float64 `json:"ceiling"`
		MonkeyVsSubjects map[string]float64            `json:"monkey_vs_subjects"`
	} `json:"real"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	var g golden
	testutil.ReadJSON(t, "../testdata/rsa/golden.json", &g)
	return g
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

var methods = map[string]Method{"spearman": Spearman, "tau-a": KendallTauA, "pearson": Pearson}

// RDMs from codes match scipy's pdist for every distance.
func TestGoldenRDM(t *testing.T) {
	g := loadGolden(t)
	codes := mat.NewDense(len(g.RDM.Codes), len(g.RDM.Codes[0]), nil)
	for i, row := range g.RDM.Codes {
		codes.SetRow(i, row)
	}
	for d, want := range map[Distance][]float64{Correlation: g.RDM.Correlation, Euclidean: g.RDM.Euclidean, Cosine: g.RDM.Cosine} {
		r, err := Compute(d.String(), codes, d)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range r.Vector() {
			if !near(v, want[k], 1e-12) {
				t.Fatalf("%v entry %d: %v, scipy %v", d, k, v, want[k])
			}
		}
	}
}

// Spearman, tau-a and Pearson match scipy and a brute-force tau-a, ties
// included.
func TestGoldenCompare(t *testing.T) {
	g := loadGolden(t)
	rdms := map[string]*RDM{}
	for name, v := range g.Compare.Vectors {
		r, err := FromVector(name, v)
		if err != nil {
			t.Fatal(err)
		}
		rdms[name] = r
	}
	for _, p := range g.Compare.Pairs {
		x, y := rdms[p["x"].(string)], rdms[p["y"].(string)]
		for name, m := range methods {
			got, err := Compare(x, y, m)
			if err != nil {
				t.Fatal(err)
			}
			if want := p[name].(float64); !near(got, want, 1e-12) {
				t.Errorf("%s(%s, %s) = %v, want %v", name, x.Name, y.Name, got, want)
			}
		}
	}
}

// The noise ceiling, every bootstrap resample's scores and ceiling
// bounds, their intervals, the permutation null distributions and
// p-values and the paired model difference all match the numpy script.
func TestGoldenEvaluate(t *testing.T) {
	g := loadGolden(t)
	var subjects, models []*RDM
	for _, v := range g.Group.Subjects {
		r, err := FromVector("subject", v)
		if err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, r)
	}
	for _, name := range []string{"near", "far", "category"} {
		r, err := FromVector(name, g.Group.Models[name])
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, r)
	}
	for name, want := range g.Group.Methods {
		m := methods[name]
		c, err := NoiseCeiling(subjects, m)
		if err != nil {
			t.Fatal(err)
		}
		if !near(c.Lower, want.Ceiling.Lower, 1e-12) || !near(c.Upper, want.Ceiling.Upper, 1e-12) {
			t.Errorf("%s ceiling %+v, want %v %v", name, c, want.Ceiling.Lower, want.Ceiling.Upper)
		}
		opt, err := stats.Options{Permutations: 10}.WithDefaults()
		if err != nil {
			t.Fatal(err)
		}
		e, err := evaluate(models, subjects, m, opt, g.Group.Samples)
		if err != nil {
			t.Fatal(err)
		}
		if !near(e.Ceiling.Lower.Value, want.Ceiling.Lower, 1e-12) || !near(e.Ceiling.Upper.Value, want.Ceiling.Upper, 1e-12) {
			t.Errorf("%s: evaluation ceiling %+v", name, *e.Ceiling)
		}
		for k := range 2 {
			if !near(e.Ceiling.Lower.CI[k], want.Ceiling.CILower[k], 1e-10) || !near(e.Ceiling.Upper.CI[k], want.Ceiling.CIUpper[k], 1e-10) {
				t.Errorf("%s: ceiling intervals %+v, want %v %v", name, *e.Ceiling, want.Ceiling.CILower, want.Ceiling.CIUpper)
			}
		}
		prefs := make([][]float64, len(subjects))
		for i, s := range subjects {
			prefs[i] = prepare(s.vec, m)
		}
		for i, model := range models {
			w := want.Models[model.Name]
			s := e.Models[i]
			if !near(s.Value, w.Value, 1e-12) {
				t.Errorf("%s %s: %v, want %v", name, model.Name, s.Value, w.Value)
			}
			for j, v := range s.PerReference {
				if !near(v, w.PerSubject[j], 1e-12) {
					t.Errorf("%s %s subject %d: %v, want %v", name, model.Name, j, v, w.PerSubject[j])
				}
			}
			for b, v := range e.boot[i] {
				if !near(v, orNaN(w.Boot[b]), 1e-10) {
					t.Fatalf("%s %s resample %d: %v, want %v", name, model.Name, b, v, orNaN(w.Boot[b]))
				}
			}
			for k := range 2 {
				if !near(s.CI[k], w.CI[k], 1e-10) {
					t.Errorf("%s %s interval %v, want %v", name, model.Name, s.CI, w.CI)
				}
			}
			stat := permuted(prepare(model.vec, m), prefs, g.Group.N, m)
			null := make([]float64, len(g.Group.Perms))
			for k, perm := range g.Group.Perms {
				null[k] = stat(perm)
				if !near(null[k], w.Null[k], 1e-10) {
					t.Fatalf("%s %s permutation %d: %v, want %v", name, model.Name, k, null[k], w.Null[k])
				}
			}
			if p := stats.PValue(stat(identity(g.Group.N)), null, false, stats.Greater); !near(p, w.P, 1e-12) {
				t.Errorf("%s %s: p %v, want %v", name, model.Name, p, w.P)
			}
		}
		d, err := e.Difference(want.Difference.A, want.Difference.B)
		if err != nil {
			t.Fatal(err)
		}
		if !near(d.CI[0], want.Difference.CI[0], 1e-10) || !near(d.CI[1], want.Difference.CI[1], 1e-10) || !near(d.P, want.Difference.P, 1e-12) {
			t.Errorf("%s difference %+v, want %+v", name, d, want.Difference)
		}
	}
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}
