package tensor

import (
	"path/filepath"
	"strings"
)

// Load reads a state dict from path, choosing the format by extension:
// .safetensors, .npz, .pt/.pth/.bin (PyTorch), or .npy (one entry named
// after the file's stem, "w" for "w.npy").
func Load(path string) (*StateDict, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".safetensors":
		return LoadSafetensors(path)
	case ".npz":
		return LoadNPZ(path)
	case ".pt", ".pth", ".bin":
		return LoadPyTorch(path)
	case ".npy":
		t, err := LoadNPY(path)
		if err != nil {
			return nil, err
		}
		sd := NewStateDict()
		sd.Set(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), t)
		return sd, nil
	default:
		return nil, errorf(path, "unknown extension %q (want .safetensors, .npz, .npy, .pt, .pth or .bin)", ext)
	}
}

// Save writes sd to path, choosing the format by extension: .safetensors,
// .npz, or .npy (sd must then hold exactly one tensor). Writing PyTorch
// pickles is not supported: save .safetensors, which torch reads with the
// safetensors package. Every format is written atomically.
func Save(path string, sd *StateDict) error {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".safetensors":
		return SaveSafetensors(path, sd)
	case ".npz":
		return SaveNPZ(path, sd)
	case ".npy":
		if sd.Len() != 1 {
			return errorf(path, ".npy holds one array, the state dict has %d", sd.Len())
		}
		t, _ := sd.Get(sd.Keys()[0])
		return SaveNPY(path, t)
	case ".pt", ".pth", ".bin":
		return errorf(path, "writing PyTorch checkpoints is not supported; save .safetensors instead")
	default:
		return errorf(path, "unknown extension %q (want .safetensors, .npz or .npy)", ext)
	}
}
