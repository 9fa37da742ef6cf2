package nifti

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const testdir = "../../testdata/decode/nifti"

// golden is what nibabel read from one file (scripts/golden/decode_nifti.py).
type golden struct {
	Version    int           `json:"version"`
	Shape      []int         `json:"shape"`
	Datatype   int           `json:"datatype"`
	BigEndian  bool          `json:"big_endian"`
	Zooms      []float64     `json:"zooms"`
	Pixdim     []float64     `json:"pixdim"`
	SpaceUnit  string        `json:"space_unit"`
	TimeUnit   string        `json:"time_unit"`
	Slope      *float64      `json:"slope"`
	Inter      *float64      `json:"inter"`
	QformCode  int           `json:"qform_code"`
	SformCode  int           `json:"sform_code"`
	Qform      [][]float64   `json:"qform"`
	Sform      [][]float64   `json:"sform"`
	Affine     [][]float64   `json:"affine"`
	Sum        float64       `json:"sum"`
	SumSq      float64       `json:"sumsq"`
	NaN        int           `json:"nan"`
	PosInf     int           `json:"posinf"`
	Samples    [][2]*float64 `json:"samples"`
	VolumeSums []float64     `json:"volume_sums"`
	Dim        []int         `json:"dim"`
}

func loadGolden(t *testing.T) map[string]golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// rejected are the files nibabel reads but this package must refuse.
var rejected = map[string]string{
	"five_d.nii":          "only 3D and 4D",
	"row_major.dconn.nii": "only 3D and 4D",
}

func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

var unitName = map[Unit]string{UnitUnknown: "unknown", UnitMM: "mm", UnitMeter: "meter", UnitMicron: "micron",
	UnitSec: "sec", UnitMsec: "msec", UnitUsec: "usec", UnitHz: "hz", UnitPPM: "ppm", UnitRads: "rads"}

// TestReadMatchesNibabel reads every committed image and compares it with
// what nibabel read from the same file.
func TestReadMatchesNibabel(t *testing.T) {
	g := loadGolden(t)
	names := make([]string, 0, len(g))
	for n := range g {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < 14 {
		t.Fatalf("expected.json lists %d files", len(names))
	}
	for _, name := range names {
		want := g[name]
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(testdir, name)
			im, err := ReadFile(path)
			if msg, ok := rejected[name]; ok {
				if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), name) {
					t.Fatalf("want an error containing %q and the file name, got %v", msg, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkAgainst(t, im, want)
		})
	}
}

func checkAgainst(t *testing.T, im *Image, want golden) {
	t.Helper()
	h := im.Header
	if h.Version != want.Version {
		t.Errorf("version %d, nibabel %d", h.Version, want.Version)
	}
	if got := h.Shape(); !slices.Equal(got, want.Shape) {
		t.Fatalf("shape %v, nibabel %v", got, want.Shape)
	}
	if int(h.Datatype) != want.Datatype {
		t.Errorf("datatype %v, nibabel %d", h.Datatype, want.Datatype)
	}
	if (h.ByteOrder == binary.BigEndian) != want.BigEndian {
		t.Errorf("byte order %v, nibabel big endian %v", h.ByteOrder, want.BigEndian)
	}
	for i, z := range want.Zooms {
		if !closeRel(h.Pixdim[i+1], z, 1e-12) {
			t.Errorf("pixdim[%d] %v, nibabel zoom %v", i+1, h.Pixdim[i+1], z)
		}
	}
	if unitName[h.SpaceUnit()] != want.SpaceUnit || unitName[h.TimeUnit()] != want.TimeUnit {
		t.Errorf("units %v %v, nibabel %s %s", h.SpaceUnit(), h.TimeUnit(), want.SpaceUnit, want.TimeUnit)
	}
	slope, inter, err := h.Scaling()
	if err != nil {
		t.Fatal(err)
	}
	ws, wi := 1.0, 0.0
	if want.Slope != nil {
		ws, wi = *want.Slope, *want.Inter
	}
	if slope != ws || inter != wi {
		t.Errorf("scaling (%v, %v), nibabel (%v, %v)", slope, inter, ws, wi)
	}
	if int(h.QformCode) != want.QformCode || int(h.SformCode) != want.SformCode {
		t.Errorf("codes q%d s%d, nibabel q%d s%d", h.QformCode, h.SformCode, want.QformCode, want.SformCode)
	}
	q, err := h.QForm()
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.Affine()
	if err != nil {
		t.Fatal(err)
	}
	compareAffine(t, "qform", q, want.Qform)
	compareAffine(t, "sform", h.SForm(), want.Sform)
	compareAffine(t, "affine", a, want.Affine)

	var sum, sumsq float64
	nan, posinf := 0, 0
	for _, v := range im.Data {
		switch {
		case math.IsNaN(v):
			nan++
		case math.IsInf(v, 1):
			posinf++
		case math.IsInf(v, -1):
		default:
			sum += v
			sumsq += v * v
		}
	}
	if nan != want.NaN || posinf != want.PosInf {
		t.Errorf("%d NaN %d +Inf, nibabel %d %d", nan, posinf, want.NaN, want.PosInf)
	}
	if !closeRel(sum, want.Sum, 1e-10) || !closeRel(sumsq, want.SumSq, 1e-10) {
		t.Errorf("sum %v sumsq %v, nibabel %v %v", sum, sumsq, want.Sum, want.SumSq)
	}
	for _, s := range want.Samples {
		i := int(*s[0])
		got := im.Data[i]
		if s[1] == nil {
			if !math.IsNaN(got) && !math.IsInf(got, 0) {
				t.Errorf("voxel %d = %v, nibabel non-finite", i, got)
			}
			continue
		}
		if got != *s[1] {
			t.Errorf("voxel %d = %v, nibabel %v", i, got, *s[1])
		}
	}
	for k, ws := range want.VolumeSums {
		var s float64
		for _, v := range im.Volume(k) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				s += v
			}
		}
		if !closeRel(s, ws, 1e-10) {
			t.Errorf("volume %d sum %v, nibabel %v", k, s, ws)
		}
	}
}

// compareAffine compares a 3x4 affine with nibabel's 4x4. Affines are
// computed in float64 from float32 header fields in NIfTI-1 files, as
// nibabel does, so they agree to rounding.
func compareAffine(t *testing.T, what string, a Affine, want [][]float64) {
	t.Helper()
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			if !(math.Abs(a[i][j]-want[i][j]) <= 1e-9*math.Max(1, math.Abs(want[i][j]))) {
				t.Errorf("%s[%d][%d] = %v, nibabel %v", what, i, j, a[i][j], want[i][j])
			}
		}
	}
}
