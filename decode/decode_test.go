package decode

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/decode/sim"
	"github.com/neurolatent/neurolatent/tensor"
	"gonum.org/v1/gonum/mat"
)

func randDense(r *rand.Rand, n, p int) *mat.Dense {
	m := mat.NewDense(n, p, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = r.NormFloat64()
	}
	return m
}

// TestEncoderInversion: with noise-free responses from a known encoding,
// decoding recovers the latents exactly.
func TestEncoderInversion(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	n, k, v := 80, 6, 50
	z, w := randDense(r, n, k), randDense(r, k, v)
	var y mat.Dense
	y.Mul(z, w)
	for i := 0; i < n; i++ {
		row := y.RawRowView(i)
		for j := range row {
			row[j] += float64(j) // voxel intercepts
		}
	}
	enc, err := FitEncoder(z, &y, 0)
	if err != nil {
		t.Fatal(err)
	}
	zt := randDense(r, 5, k)
	var yt mat.Dense
	yt.Mul(zt, w)
	for i := 0; i < 5; i++ {
		row := yt.RawRowView(i)
		for j := range row {
			row[j] += float64(j)
		}
	}
	got, err := enc.Decode(&yt)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.EqualApprox(got, zt, 1e-9) {
		t.Errorf("decoded %v\nwant %v", mat.Formatted(got), mat.Formatted(zt))
	}
	// Ridge-fitted encoders decode close to the truth too.
	encR, err := FitEncoder(z, &y, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	gotR, _ := encR.Decode(&yt)
	if !mat.EqualApprox(gotR, zt, 1e-3) {
		t.Error("ridge encoder")
	}
}

func TestEncoderErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	z, y := randDense(r, 30, 4), randDense(r, 30, 10)
	if _, err := FitEncoder(z, randDense(r, 29, 10), 0); err == nil {
		t.Error("row mismatch")
	}
	if _, err := FitEncoder(randDense(r, 4, 4), randDense(r, 4, 10), 0); err == nil || !strings.Contains(err.Error(), "alpha > 0") {
		t.Errorf("too few samples: %v", err)
	}
	dup := mat.DenseCopyOf(z)
	for i := 0; i < 30; i++ {
		dup.Set(i, 3, 2*dup.At(i, 1))
	}
	if _, err := FitEncoder(dup, y, 0); err == nil || !strings.Contains(err.Error(), "latent dimension 3") {
		t.Errorf("collinear latents: %v", err)
	}
	enc, _ := FitEncoder(z, y, 0)
	if _, err := enc.Decode(randDense(r, 2, 9)); err == nil {
		t.Error("voxel mismatch")
	}
	few, _ := FitEncoder(z, randDense(r, 30, 3), 0) // 3 voxels < 4 latents + 1
	if _, err := few.Decode(randDense(r, 2, 3)); err == nil || !strings.Contains(err.Error(), "3 voxels cannot determine") {
		t.Errorf("too few voxels: %v", err)
	}
	if _, err := FitEncoder(z, y, -1); err == nil {
		t.Error("negative alpha")
	}
}

func TestPCAMatchesScikitLearn(t *testing.T) {
	sd, err := tensor.LoadNPZ("../testdata/decode/pca.npz")
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) []float64 { v, _ := sd.Get(k); return tensor.Data64(v) }
	images, err := sim.LoadIDX(fashion)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(220, images.H*images.W, nil)
	for i := 0; i < 220; i++ {
		x.SetRow(i, images.Pix[i])
	}
	pc, err := FitPCA(mat.DenseCopyOf(x.Slice(0, 200, 0, 784)), 12)
	if err != nil {
		t.Fatal(err)
	}
	for c, v := range get("variance") {
		if math.Abs(pc.Variance[c]-v) > 1e-10*v {
			t.Errorf("variance %d: %v, sklearn %v", c, pc.Variance[c], v)
		}
	}
	if !mat.EqualApprox(pc.Components, mat.NewDense(12, 784, get("components")), 1e-8) {
		t.Error("components differ from sklearn")
	}
	scores, _ := pc.Transform(mat.DenseCopyOf(x.Slice(200, 220, 0, 784)))
	if !mat.EqualApprox(scores, mat.NewDense(20, 12, get("scores")), 1e-8) {
		t.Error("scores differ from sklearn")
	}
	// All components: Inverse(Transform(x)) = x.
	full, _ := FitPCA(mat.DenseCopyOf(x.Slice(0, 50, 0, 784)), 50)
	s, _ := full.Transform(mat.DenseCopyOf(x.Slice(0, 50, 0, 784)))
	back, _ := full.Inverse(s)
	if !mat.EqualApprox(back, x.Slice(0, 50, 0, 784), 1e-10) {
		t.Error("inverse")
	}
	if _, err := FitPCA(x, 0); err == nil {
		t.Error("0 components")
	}
}

// Tall data (samples >= 2 x features) take the covariance route; it gives
// the components and variances of the data's SVD.
func TestPCATallMatchesSVD(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, p, k := 300, 40, 10
	x := randDense(r, n, p)
	for i := range n { // unequal variances, so the components are well separated
		for j := range p {
			x.Set(i, j, x.At(i, j)*float64(p-j)+3)
		}
	}
	pc, err := FitPCA(x, k)
	if err != nil {
		t.Fatal(err)
	}
	xc := mat.DenseCopyOf(x)
	for j := range p {
		col := mat.Col(nil, j, xc)
		var m float64
		for _, v := range col {
			m += v / float64(n)
		}
		for i := range n {
			xc.Set(i, j, xc.At(i, j)-m)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThin) {
		t.Fatal("svd")
	}
	var v mat.Dense
	svd.VTo(&v)
	sv := svd.Values(nil)
	for c := range k {
		want := sv[c] * sv[c] / float64(n-1)
		if math.Abs(pc.Variance[c]-want) > 1e-10*want {
			t.Errorf("variance %d: %v, SVD %v", c, pc.Variance[c], want)
		}
		dot := mat.Dot(pc.Components.RowView(c), v.ColView(c))
		if math.Abs(math.Abs(dot)-1) > 1e-8 {
			t.Errorf("component %d: |dot| with the SVD's = %v", c, dot)
		}
	}
}

func TestVoxelSelection(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	n, k := 120, 5
	z := randDense(r, n, k)
	y := randDense(r, n, 30) // noise voxels
	for i := 0; i < n; i++ {
		for _, v := range []int{4, 17, 22} { // three informative voxels
			y.Set(i, v, y.At(i, v)+3*z.At(i, v%k))
		}
	}
	r2, err := EncodingR2(z, y, []float64{0.1, 1, 10, 100}, 5)
	if err != nil {
		t.Fatal(err)
	}
	top := TopVoxels(r2, 3)
	got := map[int]bool{top[0]: true, top[1]: true, top[2]: true}
	if !got[4] || !got[17] || !got[22] {
		t.Errorf("top voxels %v (R2 %v)", top, r2)
	}
	sel := Columns(y, top)
	if c := sel.At(7, 1); c != y.At(7, top[1]) {
		t.Error("Columns")
	}
	if _, err := EncodingR2(z, y, []float64{1}, 1); err == nil {
		t.Error("1 fold")
	}
}

// TestLoadRunsRealFile runs the GLM on nibabel's functional.nii (a real
// 4D fMRI file) with an events file.
func TestLoadRunsRealFile(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "events.tsv")
	os.WriteFile(ev, []byte("onset\tduration\ttrial_type\n4\t2\ta\n14\t2\tb\n22\t2\ta\n30\t2\tb\n"), 0o644)
	bold := "../testdata/decode/nifti/functional.nii"
	b, mask, err := TrialBetasFromFiles([]string{bold}, []string{ev}, "", glm.Options{Method: glm.LSA, ZScoreBold: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, c := b.Values.Dims(); r != 4 || c != 17*21*3 || mask.Len() != c {
		t.Errorf("betas %dx%d", r, c)
	}
	// Constant voxels, if any, are zeros, never NaN.
	for _, c := range b.ConstantVoxels {
		for i := 0; i < 4; i++ {
			if b.Values.At(i, c) != 0 {
				t.Fatalf("constant voxel %d has beta %v", c, b.Values.At(i, c))
			}
		}
	}
	for _, v := range b.Values.RawMatrix().Data {
		if math.IsNaN(v) {
			t.Fatal("NaN beta")
		}
	}
	// A TR given per run (a BIDS sidecar's) replaces the header's: the
	// same events fall on other volumes, so the betas change; a TR per
	// run is required, and a plausible one.
	hdr := RunFiles{Bold: []string{bold}, Events: []string{ev}}
	h, err := nifti.ReadHeader(bold)
	if err != nil {
		t.Fatal(err)
	}
	headerTR, _, _ := h.TR()
	same, _, err := RunFiles{Bold: hdr.Bold, Events: hdr.Events, TR: []float64{headerTR}}.TrialBetas(glm.Options{Method: glm.LSA, ZScoreBold: true})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := RunFiles{Bold: hdr.Bold, Events: hdr.Events, TR: []float64{headerTR * 1.5}}.TrialBetas(glm.Options{Method: glm.LSA, ZScoreBold: true})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(same.Values, b.Values) || mat.EqualApprox(other.Values, b.Values, 1e-6) {
		t.Error("a TR given per run is not the one the GLM uses")
	}
	for _, tr := range [][]float64{{1, 2}, {0}, {math.NaN()}, {1e4}} {
		if _, _, err := (RunFiles{Bold: hdr.Bold, Events: hdr.Events, TR: tr}).TrialBetas(glm.Options{}); err == nil || !strings.Contains(err.Error(), "TR") {
			t.Errorf("TR %v: %v", tr, err)
		}
	}
	if _, _, err := LoadRuns([]string{bold}, nil, nil); err == nil {
		t.Error("count mismatch")
	}
	if _, _, err := LoadRuns([]string{"../testdata/decode/nifti/anatomical.nii"}, []string{ev}, nil); err == nil || !strings.Contains(err.Error(), "4D") {
		t.Errorf("3D run: %v", err)
	}
	m := nifti.FullMask([3]int{2, 2, 2})
	if _, _, err := LoadRuns([]string{bold}, []string{ev}, m); err == nil {
		t.Error("mask of another grid")
	}
	// A run with NaN voxels (a file written by nibabel) is an error naming
	// the voxel, unless the mask leaves them out.
	os.WriteFile(ev, []byte("onset\tduration\n0\t1\n"), 0o644)
	nanRun := "../testdata/decode/nifti/nan_f32_4d.nii.gz"
	if _, _, err := LoadRuns([]string{nanRun}, []string{ev}, nil); err == nil || !strings.Contains(err.Error(), "voxel (1, 2, 0) is NaN at volume 0") {
		t.Errorf("NaN run: %v", err)
	}
	im, err := nifti.ReadFile(nanRun)
	if err != nil {
		t.Fatal(err)
	}
	s := im.Header.Shape()
	ok := make([]float64, im.Header.VolumeLen())
	for i := range ok {
		ok[i] = 1
		for v := 0; v < s[3]; v++ {
			if x := im.Volume(v)[i]; math.IsNaN(x) || math.IsInf(x, 0) {
				ok[i] = 0
			}
		}
	}
	clean, _ := nifti.NewMask(ok, [3]int{s[0], s[1], s[2]})
	if _, _, err := LoadRuns([]string{nanRun}, []string{ev}, clean); err != nil {
		t.Errorf("masked NaN run: %v", err)
	}
	// example4d stores its TR in ms: LoadRuns reads 2 s and says why.
	os.WriteFile(ev, []byte("onset\tduration\n0.5\t1\n"), 0o644)
	runs, notes, err := LoadRuns([]string{"../testdata/decode/nifti/example4d.nii.gz"}, []string{ev}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Timing.TR != 2 || !strings.Contains(notes[0], "ms") {
		t.Errorf("TR %v note %q", runs[0].Timing.TR, notes[0])
	}
}

// Issue 17, item 2: a 2 KB .nii.gz whose header claims 4096^4 voxels made
// TrialBetasFromFiles without a mask allocate a full mask of the claimed
// grid (512 GiB) before reading any data. It is refused now, cheaply; runs
// of different grids without a mask are refused too.
func TestTrialBetasHugeHeader(t *testing.T) {
	dir := t.TempDir()
	im, _ := nifti.NewImage(nifti.Uint8, 1, 1, 1)
	var raw bytes.Buffer
	if err := nifti.Write(&raw, im); err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(raw.Bytes()[:352])
	binary.LittleEndian.PutUint16(b[40:], 4)
	for i := 1; i <= 4; i++ {
		binary.LittleEndian.PutUint16(b[40+2*i:], 4096)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(append(b, make([]byte, 1500)...))
	zw.Close()
	bold := filepath.Join(dir, "huge_bold.nii.gz")
	ev := filepath.Join(dir, "events.tsv")
	os.WriteFile(bold, z.Bytes(), 0o644)
	os.WriteFile(ev, []byte("onset\tduration\ttrial_type\n4\t2\ta\n"), 0o644)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := TrialBetasFromFiles([]string{bold}, []string{ev}, "", glm.Options{Method: glm.LSS})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "huge_bold.nii.gz") || !strings.Contains(err.Error(), "decompression bomb") {
		t.Errorf("huge header: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("%d bytes allocated", n)
	}
	// Two runs of different grids, no mask.
	a, _ := nifti.NewImage(nifti.Float32, 2, 2, 2, 5)
	c, _ := nifti.NewImage(nifti.Float32, 2, 2, 3, 5)
	for i := range a.Data {
		a.Data[i] = float64(i % 7)
	}
	for i := range c.Data {
		c.Data[i] = float64(i % 5)
	}
	pa, pc := filepath.Join(dir, "a.nii"), filepath.Join(dir, "c.nii")
	nifti.WriteFile(pa, a)
	nifti.WriteFile(pc, c)
	if _, _, err := LoadRuns([]string{pa, pc}, []string{ev, ev}, nil); err == nil || !strings.Contains(err.Error(), "differs from") {
		t.Errorf("runs of two grids: %v", err)
	}
	if _, _, err := (RunFiles{Bold: []string{pa, pc}, Events: []string{ev, ev}}).TrialBetas(glm.Options{}); err == nil || !strings.Contains(err.Error(), "c.nii") || !strings.Contains(err.Error(), "grid") {
		t.Errorf("RunFiles, runs of two grids: %v", err)
	}
}

// TestRunFilesRunByRun: RunFiles.TrialBetas reads and fits one run at a
// time; its betas, trials and constant voxels equal glm.TrialBetas on all
// the runs loaded at once, with and without a mask and z-scoring.
func TestRunFilesRunByRun(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	var bold, evs []string
	for r := range 3 {
		im, _ := nifti.NewImage(nifti.Float32, 3, 2, 2, 40)
		for i := range im.Data {
			im.Data[i] = 100 + rng.NormFloat64()
		}
		// Voxel 5 is constant in run 1 only.
		if r == 1 {
			for v := range 40 {
				im.Volume(v)[5] = 7
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("run%d_bold.nii", r))
		if err := nifti.WriteFile(p, im); err != nil {
			t.Fatal(err)
		}
		e := filepath.Join(dir, fmt.Sprintf("run%d_events.tsv", r))
		os.WriteFile(e, []byte(fmt.Sprintf("onset\tduration\ttrial_type\n%d\t2\ta\n12\t2\tb\n22\t2\ta\n32\t2\tb\n", 2+r)), 0o644)
		bold, evs = append(bold, p), append(evs, e)
	}
	ok := make([]float64, 12)
	for i := range ok {
		ok[i] = float64(i % 2)
	}
	maskPath := filepath.Join(dir, "mask.nii")
	mim, _ := nifti.NewImage(nifti.Uint8, 3, 2, 2, 1)
	copy(mim.Data, ok)
	if err := nifti.WriteFile(maskPath, mim); err != nil {
		t.Fatal(err)
	}
	for _, mp := range []string{"", maskPath} {
		for _, opt := range []glm.Options{{Method: glm.LSS}, {Method: glm.LSA, ZScoreBold: true, ZScoreBetas: true}} {
			got, _, err := RunFiles{Bold: bold, Events: evs, Mask: mp}.TrialBetas(opt)
			if err != nil {
				t.Fatal(err)
			}
			m, err := loadMask(mp)
			if err != nil {
				t.Fatal(err)
			}
			runs, _, err := LoadRuns(bold, evs, m)
			if err != nil {
				t.Fatal(err)
			}
			want, err := glm.TrialBetas(runs, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(got.Values, want.Values) || !slices.Equal(got.ConstantVoxels, want.ConstantVoxels) || !slices.Equal(got.Trials, want.Trials) {
				t.Errorf("mask %q %+v: run by run differs from all at once (constant %v vs %v)", mp, opt, got.ConstantVoxels, want.ConstantVoxels)
			}
		}
	}
}

// TestPCALeadingAxesMatchFull: the subspace iteration's components and
// variances equal those of the full SVD on real images (600 Fashion-MNIST
// images, 100 of 784 components).
func TestPCALeadingAxesMatchFull(t *testing.T) {
	x := fashionMatrix(t)
	const k = 100
	fast, err := FitPCA(x, k)
	if err != nil {
		t.Fatal(err)
	}
	n, p := x.Dims()
	xc := mat.NewDense(n, p, nil)
	for i := range n {
		for j := range p {
			xc.Set(i, j, x.At(i, j)-fast.Mean[j])
		}
	}
	if _, _, ok := leadingAxes(xc, k); !ok {
		t.Fatal("the subspace iteration did not converge")
	}
	axes, variance, err := principalAxes(xc)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for c := range k {
		if d := math.Abs(fast.Variance[c]-variance[c]) / variance[0]; d > 1e-10 {
			t.Errorf("variance %d: %v, full SVD %v", c, fast.Variance[c], variance[c])
		}
		// Components up to sign.
		var dotp float64
		for j := range p {
			dotp += fast.Components.At(c, j) * axes.At(j, c)
		}
		worst = max(worst, 1-math.Abs(dotp))
	}
	t.Logf("largest 1 - |cos| between components: %.2g", worst)
	if worst > 1e-8 {
		t.Errorf("components differ from the full SVD's: 1 - |cos| up to %.2g", worst)
	}
}

// TestTopVoxelsNaNLast: constant voxels (NaN R^2) never displace real
// scores.
func TestTopVoxelsNaNLast(t *testing.T) {
	nan := math.NaN()
	got := TopVoxels([]float64{nan, 0.2, nan, 0.5, -0.1, nan, 0.3}, 4)
	if want := []int{3, 6, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("TopVoxels = %v, want %v", got, want)
	}
}

// TestEncodingR2ConstantVoxels: a constant voxel, predicted exactly, is
// not selected over informative ones.
func TestEncodingR2ConstantVoxels(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	feat := randDense(r, 60, 3)
	vox := mat.NewDense(60, 3, nil)
	for i := range 60 {
		vox.Set(i, 0, 0) // constant
		vox.Set(i, 1, feat.At(i, 0)+0.1*r.NormFloat64())
		vox.Set(i, 2, r.NormFloat64())
	}
	r2, err := EncodingR2(feat, vox, []float64{0.1, 1, 10}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(r2[0]) || !(r2[1] > 0.8) {
		t.Errorf("R^2 %v: want NaN for the constant voxel and > 0.8 for the driven one", r2)
	}
	if top := TopVoxels(r2, 2); !slices.Equal(top, []int{1, 2}) {
		t.Errorf("TopVoxels %v, want [1 2]", top)
	}
}

// fashionMatrix is the 600 Fashion-MNIST test images as rows of pixels.
func fashionMatrix(t *testing.T) *mat.Dense {
	t.Helper()
	images, err := sim.LoadIDX(fashion)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(len(images.Pix), images.H*images.W, nil)
	for i, p := range images.Pix {
		x.SetRow(i, p)
	}
	return x
}
