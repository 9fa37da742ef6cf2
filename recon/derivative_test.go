package recon_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/decode/stats"
	"github.com/neurolatent/neurolatent/recon"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// derivativeRun decodes a small simulated participant and writes the
// derivative to dir (NEUROLATENT_KEEP_DERIVATIVE=DIR keeps it there, for
// scripts/golden/recon_derivative.py).
func derivativeRun(t *testing.T) (string, *recon.Result, *recon.Data) {
	t.Helper()
	m, x := shipped(t), stimuli(t)
	cfg := sim.DefaultConfig()
	cfg.SNR, cfg.TrainImages, cfg.TestImages, cfg.TestRepeats = 1, 200, 8, 4
	part := t.TempDir()
	d, err := recon.Simulate(x, cfg, part, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recon.Decode(m, d, recon.Options{Voxels: 150, Rescale: recon.RescaleInductive, Stats: stats.Options{Resamples: 100, Permutations: 100}})
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("NEUROLATENT_KEEP_DERIVATIVE")
	if dir == "" {
		dir = t.TempDir()
	}
	masks, _ := filepath.Glob(filepath.Join(part, "derivatives", "*", "*_desc-visual_mask.nii.gz"))
	if len(masks) != 1 {
		t.Fatalf("simulated visual mask: found %v", masks)
	}
	info := recon.DerivativeInfo{Name: "neurolatent reconstruct", Version: "test", CommandLine: []string{"reconstruct", "-voxels", "150"}, Mask: masks[0]}
	if err := r.WriteDerivative(dir, d, info); err != nil {
		t.Fatal(err)
	}
	return dir, r, d
}

func TestDerivative(t *testing.T) {
	dir, r, d := derivativeRun(t)
	// dataset_description.json: the fields BIDS requires of a derivative.
	raw, err := os.ReadFile(filepath.Join(dir, "dataset_description.json"))
	if err != nil {
		t.Fatal(err)
	}
	var desc struct {
		Name, BIDSVersion, DatasetType string
		GeneratedBy                    []struct{ Name, Version, Description string }
	}
	if err := json.Unmarshal(raw, &desc); err != nil {
		t.Fatal(err)
	}
	if desc.Name == "" || desc.BIDSVersion == "" || desc.DatasetType != "derivative" || len(desc.GeneratedBy) != 1 ||
		desc.GeneratedBy[0].Name == "" || desc.GeneratedBy[0].Version != "test" || !strings.Contains(desc.GeneratedBy[0].Description, "reconstruct -voxels 150") {
		t.Errorf("dataset_description.json: %s", raw)
	}
	sub := filepath.Join(dir, "sub-01")
	p := func(name string) string { return filepath.Join(sub, name) }
	nTest, k := 8, 128
	// Decoded latents, one row per test stimulus, one column per dimension.
	z, err := nt.LoadNPY(p("sub-01_task-test_desc-vaeganRidge_latents.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if s := z.Shape(); s[0] != nTest || s[1] != k {
		t.Fatalf("latents %v, want [%d %d]", s, nTest, k)
	}
	// One PNG per test stimulus.
	pngs, _ := filepath.Glob(p("recon/sub-01_task-test_stim-*_desc-vaeganRidge_recon.png"))
	if len(pngs) != nTest {
		t.Errorf("%d reconstruction PNGs, want %d", len(pngs), nTest)
	}
	// Scores: a row per stimulus and decoder, the pixel correlation
	// averaging to the reported PixCorr.
	tsv, err := os.ReadFile(p("sub-01_task-test_desc-scores_table.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(tsv)), "\n")
	head := strings.Split(lines[0], "\t")
	col := slices.Index(head, recon.PixCorr)
	if len(lines) != 1+nTest*len(r.All) || col < 0 {
		t.Fatalf("scores table: %d lines, header %v", len(lines), head)
	}
	var sum float64
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if f[1] == "vaeganRidge" {
			var v float64
			if err := json.Unmarshal([]byte(f[col]), &v); err != nil {
				t.Fatal(err)
			}
			sum += v
		}
	}
	if got, want := sum/float64(nTest), r.Value(recon.PixCorr); math.Abs(got-want) > 1e-5 {
		t.Errorf("mean per-stimulus PixCorr %.6f, reported %.6f", got, want)
	}
	alphas, err := os.ReadFile(p("sub-01_desc-vaeganRidge_alphas.tsv"))
	if err != nil || strings.Count(string(alphas), "\n") != k+1 {
		t.Errorf("alphas: %v, %d lines", err, strings.Count(string(alphas), "\n"))
	}

	// The maps, in the mask's grid, against the run's own numbers.
	read := func(name string) *nifti.Image {
		im, err := nifti.ReadFile(p(name))
		if err != nil {
			t.Fatal(err)
		}
		return im
	}
	r2 := read("sub-01_desc-vaeganEncodingR2_statmap.nii.gz")
	sel := read("sub-01_desc-vaeganRidgeSelected_mask.nii.gz")
	w := read("sub-01_desc-vaeganRidgeWeights_statmap.nii.gz")
	nc := read("sub-01_desc-noiseCeiling_statmap.nii.gz")
	if w.Header.NumVolumes() != k || r2.Header.NumVolumes() != 1 {
		t.Fatalf("weights have %d volumes (want %d), R^2 %d", w.Header.NumVolumes(), k, r2.Header.NumVolumes())
	}
	// The voxels in the order of the betas' columns: the non-zero voxels
	// of the R^2 map's grid under the simulated mask, recovered from the
	// selected map and the R^2 ranking.
	var r2v, selv []float64
	var where []int
	for i, v := range r2.Data {
		if v != 0 {
			where = append(where, i)
			r2v = append(r2v, v)
			selv = append(selv, sel.Data[i])
		}
	}
	_, nv := d.TrainBetas.Dims()
	if len(where) != nv {
		t.Fatalf("R^2 map has %d non-zero voxels, the betas %d", len(where), nv)
	}
	// Selected voxels are the 150 best by the map's R^2, as Decode chose.
	top := decode.TopVoxels(r2v, 150)
	got := 0
	for _, i := range top {
		if selv[i] == 1 {
			got++
		}
	}
	if got != 150 || floatsSum(selv) != 150 {
		t.Errorf("selected map: %.0f voxels, %d of them the top 150 by the R^2 map", floatsSum(selv), got)
	}
	// The weights reproduce the decoded codes up to the per-dimension
	// rescaling (an increasing affine map): correlation 1 per dimension.
	xsel := make([]int, 0, 150)
	for i, v := range selv {
		if v == 1 {
			xsel = append(xsel, i)
		}
	}
	xt := decode.Columns(d.TestBetas, xsel)
	wm := mat.NewDense(len(xsel), k, nil)
	for j := range k {
		vol := w.Volume(j)
		for i, c := range xsel {
			wm.Set(i, j, vol[where[c]])
		}
	}
	var pred mat.Dense
	pred.Mul(xt, wm)
	zd := nt.Data32(z)
	for j := range k {
		a, b := make([]float64, nTest), make([]float64, nTest)
		for i := range nTest {
			a[i], b[i] = pred.At(i, j), float64(zd[i*k+j])
		}
		if c := stat.Correlation(a, b, nil); !(c > 0.9999) {
			t.Errorf("dimension %d: test betas x weights map correlate %.6f with the decoded codes", j, c)
			break
		}
	}
	agreesWithNibabel(t, sub)
	// The noise ceiling map's median is the reported one.
	var ncv []float64
	for _, i := range where {
		ncv = append(ncv, nc.Data[i])
	}
	slices.Sort(ncv)
	med := (ncv[len(ncv)/2-1] + ncv[len(ncv)/2]) / 2
	if want := r.Reliability.NoiseCeiling[1]; math.Abs(med-want) > 1e-3*math.Max(1, want) {
		t.Errorf("noise-ceiling map median %.4f, reported %.4f", med, want)
	}
}

// agreesWithNibabel compares the maps' geometry as package nifti reads
// it with what nibabel read from the same run's derivative
// (scripts/golden/recon_derivative.py): the files are ones nibabel reads,
// and both see the same grid, orientation and type.
func agreesWithNibabel(t *testing.T, sub string) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "recon", "derivative_nibabel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Maps map[string]struct {
			Shape    []int
			Datatype string
			Affine   [][]float64
			Zooms    []float64
			Finite   bool
		}
		Facts map[string]any
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Maps) != 5 || g.Facts["selected_equals_nonzero_weights"] != true || g.Facts["weights_zero_outside_selected"] != true {
		t.Fatalf("golden file: %d maps, facts %v", len(g.Maps), g.Facts)
	}
	for name, want := range g.Maps {
		h, err := nifti.ReadHeader(filepath.Join(sub, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		shape := h.Shape()
		a, err := h.Affine()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape[:len(want.Shape)], want.Shape) || (len(shape) > len(want.Shape) && slices.Max(shape[len(want.Shape):]) > 1) {
			t.Errorf("%s: shape %v, nibabel %v", name, shape, want.Shape)
		}
		if h.Datatype != nifti.Float32 || want.Datatype != "float32" || !want.Finite {
			t.Errorf("%s: datatype %v, nibabel %s (finite %v)", name, h.Datatype, want.Datatype, want.Finite)
		}
		for i := range 3 {
			for j := range 4 {
				if math.Abs(a[i][j]-want.Affine[i][j]) > 1e-5 {
					t.Errorf("%s: affine[%d][%d] %g, nibabel %g", name, i, j, a[i][j], want.Affine[i][j])
				}
			}
			if math.Abs(h.Pixdim[i+1]-want.Zooms[i]) > 1e-5 {
				t.Errorf("%s: zoom %d %g, nibabel %g", name, i, h.Pixdim[i+1], want.Zooms[i])
			}
		}
	}
}

func floatsSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

// The report is one self-contained file: every image a data URI, the rows
// of the grid and the decoders named.
func TestWriteHTML(t *testing.T) {
	dir, r, _ := derivativeRun(t)
	out := t.TempDir()
	if err := r.WriteHTML(out, recon.HTMLOptions{}); err == nil {
		t.Error("WriteHTML without identification.png: no error")
	}
	if err := r.Write(out, 6); err != nil {
		t.Fatal(err)
	}
	opt := recon.HTMLOptions{Settings: [][2]string{{"command line", "reconstruct -x <y>"}}, R2Map: filepath.Join(dir, "sub-01", "sub-01_desc-vaeganEncodingR2_statmap.nii.gz"), Cols: 6}
	if err := r.WriteHTML(out, opt); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, recon.ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if n := strings.Count(s, `src="data:image/png;base64,`); n != 4+1+1 { // grid rows, identification, R^2 slices
		t.Errorf("%d embedded images, want 6", n)
	}
	for _, want := range []string{"<th>seen</th>", "<th>vaegan (ridge)</th>", "<th>PCA (ridge)</th>", "<th>pixel ridge</th>",
		"reconstruct -x &lt;y&gt;", "pairwise pixel", "Encoding R² map", "[", "p "} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(s, "ZgotmplZ") || strings.Contains(s, "http://") || strings.Contains(s, `src="file`) {
		t.Error("report refers to something outside itself")
	}
}
