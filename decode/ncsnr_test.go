package decode

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/internal/testutil"
)

func TestNoiseCeilingSNRMatchesNumpy(t *testing.T) {
	var g struct {
		Betas           [][]float64 `json:"betas"`
		Stimuli         []string    `json:"stimuli"`
		NCSNR           []float64   `json:"ncsnr"`
		NoiseSD         []float64   `json:"noise_sd"`
		SignalSD        []float64   `json:"signal_sd"`
		NoiseCeiling3   []float64   `json:"noise_ceiling_3"`
		RepeatedStimuli int         `json:"repeated_stimuli"`
		Trials          int         `json:"trials"`
	}
	testutil.ReadJSON(t, "../testdata/decode/ncsnr.json", &g)
	b := mat.NewDense(len(g.Betas), len(g.Betas[0]), nil)
	for i, row := range g.Betas {
		b.SetRow(i, row)
	}
	r, err := NoiseCeilingSNR(b, g.Stimuli)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stimuli != g.RepeatedStimuli || r.Trials != g.Trials || r.MinRepeats != 2 || r.MaxRepeats != 4 {
		t.Fatalf("%d stimuli, %d trials, repeats %d-%d; numpy %d and %d", r.Stimuli, r.Trials, r.MinRepeats, r.MaxRepeats, g.RepeatedStimuli, g.Trials)
	}
	nc := r.NoiseCeiling(3)
	for j := range g.NCSNR {
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"ncsnr", r.NCSNR[j], g.NCSNR[j]}, {"noise SD", r.NoiseSD[j], g.NoiseSD[j]},
			{"signal SD", r.SignalSD[j], g.SignalSD[j]}, {"noise ceiling", nc[j], g.NoiseCeiling3[j]}} {
			if math.Abs(c.got-c.want) > 1e-12*max(1, math.Abs(c.want)) {
				t.Errorf("voxel %d %s = %v, numpy %v", j, c.name, c.got, c.want)
			}
		}
	}
}

func TestNoiseCeilingSNRErrors(t *testing.T) {
	b := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	if _, err := NoiseCeilingSNR(b, []string{"a", "a", "b"}); err == nil {
		t.Error("3 names for 4 trials accepted")
	}
	if _, err := NoiseCeilingSNR(b, []string{"a", "a", "b", "c"}); err == nil {
		t.Error("one repeated stimulus accepted")
	}
	b.Set(0, 1, math.NaN())
	if _, err := NoiseCeilingSNR(b, []string{"a", "a", "b", "b"}); err == nil {
		t.Error("NaN betas accepted")
	}
}
