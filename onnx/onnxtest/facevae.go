package onnxtest

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/internal/realdata"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/onnx"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// FaceVAETol is the largest absolute difference allowed between Go and
// PyTorch on the face VAE's outputs (mu, and images in [0, 1]).
const FaceVAETol = 1e-5

// FaceVAEOpsets are the opsets scripts/golden/face_vae_onnx.py exports.
var FaceVAEOpsets = []int{11, 17}

// python is Debian's interpreter, the one the golden scripts are run with.
const python = "/usr/bin/python3"

// FaceVAE exports the CelebA face VAE (../shared/models/celeba-vae64,
// never committed) to ONNX with its PyTorch reference outputs, by running
// scripts/golden/face_vae_onnx.py into a temporary folder, and returns the
// folder. ONNX_FACE_VAE_DIR names a folder exported before instead. It
// skips, with the reason, without the model, the Olivetti faces or
// PyTorch.
func FaceVAE(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("ONNX_FACE_VAE_DIR"); dir != "" {
		return dir
	}
	faces := filepath.Join(realdata.Dir(t, "olivetti"), "faces-400x64x64-uint8.npy")
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	pth := filepath.Join(root, "..", "shared", "models", "celeba-vae64", "vae.pth")
	if _, err := os.Stat(pth); err != nil {
		t.Skipf("face VAE weights absent (../shared/models/celeba-vae64): %v", err)
	}
	if err := exec.Command(python, "-c", "import torch, numpy").Run(); err != nil {
		t.Skipf("%s with torch and numpy unavailable (apt-get install python3-torch): %v", python, err)
	}
	dir := t.TempDir()
	script := filepath.Join(root, "scripts", "golden", "face_vae_onnx.py")
	out, err := exec.Command(python, script, pth, faces, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return dir
}

// moduleRoot is the folder holding go.mod, above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// CheckFaceVAE runs the exported encoder and decoder of every opset on eng
// and compares them with PyTorch's outputs within FaceVAETol, logging the
// largest differences.
func CheckFaceVAE(t *testing.T, eng nn.Engine, dir string) {
	t.Helper()
	load := func(name string) *tensor.Dense {
		d, err := nt.LoadNPY(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	faces, mu, z, images := load("faces.npy"), load("mu.npy"), load("z.npy"), load("images.npy")
	for _, opset := range FaceVAEOpsets {
		for _, c := range []struct {
			part    string
			in, out *tensor.Dense
		}{{"encoder", faces, mu}, {"decoder", z, images}} {
			name := fmt.Sprintf("%s-opset%d", c.part, opset)
			t.Run(name, func(t *testing.T) {
				m, err := onnx.Load(filepath.Join(dir, name+".onnx"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := eng.Run(m.Func(), c.in)
				if err != nil {
					t.Fatal(err)
				}
				maxAbs, err := maxAbsDiff(got[0], c.out)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s %v -> %v: max |Go - PyTorch| = %.3g", name, c.in.Shape(), c.out.Shape(), maxAbs)
				if maxAbs > FaceVAETol {
					t.Errorf("max |Go - PyTorch| = %.3g, want <= %g", maxAbs, FaceVAETol)
				}
			})
		}
	}
}

// maxAbsDiff is the largest elementwise |a - b| of equal-shape tensors.
func maxAbsDiff(a, b *tensor.Dense) (float64, error) {
	if !a.Shape().Eq(b.Shape()) {
		return 0, fmt.Errorf("shape %v, want %v", a.Shape(), b.Shape())
	}
	a64, err := nt.ToFloat64(a)
	if err != nil {
		return 0, err
	}
	b64, err := nt.ToFloat64(b)
	if err != nil {
		return 0, err
	}
	av, bv := nt.Data64(a64), nt.Data64(b64)
	m := 0.0
	for i := range av {
		d := math.Abs(av[i] - bv[i])
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		m = max(m, d)
	}
	return m, nil
}
