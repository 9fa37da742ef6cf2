package glm

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

const testdir = "../../testdata/decode/glm"

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// TestHRFMatchesSPM compares HRF with the output of SPM's spm_hrf.m for the
// 54 parameter sets in nipy's spm_hrfs.mat.
func TestHRFMatchesSPM(t *testing.T) {
	var cases []struct {
		Params []float64 `json:"params"`
		HRF    []float64 `json:"hrf"`
	}
	readJSON(t, "spm_hrf.json", &cases)
	if len(cases) != 54 {
		t.Fatalf("%d cases", len(cases))
	}
	var worst float64
	for _, c := range cases {
		p := c.Params // dt, peak delay, undershoot delay, peak disp, undershoot disp, ratio
		h, err := HRF(p[0], HRFParams{PeakDelay: p[1], UnderDelay: p[2], PeakDisp: p[3], UnderDisp: p[4], Ratio: p[5], Length: 32})
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != len(c.HRF) {
			t.Fatalf("params %v: %d samples, SPM %d", p, len(h), len(c.HRF))
		}
		for i := range h {
			worst = math.Max(worst, math.Abs(h[i]-c.HRF[i]))
		}
	}
	// SPM computes in double precision; the .mat stores doubles.
	if !(worst <= 1e-12) {
		t.Errorf("max |HRF - SPM| = %g", worst)
	}
	t.Logf("max |HRF - SPM| over 54 parameter sets: %.3g", worst)
}

func TestDCTMatchesSPM(t *testing.T) {
	var dct map[string][][]float64
	readJSON(t, "spm_dct.json", &dct)
	for _, n := range []int{5, 10, 100} {
		want := dct[map[int]string{5: "5", 10: "10", 100: "100"}[n]]
		k := len(want[0])
		b, err := DCTBasis(n, k)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				// dct_*.txt are printed with 8 significant digits.
				if d := math.Abs(b.At(i, j) - want[i][j]); !(d <= 1e-7) {
					t.Fatalf("n=%d [%d,%d]: %v, SPM %v", n, i, j, b.At(i, j), want[i][j])
				}
			}
		}
	}
	if NumCosines(200, 2, 128) != 6 || NumCosines(10, 2, 0) != 0 {
		t.Error("NumCosines")
	}
	d, err := CosineDrift(200, 2, 128)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := d.Dims(); r != 200 || c != 6 {
		t.Errorf("drift %dx%d", r, c)
	}
	if _, err := CosineDrift(5, 2, 1); err == nil {
		t.Error("more cosines than volumes accepted")
	}
}

// TestRegressorMatchesIntegral compares Regressor with the response
// computed by numerical integration of the continuous HRF.
func TestRegressorMatchesIntegral(t *testing.T) {
	var cases []struct {
		TR         float64   `json:"tr"`
		Ref        float64   `json:"slice_time_ref"`
		Frames     int       `json:"frames"`
		Onsets     []float64 `json:"onsets"`
		Durations  []float64 `json:"durations"`
		Amplitudes []float64 `json:"amplitudes"`
		Regressor  []float64 `json:"regressor"`
	}
	readJSON(t, "regressors.json", &cases)
	for i, c := range cases {
		tm := Timing{Frames: c.Frames, TR: c.TR, SliceTimeRef: c.Ref}
		r, err := tm.Regressor(c.Onsets, c.Durations, c.Amplitudes)
		if err != nil {
			t.Fatal(err)
		}
		var peak, worst float64
		for k := range r {
			peak = math.Max(peak, math.Abs(c.Regressor[k]))
			worst = math.Max(worst, math.Abs(r[k]-c.Regressor[k]))
		}
		t.Logf("case %d (TR %g): max error %.2g of peak %.3g", i, c.TR, worst, peak)
		if !(worst <= 2e-3*peak) {
			t.Errorf("case %d: max error %g, peak %g", i, worst, peak)
		}
	}
}

func TestHRFErrors(t *testing.T) {
	if _, err := HRF(0, SPMCanonical); err == nil {
		t.Error("dt 0")
	}
	if _, err := HRF(math.NaN(), SPMCanonical); err == nil {
		t.Error("dt NaN")
	}
	bad := SPMCanonical
	bad.PeakDisp = 0
	if _, err := HRF(0.1, bad); err == nil {
		t.Error("zero dispersion")
	}
	tm := Timing{Frames: 10, TR: 2}
	if _, err := tm.Regressor([]float64{1}, []float64{-1}, nil); err == nil {
		t.Error("negative duration")
	}
	if _, err := tm.Regressor([]float64{math.NaN()}, []float64{1}, nil); err == nil {
		t.Error("NaN onset")
	}
	if _, err := (Timing{Frames: 10, TR: 0}).Regressor(nil, nil, nil); err == nil {
		t.Error("TR 0")
	}
}
