package tensor

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadDispatch(t *testing.T) {
	for name, key := range map[string]string{
		"all.safetensors": "a.f32",
		"plain.npz":       "a",
		"state.pth":       "weight",
		"state_legacy.pt": "weight",
		"f32.npy":         "f32",
	} {
		sd, err := Load(fixture(name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, ok := sd.Get(key); !ok {
			t.Errorf("%s: no %q in %v", name, key, sd.Keys())
		}
	}
	_, err := Load("weights.h5")
	mustErr(t, err, "weights.h5", `unknown extension ".h5"`)
}

func TestSaveDispatch(t *testing.T) {
	dir := t.TempDir()
	sd := NewStateDict()
	sd.Set("w", New32([]float32{1, 2}, 2))
	for _, name := range []string{"a.safetensors", "b.npz", "c.NPY"} {
		p := filepath.Join(dir, name)
		if err := Save(p, sd); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back, err := Load(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if back.Len() != 1 {
			t.Errorf("%s: %v", name, back.Keys())
		}
	}
	back, _ := Load(filepath.Join(dir, "c.NPY"))
	if _, ok := back.Get("c"); !ok {
		t.Errorf(".npy entry named %v", back.Keys())
	}
	mustErr(t, Save(filepath.Join(dir, "x.pth"), sd), "not supported", ".safetensors")
	mustErr(t, Save(filepath.Join(dir, "x.bin2"), sd), "unknown extension")
	sd.Set("v", New32([]float32{3}, 1))
	mustErr(t, Save(filepath.Join(dir, "d.npy"), sd), ".npy holds one array, the state dict has 2")
	if _, err := os.Stat(filepath.Join(dir, "d.npy")); err == nil {
		t.Error("failed save left a file")
	}
}
