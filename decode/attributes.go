package decode

import (
	"fmt"

	"github.com/neurolatent/neurolatent/decode/events"
	"github.com/neurolatent/neurolatent/decode/glm"
	"github.com/neurolatent/neurolatent/decode/nifti"
	"gonum.org/v1/gonum/mat"
)

// SplitRuns cuts data, the volumes of several runs concatenated (one row
// per volume, one column per voxel), into glm.Runs with the attribute
// table attrs (one label and chunk per volume): one run per chunk, its
// blocks as events (see events.Attributes.Runs; labels in baseline, such
// as "rest", make no event) and its rows of data, copied. name is used in
// the runs' names for error messages.
func SplitRuns(name string, data *mat.Dense, attrs *events.Attributes, tr float64, baseline []string) ([]glm.Run, error) {
	if data == nil {
		return nil, fmt.Errorf("decode: %s: no data", name)
	}
	nt, nv := data.Dims()
	if nt != attrs.Len() {
		return nil, fmt.Errorf("decode: %s has %d volumes, the attribute table %d lines", name, nt, attrs.Len())
	}
	ar, err := attrs.Runs(tr, baseline)
	if err != nil {
		return nil, fmt.Errorf("decode: %s: %w", name, err)
	}
	runs := make([]glm.Run, len(ar))
	for i, r := range ar {
		runs[i] = glm.Run{
			Name:   fmt.Sprintf("%s, chunk %s (volumes %d-%d)", name, r.Chunk, r.Start, r.Start+r.Frames-1),
			Timing: glm.Timing{Frames: r.Frames, TR: tr},
			Events: r.Events,
			Data:   mat.DenseCopyOf(data.Slice(r.Start, r.Start+r.Frames, 0, nv)),
		}
	}
	return runs, nil
}

// LoadAttributeRuns reads the 4D image at bold (runs concatenated) through
// mask (nil: every voxel) and splits it into runs with the attribute table
// at attrPath (see SplitRuns); the TR comes from the image header. It also
// returns the table, whose labels name every volume.
func LoadAttributeRuns(bold, attrPath string, mask *nifti.Mask, baseline []string) ([]glm.Run, *events.Attributes, error) {
	attrs, err := events.ReadAttributesFile(attrPath)
	if err != nil {
		return nil, nil, err
	}
	data, h, err := nifti.ReadMasked(bold, mask)
	if err != nil {
		return nil, nil, err
	}
	if err := checkFiniteVoxels(bold, data, mask, h); err != nil {
		return nil, nil, err
	}
	tr, _, err := h.TR()
	if err != nil {
		return nil, nil, fmt.Errorf("decode: %s: %w", bold, err)
	}
	runs, err := SplitRuns(bold, data, attrs, tr, baseline)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (attribute table %s)", err, attrPath)
	}
	return runs, attrs, nil
}

// BlockBetasFromAttributes estimates one beta per block and voxel from a
// 4D image of concatenated runs and its attribute table: LoadAttributeRuns
// with the mask at maskPath ("" for every voxel), then glm.TrialBetas with
// each block as a trial (opt.Method LSA gives one GLM per run with a
// regressor per block). It returns the betas (Trial.TrialType is the
// block's label, Trial.Run the index of its chunk) and the mask used.
func BlockBetasFromAttributes(bold, attrPath, maskPath string, baseline []string, opt glm.Options) (*glm.Betas, *nifti.Mask, error) {
	mask, err := loadMask(maskPath)
	if err != nil {
		return nil, nil, err
	}
	runs, _, err := LoadAttributeRuns(bold, attrPath, mask, baseline)
	if err != nil {
		return nil, nil, err
	}
	if mask == nil {
		if mask, err = fullMask(bold); err != nil {
			return nil, nil, err
		}
	}
	b, err := glm.TrialBetas(runs, opt)
	if err != nil {
		return nil, nil, err
	}
	return b, mask, nil
}

// loadMask reads the mask at maskPath, or returns nil (every voxel) when
// maskPath is "".
func loadMask(maskPath string) (*nifti.Mask, error) {
	if maskPath == "" {
		return nil, nil
	}
	return nifti.LoadMask(maskPath)
}

// fullMask makes the mask of every voxel of the image at bold. Callers
// build it after the data are read (with a nil mask), so that its size is
// that of data actually present, never a header's claim (issue 17).
func fullMask(bold string) (*nifti.Mask, error) {
	h, err := nifti.ReadHeader(bold)
	if err != nil {
		return nil, err
	}
	s := h.Shape()
	return nifti.FullMask([3]int{s[0], s[1], s[2]}), nil
}
