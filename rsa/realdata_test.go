package rsa

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/internal/realdata"
)

// Kriegeskorte et al. (2008): the RDMs of ../shared/data/real/
// kriegeskorte92 give the numbers the numpy script derived from them. The
// paper's group human-IT RDM is the mean of the eight subject-session
// RDMs; its correlation with monkey IT is the paper's r = 0.49, and it
// beats every one of 1,000 relabellings of the stimuli.
func TestKriegeskorte92(t *testing.T) {
	dir := realdata.Dir(t, "kriegeskorte92")
	g := loadGolden(t)
	if g.Real == nil {
		t.Skip("testdata/rsa/golden.json was written without the real data")
	}
	load := func(name string) []*RDM {
		rs, err := LoadNPY(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	hit, mit, sessions := load("hITvisStim_316vx.npy")[0], load("mIT_674neurons.npy")[0], load("hIT-rdms-subject-session.npy")
	if hit.N() != 92 || mit.N() != 92 || len(sessions) != 8 {
		t.Fatalf("read %d, %d stimuli and %d session RDMs", hit.N(), mit.N(), len(sessions))
	}
	group, err := Mean("mean of sessions", sessions...)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range group.vec {
		if math.Abs(v-hit.vec[k]) > 1e-12 {
			t.Fatalf("entry %d: mean of sessions %v, group RDM %v", k, v, hit.vec[k])
		}
	}
	var subjects []*RDM
	for s := range 4 {
		r, err := Mean("subject", sessions[2*s], sessions[2*s+1])
		if err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, r)
		rho, err := Compare(sessions[2*s], sessions[2*s+1], Spearman)
		if err != nil || !near(rho, g.Real.SessionAgreement[s], 1e-10) {
			t.Errorf("subject %d sessions: %v (%v), want %v", s, rho, err, g.Real.SessionAgreement[s])
		}
	}
	for name, m := range methods {
		v, err := Compare(hit, mit, m)
		if err != nil || !near(v, g.Real.HumanVsMonkey[name], 1e-10) {
			t.Errorf("human vs monkey %s: %v (%v), want %v", name, v, err, g.Real.HumanVsMonkey[name])
		}
		c, err := NoiseCeiling(subjects, m)
		if err != nil || !near(c.Lower, g.Real.Ceiling[name]["lower"], 1e-10) || !near(c.Upper, g.Real.Ceiling[name]["upper"], 1e-10) {
			t.Errorf("%s ceiling %+v (%v), want %v", name, c, err, g.Real.Ceiling[name])
		}
	}
	e, err := Evaluate([]*RDM{mit}, subjects, Spearman, stats.Options{Resamples: 200, Permutations: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Models[0]
	if !near(s.Value, g.Real.MonkeyVsSubjects["spearman"], 1e-10) || s.P != 1.0/1001 || s.CI[0] <= 0 || s.CI[1] >= e.Ceiling.Upper.CI[1] {
		t.Errorf("monkey IT against the subjects: %+v, ceiling %+v", s, *e.Ceiling)
	}
	est, err := Test(hit, mit, Pearson, stats.Options{Resamples: 200, Permutations: 1000, Seed: 1})
	if err != nil || math.Round(est.Value*100) != 49 || est.P != 1.0/1001 || est.CI[0] <= 0.3 {
		t.Errorf("human vs monkey IT: %+v %v", est, err)
	}
}
