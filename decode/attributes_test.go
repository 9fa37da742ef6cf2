package decode

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/internal/realdata"
)

// drift is a slow drift of voxel v at volume i of n: the first cosine of
// SPM's drift basis, which a GLM with cosine drift terms removes exactly.
func drift(i, v, n int) float64 {
	return 3 * float64(v+1) * math.Cos(math.Pi*float64(2*i+1)/float64(2*n))
}

// writeBlockSeries writes a 4D image of two runs of a block design (3x2x1
// voxels, TR 2 s) whose voxels respond to each block with a known
// amplitude through the model's own regressors, plus a cosine drift, and the
// matching attribute table. It returns the paths and the amplitudes
// (block by voxel, in block order).
func writeBlockSeries(t *testing.T, dir string) (bold, attrs string, amp [][]float64) {
	t.Helper()
	const tr = 2.0
	labels := [][]string{
		{"rest", "rest", "a", "a", "a", "rest", "rest", "b", "b", "b", "rest", "rest", "rest", "rest", "rest", "rest", "rest", "rest"},
		{"rest", "b", "b", "b", "rest", "rest", "rest", "a", "a", "a", "rest", "rest", "rest", "rest", "rest", "rest", "rest", "rest"},
	}
	nv := 6
	var lines []string
	var series [][]float64 // volume by voxel
	for run, ls := range labels {
		a := &events.Attributes{}
		for _, l := range ls {
			a.Labels = append(a.Labels, l)
			a.Chunks = append(a.Chunks, fmt.Sprint(run))
			lines = append(lines, fmt.Sprintf("%s %d", l, run))
		}
		ar, err := a.Runs(tr, []string{"rest"})
		if err != nil {
			t.Fatal(err)
		}
		tm := glm.Timing{Frames: len(ls), TR: tr}
		y := make([][]float64, len(ls))
		for i := range y {
			y[i] = make([]float64, nv)
			for v := range y[i] {
				y[i][v] = 100 + float64(v) + drift(i, v, len(ls))
			}
		}
		for k, e := range ar[0].Events {
			r, err := tm.Regressor([]float64{e.Onset}, []float64{e.Duration}, nil)
			if err != nil {
				t.Fatal(err)
			}
			row := make([]float64, nv)
			for v := range row {
				row[v] = float64((run+1)*(k+2)) - float64(v)
			}
			amp = append(amp, row)
			for i := range y {
				for v := range y[i] {
					y[i][v] += row[v] * r[i]
				}
			}
		}
		series = append(series, y...)
	}
	im, err := nifti.NewImage(nifti.Float64, 3, 2, 1, len(series))
	if err != nil {
		t.Fatal(err)
	}
	im.Header.Pixdim[4] = tr
	im.Header.SetUnits(nifti.UnitMM, nifti.UnitSec)
	for i, y := range series {
		copy(im.Volume(i), y)
	}
	bold = filepath.Join(dir, "bold.nii.gz")
	if err := nifti.WriteFile(bold, im); err != nil {
		t.Fatal(err)
	}
	attrs = filepath.Join(dir, "attributes.txt")
	if err := os.WriteFile(attrs, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return bold, attrs, amp
}

// TestBlockBetasFromAttributes: noise-free blocks built with the GLM's own
// regressors, on a cosine drift, give back their amplitudes.
func TestBlockBetasFromAttributes(t *testing.T) {
	dir := t.TempDir()
	bold, attrs, amp := writeBlockSeries(t, dir)
	// A cut-off of 20 s gives 3 cosines for these 36 s runs.
	b, mask, err := BlockBetasFromAttributes(bold, attrs, "", []string{"rest"}, glm.Options{Method: glm.LSA, HighPass: 20})
	if err != nil {
		t.Fatal(err)
	}
	if mask.Len() != 6 || len(b.Trials) != 4 {
		t.Fatalf("%d voxels, %d blocks", mask.Len(), len(b.Trials))
	}
	wantType := []string{"a", "b", "b", "a"}
	for i, tr := range b.Trials {
		if tr.TrialType != wantType[i] || tr.Run != i/2 || tr.Duration != 6 {
			t.Errorf("block %d: %+v", i, tr)
		}
		for v := 0; v < 6; v++ {
			if got := b.Values.At(i, v); math.Abs(got-amp[i][v]) > 1e-9 {
				t.Errorf("block %d voxel %d: beta %v, want %v", i, v, got, amp[i][v])
			}
		}
	}
	// The same runs by hand, drift removed, fitted without drift terms.
	runs, labels, err := LoadAttributeRuns(bold, attrs, nil, []string{"rest"})
	if err != nil {
		t.Fatal(err)
	}
	if labels.Len() != 36 || len(runs) != 2 || runs[1].Timing.Frames != 18 || runs[1].Timing.TR != 2 {
		t.Fatalf("runs %+v", runs)
	}
	for _, r := range runs {
		rows, cols := r.Data.Dims()
		for i := 0; i < rows; i++ {
			for v := 0; v < cols; v++ {
				r.Data.Set(i, v, r.Data.At(i, v)-drift(i, v, rows))
			}
		}
	}
	exact, err := glm.TrialBetas(runs, glm.Options{Method: glm.LSA, HighPass: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range amp {
		for v, want := range amp[i] {
			if got := exact.Values.At(i, v); math.Abs(got-want) > 1e-9 {
				t.Errorf("no drift: block %d voxel %d: beta %v, want %v", i, v, got, want)
			}
		}
	}
}

func TestBlockBetasFromAttributesErrors(t *testing.T) {
	dir := t.TempDir()
	bold, attrs, _ := writeBlockSeries(t, dir)
	short := filepath.Join(dir, "short.txt")
	os.WriteFile(short, []byte("rest 0\na 0\n"), 0o644)
	allRest := filepath.Join(dir, "rest.txt")
	os.WriteFile(allRest, []byte(strings.Repeat("rest 0\n", 18)+strings.Repeat("a 1\n", 18)), 0o644)
	for _, c := range []struct {
		attrs, mask, want string
	}{
		{short, "", "has 36 volumes, the attribute table 2 lines"},
		{allRest, "", "chunk 0 (volumes 0-17): glm: no trials"},
		{filepath.Join(dir, "missing.txt"), "", "missing.txt"},
		{attrs, filepath.Join(dir, "missing.nii"), "missing.nii"},
	} {
		_, _, err := BlockBetasFromAttributes(bold, c.attrs, c.mask, []string{"rest"}, glm.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.attrs, err, c.want)
		}
	}
	if _, err := SplitRuns("x", nil, &events.Attributes{}, 2, nil); err == nil {
		t.Error("nil data")
	}
	if _, _, err := TrialBetasFromFiles(nil, nil, "", glm.Options{}); err == nil || !strings.Contains(err.Error(), "no runs") {
		t.Errorf("no runs: %v", err)
	}
}

// TestHaxbyAttributesMatchEventsFiles: on the real Haxby et al. (2001)
// data, the blocks made from the per-volume attribute table and the 4D
// series of all runs give the same betas as the per-run files of the same
// volumes (bold_1slice.nii.gz, bit-identical slices of bold.nii.gz) with
// their BIDS events files.
func TestHaxbyAttributesMatchEventsFiles(t *testing.T) {
	dir := realdata.Dir(t, "haxby2001-sub1")
	mask := filepath.Join(dir, "mask.nii.gz")
	opt := glm.Options{Method: glm.LSA, ZScoreBetas: true}
	a, m, err := BlockBetasFromAttributes(filepath.Join(dir, "bold.nii.gz"), filepath.Join(dir, "attributes_literal.txt"), mask, []string{"rest"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	var bold, evs []string
	for r := 1; r <= 12; r++ {
		run := filepath.Join(dir, "runs-25mm", fmt.Sprintf("task001_run%03d", r))
		bold = append(bold, filepath.Join(run, "bold_1slice.nii.gz"))
		evs = append(evs, filepath.Join(run, "bold_events.tsv"))
	}
	b, _, err := TrialBetasFromFiles(bold, evs, mask, opt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 530 || len(a.Trials) != 96 || len(b.Trials) != 96 {
		t.Fatalf("%d voxels, %d and %d blocks", m.Len(), len(a.Trials), len(b.Trials))
	}
	for i := range a.Trials {
		ta, tb := a.Trials[i], b.Trials[i]
		if ta.TrialType != tb.TrialType || ta.Run != tb.Run || ta.Onset != tb.Onset || ta.Duration != tb.Duration {
			t.Fatalf("block %d: %+v from the attributes, %+v from the events file", i, ta, tb)
		}
	}
	var worst float64
	for i, v := range a.Values.RawMatrix().Data {
		worst = math.Max(worst, math.Abs(v-b.Values.RawMatrix().Data[i]))
	}
	if worst != 0 {
		t.Errorf("betas differ by up to %g", worst)
	}
}
