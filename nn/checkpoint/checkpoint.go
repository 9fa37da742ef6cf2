// Package checkpoint saves and restores training state: a model's weights
// and buffers, its optimizer's state, its configuration (JSON) and where the
// run stands, in one safetensors file written atomically (temporary file,
// fsync, rename), so a crash never leaves a half-written checkpoint and the
// previous one stays intact until the new one is complete.
//
// Keys are "model/<name>" and "optimizer/<name>"; the file's metadata holds
// "format", "config" and "progress" as JSON strings, so ordinary
// safetensors tools can read it.
//
// A process killed while writing leaves a temporary file beside the
// checkpoint (".NAME.tmpDIGITS"); Save, SaveWeights and Load remove those
// that earlier, finished processes left, so they never pile up.
package checkpoint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/neurolatent/neurolatent/internal/atomicfile"
	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/optim"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Format identifies checkpoint files.
const Format = "neurolatent-checkpoint-v1"

// Progress is where a training run stands. Training loops derive every
// random choice from Seed and the step or epoch, so restoring Progress is
// enough to continue exactly as an uninterrupted run would. It is a plain
// value: safe for concurrent use as long as no goroutine modifies it.
type Progress struct {
	Step  int    `json:"step"`
	Epoch int    `json:"epoch"`
	Seed  uint64 `json:"seed"`
	// Batch and Images are the batch size and the number of training
	// images, which decide the data order: a run resumed with others would
	// not continue the same run (0: not recorded, in older checkpoints).
	Batch  int                `json:"batch,omitempty"`
	Images int                `json:"images,omitempty"`
	Extra  map[string]float64 `json:"extra,omitempty"`
}

const (
	modelPrefix = "model/"
	optPrefix   = "optimizer/"
)

// Save writes model, the optimizer's state (opt may be nil), config
// (anything encoding/json accepts, or nil) and progress to path.
func Save(path string, model any, config any, opt optim.Optimizer, p Progress) error {
	sd := nt.NewStateDict()
	for _, np := range nn.Params(model) {
		if np.Param.Value != nil {
			sd.Set(modelPrefix+np.Name, np.Param.Value)
		}
	}
	if opt != nil {
		st := opt.State()
		for _, k := range st.Keys() {
			t, _ := st.Get(k)
			sd.Set(optPrefix+k, t)
		}
	}
	cfg, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("checkpoint: %s: encoding config: %w", path, err)
	}
	prog, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("checkpoint: %s: encoding progress: %w", path, err)
	}
	sd.Metadata = map[string]string{"format": Format, "config": string(cfg), "progress": string(prog), "config_type": ConfigType(config)}
	removeStale(path)
	if err := nt.SaveSafetensors(path, sd); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Load restores model and opt (which may be nil) from path and decodes the
// configuration into config (a pointer, or nil to skip). The model must
// have the checkpoint's architecture: every key must match (nn.LoadError
// lists every difference). Nothing is changed unless everything fits.
func Load(path string, model any, config any, opt optim.Optimizer) (Progress, error) {
	var p Progress
	removeStale(path)
	sd, err := nt.LoadSafetensors(path)
	if err != nil {
		return p, fmt.Errorf("checkpoint: %w", err)
	}
	if f := sd.Metadata["format"]; f != Format {
		return p, fmt.Errorf("checkpoint: %s: format %q, want %q", path, f, Format)
	}
	if err := json.Unmarshal([]byte(sd.Metadata["progress"]), &p); err != nil {
		return p, fmt.Errorf("checkpoint: %s: progress: %w", path, err)
	}
	if config != nil {
		if err := json.Unmarshal([]byte(sd.Metadata["config"]), config); err != nil {
			return p, fmt.Errorf("checkpoint: %s: config: %w", path, err)
		}
	}
	weights, state := nt.NewStateDict(), nt.NewStateDict()
	for _, k := range sd.Keys() {
		t, _ := sd.Get(k)
		switch {
		case strings.HasPrefix(k, modelPrefix):
			weights.Set(strings.TrimPrefix(k, modelPrefix), t)
		case strings.HasPrefix(k, optPrefix):
			state.Set(strings.TrimPrefix(k, optPrefix), t)
		default:
			return p, fmt.Errorf("checkpoint: %s: unexpected key %q", path, k)
		}
	}
	// Validate the model first, so that a checkpoint of another
	// architecture changes neither the model nor the optimizer.
	if err := nn.CheckStateDict(model, weights); err != nil {
		return p, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	if opt != nil {
		if err := opt.LoadState(state); err != nil {
			return p, fmt.Errorf("checkpoint: %s: %w", path, err)
		}
	}
	if err := nn.LoadStateDict(model, weights); err != nil {
		return p, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return p, nil
}

// removeStale removes the temporary files that writes of path by killed
// processes left (atomicfile.Clean). Failing to is no reason to fail a
// save or a load: the files only take space.
func removeStale(path string) {
	atomicfile.Clean(path)
}

// ConfigType names the Go type of a configuration ("vae.Config"); files
// record it so a model package can refuse another model's weights by name.
func ConfigType(config any) string {
	if config == nil {
		return ""
	}
	return fmt.Sprintf("%T", config)
}

// CheckConfigType returns an error when a state dict read by ReadWeights
// was saved with another configuration type than want (files without the
// record pass).
func CheckConfigType(sd *nt.StateDict, want any, name string) error {
	got := sd.Metadata["config_type"]
	if got != "" && got != ConfigType(want) {
		return fmt.Errorf("checkpoint: %s holds a %s model, not a %s one", name, strings.TrimSuffix(got, ".Config"), strings.TrimSuffix(ConfigType(want), ".Config"))
	}
	return nil
}

// WeightsFormat identifies weight files (no optimizer state).
const WeightsFormat = "neurolatent-weights-v1"

// SaveWeights writes model's parameters and buffers under their own keys
// with config (JSON) in the metadata, atomically: the file a model ships as.
func SaveWeights(path string, model any, config any) error {
	sd := nn.StateDict(model)
	cfg, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("checkpoint: %s: encoding config: %w", path, err)
	}
	sd.Metadata = map[string]string{"format": WeightsFormat, "config": string(cfg), "config_type": ConfigType(config)}
	removeStale(path)
	if err := nt.SaveSafetensors(path, sd); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// ReadWeights reads a weight file (or the model part of a checkpoint) and
// decodes its configuration into config (a pointer, or nil). The caller
// builds the model from the configuration and loads the state dict with
// nn.LoadStateDict.
func ReadWeights(path string, config any) (*nt.StateDict, error) {
	sd, err := nt.LoadSafetensors(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return weightsOf(sd, path, config)
}

// ReadWeightsFrom is ReadWeights for a file in memory or an embedded
// asset; name labels errors.
func ReadWeightsFrom(r io.ReaderAt, size int64, name string, config any) (*nt.StateDict, error) {
	sd, err := nt.ReadSafetensors(r, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", name, err)
	}
	return weightsOf(sd, name, config)
}

func weightsOf(sd *nt.StateDict, path string, config any) (*nt.StateDict, error) {
	switch sd.Metadata["format"] {
	case WeightsFormat:
	case Format:
		weights := nt.NewStateDict()
		for _, k := range sd.Keys() {
			if strings.HasPrefix(k, modelPrefix) {
				t, _ := sd.Get(k)
				weights.Set(strings.TrimPrefix(k, modelPrefix), t)
			}
		}
		weights.Metadata = sd.Metadata
		sd = weights
	default:
		return nil, fmt.Errorf("checkpoint: %s: format %q is neither %q nor %q", path, sd.Metadata["format"], WeightsFormat, Format)
	}
	if config != nil {
		if err := json.Unmarshal([]byte(sd.Metadata["config"]), config); err != nil {
			return nil, fmt.Errorf("checkpoint: %s: config: %w", path, err)
		}
	}
	return sd, nil
}
