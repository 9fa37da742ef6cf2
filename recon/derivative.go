package recon

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/neurolatent/neurolatent/decode"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"github.com/neurolatent/neurolatent/decode/ridge"
	"github.com/neurolatent/neurolatent/internal/atomicfile"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// fit is one latent decoder as Decode ran it: the voxels it used (columns
// of the betas), its decoded test codes (rescaled as the run says) and the
// training codes it was fitted to.
type fit struct {
	space        string
	method       Method
	voxels       []int
	codes, train *mat.Dense
	alphas       []float64
}

// DerivativeInfo is what WriteDerivative needs beyond the result and the
// data: who made it, and where the voxels sit.
type DerivativeInfo struct {
	// Name and Version name the pipeline in GeneratedBy (Version "":
	// the module's build information).
	Name, Version string
	// CommandLine is the command as run (os.Args).
	CommandLine []string
	// Subject is the participant label without "sub-" ("01" when empty).
	Subject string
	// Mask is a 3D NIfTI image whose non-zero voxels, in file order (x
	// fastest), are the columns of the data's betas: the maps are written
	// in its space. Empty: no maps (betas given as .npy have no space).
	Mask string
}

// Files of the derivative, relative to its sub-<label> folder; the
// placeholders are the subject label and the decoder's desc entity (for
// example "vaeganRidge").
const (
	DerivativeDescription = "dataset_description.json"
	latentsFile           = "sub-%s_task-test_desc-%s_latents.npy"
	stimuliFile           = "sub-%s_task-test_stimuli.tsv"
	scoresFile            = "sub-%s_task-test_desc-scores_table.tsv"
	alphasFile            = "sub-%s_desc-%s_alphas.tsv"
	reconFile             = "sub-%s_task-test_stim-%s_desc-%s_recon.png"
	r2MapFile             = "sub-%s_desc-%sEncodingR2_statmap.nii.gz"
	selectedFile          = "sub-%s_desc-%sSelected_mask.nii.gz"
	weightsFile           = "sub-%s_desc-%sWeights_statmap.nii.gz"
	ceilingFile           = "sub-%s_desc-noiseCeiling_statmap.nii.gz"
	ncsnrFile             = "sub-%s_desc-ncsnr_statmap.nii.gz"
)

// Version is the module's version and VCS revision from the build
// information, as GeneratedBy records it ("devel" when unknown).
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := strings.Trim(bi.Main.Version, "()")
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}

// desc is a decoder's BIDS desc entity: letters and digits only.
func desc(space string, method Method) string {
	m := strings.ReplaceAll(string(method), "-", " ")
	out := space
	for _, w := range strings.Fields(m) {
		out += strings.ToUpper(w[:1]) + w[1:]
	}
	return bidsLabel(out)
}

var notAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

// bidsLabel keeps a label's letters and digits (BIDS entity values are
// alphanumeric); a stimulus path keeps its base name without extension.
func bidsLabel(s string) string {
	s = strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
	return notAlnum.ReplaceAllString(s, "")
}

// WriteDerivative writes the run as a BIDS derivative in dir
// (dataset_description.json and sub-<label>/): for every latent decoder
// its decoded test codes (.npy, rows in the order of
// sub-<label>_task-test_stimuli.tsv); the model's reconstruction of each
// test stimulus (PNG); every decoder's per-stimulus scores (TSV); and for
// the model's ridge decoder the alphas chosen per latent dimension. With
// info.Mask it adds NIfTI maps in the participant's space: the
// cross-validated encoding R^2 of every voxel from the model's codes
// (training trials, as voxel selection computes it), the selected voxels,
// the ridge weights (4D, one volume per latent dimension) and, when test
// stimuli repeat, each voxel's ncsnr and noise ceiling (percent of
// variance, for responses averaged over the repeats).
func (r *Result) WriteDerivative(dir string, d *Data, info DerivativeInfo) error {
	if r == nil || d == nil || len(r.fits) == 0 {
		return errors.New("recon: no decoding result to write as a derivative")
	}
	sub := info.Subject
	if sub == "" {
		sub = "01"
	}
	if bidsLabel(sub) != sub {
		return fmt.Errorf("recon: subject label %q: want letters and digits only", sub)
	}
	sdir := filepath.Join(dir, "sub-"+sub)
	if err := os.MkdirAll(filepath.Join(sdir, "recon"), 0o755); err != nil {
		return fmt.Errorf("recon: %w", err)
	}
	if err := writeDescription(dir, info); err != nil {
		return err
	}
	n := d.TestImages.Shape()[0]
	stims := d.TestStimuli
	if len(stims) != n {
		stims = make([]string, n)
		for i := range stims {
			stims[i] = fmt.Sprintf("test%03d", i)
		}
	}
	var tsv strings.Builder
	tsv.WriteString("index\tstimulus\tlabel\n")
	for i, s := range stims {
		label := "n/a"
		if d.TestLabels != nil {
			label = d.TestLabels[i]
		}
		fmt.Fprintf(&tsv, "%d\t%s\t%s\n", i, s, label)
	}
	if err := atomicfile.WriteBytes(filepath.Join(sdir, fmt.Sprintf(stimuliFile, sub)), []byte(tsv.String())); err != nil {
		return err
	}
	for _, f := range r.fits {
		if err := nt.SaveNPY(filepath.Join(sdir, fmt.Sprintf(latentsFile, sub, desc(f.space, f.method))), fromMat(f.codes)); err != nil {
			return err
		}
	}
	if err := r.writeScoresTSV(filepath.Join(sdir, fmt.Sprintf(scoresFile, sub)), stims); err != nil {
		return err
	}
	if err := r.writeReconPNGs(filepath.Join(sdir, "recon"), sub, stims); err != nil {
		return err
	}
	// The model's ridge decoder, refitted exactly as Decode fitted it, for
	// its alphas and weights.
	i := slices.IndexFunc(r.fits, func(f fit) bool { return f.space == r.Model && f.method == MethodRidge })
	if i < 0 {
		return nil
	}
	f := r.fits[i]
	mdl, err := ridge.Fit(decode.Columns(d.TrainBetas, f.voxels), f.train, ridge.Config{Alphas: f.alphas, PerTarget: true})
	if err != nil {
		return fmt.Errorf("recon: derivative: %w", err)
	}
	var al strings.Builder
	al.WriteString("dimension\talpha\n")
	for j, a := range mdl.Alpha {
		fmt.Fprintf(&al, "%d\t%g\n", j, a)
	}
	dsc := desc(f.space, f.method)
	if err := atomicfile.WriteBytes(filepath.Join(sdir, fmt.Sprintf(alphasFile, sub, dsc)), []byte(al.String())); err != nil {
		return err
	}
	if info.Mask == "" {
		return nil
	}
	return r.writeMaps(sdir, sub, d, f, mdl, info.Mask)
}

func writeDescription(dir string, info DerivativeInfo) error {
	name := info.Name
	if name == "" {
		name = "neurolatent reconstruct"
	}
	version := info.Version
	if version == "" {
		version = Version()
	}
	desc := map[string]any{
		"Name":        "neurolatent reconstructions",
		"BIDSVersion": "1.9.0",
		"DatasetType": "derivative",
		"GeneratedBy": []map[string]any{{
			"Name":        name,
			"Version":     version,
			"Description": "command line: " + strings.Join(info.CommandLine, " "),
			"CodeURL":     "https://github.com/neurolatent/neurolatent",
		}},
	}
	js, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, DerivativeDescription), append(js, '\n'))
}

// writeScoresTSV writes one row per test stimulus and decoder, one column
// per metric (n/a where a decoder lacks it): the per-stimulus values the
// bootstrap resamples.
func (r *Result) writeScoresTSV(path string, stims []string) error {
	var names []string
	for _, s := range r.All {
		for _, m := range s.names {
			if !slices.Contains(names, m) {
				names = append(names, m)
			}
		}
	}
	var b strings.Builder
	b.WriteString("stimulus\tdecoder")
	for _, m := range names {
		b.WriteString("\t" + m)
	}
	b.WriteString("\n")
	for i, st := range stims {
		for _, s := range r.All {
			fmt.Fprintf(&b, "%s\t%s", st, desc(s.Space, s.Method))
			for _, m := range names {
				v, ok := s.perItem[m]
				if !ok || i >= len(v) || math.IsNaN(v[i]) {
					b.WriteString("\tn/a")
					continue
				}
				fmt.Fprintf(&b, "\t%.6g", v[i])
			}
			b.WriteString("\n")
		}
	}
	return atomicfile.WriteBytes(path, []byte(b.String()))
}

// writeReconPNGs writes the model's reconstruction of each test stimulus.
func (r *Result) writeReconPNGs(dir, sub string, stims []string) error {
	if r.Reconstructions == nil {
		return nil
	}
	s := r.Reconstructions.Shape()
	size := s.TotalSize() / s[0]
	data := nt.Data32(r.Reconstructions)
	dsc := desc(r.Model, r.Method)
	seen := map[string]int{}
	for i := range s[0] {
		label := bidsLabel(stims[i])
		if label == "" {
			label = fmt.Sprintf("test%03d", i)
		}
		if seen[label]++; seen[label] > 1 {
			label = fmt.Sprintf("%s%d", label, seen[label])
		}
		img := append([]float32(nil), data[i*size:(i+1)*size]...)
		for j, v := range img {
			img[j] = min(max(v, 0), 1)
		}
		t := nt.New32(img, append([]int{1}, s[1:]...)...)
		if err := nt.SavePNGGrid(filepath.Join(dir, fmt.Sprintf(reconFile, sub, label, dsc)), t, nt.GridOptions{Cols: 1}); err != nil {
			return err
		}
	}
	return nil
}

// writeMaps writes the NIfTI maps in the space of the mask.
func (r *Result) writeMaps(sdir, sub string, d *Data, f fit, mdl *ridge.Model, maskPath string) error {
	mask, err := nifti.LoadMask(maskPath)
	if err != nil {
		return err
	}
	_, nv := d.TrainBetas.Dims()
	if mask.Len() != nv {
		return fmt.Errorf("recon: mask %s selects %d voxels, the betas have %d", maskPath, mask.Len(), nv)
	}
	mh, err := nifti.ReadHeader(maskPath)
	if err != nil {
		return err
	}
	write := func(name string, vols ...[]float64) error {
		img, err := mapImage(mh, mask, vols)
		if err != nil {
			return err
		}
		return nifti.WriteFile(filepath.Join(sdir, name), img)
	}
	dsc := desc(f.space, f.method)
	folds := min(5, d.TrainBetas.RawMatrix().Rows)
	r2, err := decode.EncodingR2(f.train, d.TrainBetas, f.alphas, folds)
	if err != nil {
		return fmt.Errorf("recon: encoding R^2 map: %w", err)
	}
	if err := write(fmt.Sprintf(r2MapFile, sub, f.space), r2); err != nil {
		return err
	}
	sel := make([]float64, nv)
	for _, v := range f.voxels {
		sel[v] = 1
	}
	if err := write(fmt.Sprintf(selectedFile, sub, dsc), sel); err != nil {
		return err
	}
	_, k := mdl.Coef.Dims()
	w := make([][]float64, k)
	for j := range w {
		w[j] = make([]float64, nv)
		for i, v := range f.voxels {
			w[j][v] = mdl.Coef.At(i, j)
		}
	}
	if err := write(fmt.Sprintf(weightsFile, sub, dsc), w...); err != nil {
		return err
	}
	if rel := r.Reliability; rel != nil && len(rel.perVoxel) == nv {
		dr := decode.Reliability{NCSNR: rel.perVoxel}
		nc := dr.NoiseCeiling(int(math.Round(rel.Repeats)))
		ncsnr := slices.Clone(rel.perVoxel)
		for i, v := range ncsnr {
			if math.IsInf(v, 0) {
				ncsnr[i] = math.MaxFloat32 // NIfTI float32 holds no infinity a viewer likes
			}
		}
		if err := write(fmt.Sprintf(ceilingFile, sub), nc); err != nil {
			return err
		}
		if err := write(fmt.Sprintf(ncsnrFile, sub), ncsnr); err != nil {
			return err
		}
	}
	return nil
}

// mapImage scatters per-voxel values (one slice per volume) into a
// float32 image with the mask's grid and orientation; voxels outside the
// mask are 0.
func mapImage(mh *nifti.Header, mask *nifti.Mask, vols [][]float64) (*nifti.Image, error) {
	s := mask.Shape
	shape := []int{s[0], s[1], s[2]}
	if len(vols) > 1 {
		shape = append(shape, len(vols))
	}
	img, err := nifti.NewImage(nifti.Float32, shape...)
	if err != nil {
		return nil, err
	}
	a, err := mh.Affine()
	if err != nil {
		return nil, err
	}
	switch {
	case mh.SformCode > 0:
		img.Header.SetAffine(a, mh.SformCode)
	case mh.QformCode > 0:
		img.Header.SetAffine(a, mh.QformCode)
	default:
		copy(img.Header.Pixdim[1:4], mh.Pixdim[1:4])
	}
	img.Header.XYZTUnits = mh.XYZTUnits
	for t, v := range vols {
		mask.Scatter(img.Volume(t), v)
	}
	return img, nil
}
